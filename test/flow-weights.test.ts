// The weight-state flow (src/theory/flow-weights.ts, docs/theory.md §11.8), with JS and WASM
// products, is the (Q, R) flow of docs/theory.md §3: at u with Q = u uᵀ, R = u u*ᵀ,
// dQ = du uᵀ + u duᵀ and dR = du u*ᵀ. Polishing in weight coordinates (src/theory/polish-weights.ts)
// finds the same fixed points and minimum decisions as the (Q, R) tools.
import { describe, expect, it } from 'vitest';
import { getActivation } from '../src/activations/index.js';
import { makeWeightFlow, qrRhsNorm, realiseWeightState } from '../src/theory/flow-weights.js';
import { loadWeightKernels, wasmWeightProducts } from '../src/theory/flow-weights-wasm.js';
import { makeFlow } from '../src/theory/flow.js';
import { gaussianInit } from '../src/theory/init.js';
import { createRng } from '../src/random/rng.js';
import { polishWeights } from '../src/theory/polish-weights.js';
import { isWeightSpaceMinimum } from '../src/theory/hessian.js';
import { solveFamily } from '../src/theory/fixed-points.js';
import { identity, maxAbs } from '../src/linalg/vector.js';

const relu = getActivation('relu');

describe('weight-state flow', () => {
  it('realises Gaussian starts with p = min(d, K + M) − M and reproduces ε, dQ, dR and max|RHS| of makeFlow', async () => {
    await loadWeightKernels();
    for (const [K, M, d] of [[5, 3, 3], [3, 4, 4], [4, 3, 5], [6, 5, 20], [7, 7, 7]]) {
      const init = gaussianInit(K, M, d, createRng('wflow', K, M, d));
      const w = realiseWeightState(K, M, init.Q, init.R)!;
      expect(w.p).toBe(Math.min(d, K + M) - M);
      const c = M + w.p;
      for (const wf of [makeWeightFlow(relu, K, M, w.p), makeWeightFlow(relu, K, M, w.p, wasmWeightProducts(K, M, c))]) {
        const du = new Float64Array(wf.n);
        const e1 = wf.rhs(w.u, du);
        const Q = new Float64Array(K * K);
        const R = new Float64Array(K * M);
        wf.overlaps(w.u, Q, R);
        for (let i = 0; i < K * K; i++) expect(Math.abs(Q[i] - init.Q[i])).toBeLessThan(1e-12);
        for (let i = 0; i < K * M; i++) expect(Math.abs(R[i] - init.R[i])).toBeLessThan(1e-12);
        const dQ = new Float64Array(K * K);
        const dR = new Float64Array(K * M);
        const e2 = makeFlow(relu, K, M, init.T)(Q, R, dQ, dR);
        expect(Math.abs(e1 - e2)).toBeLessThan(1e-13);
        for (let k = 0; k < K; k++) {
          for (let l = 0; l < K; l++) {
            let s = 0;
            for (let i = 0; i < c; i++) s += du[k * c + i] * w.u[l * c + i] + w.u[k * c + i] * du[l * c + i];
            expect(Math.abs(s - dQ[k * K + l])).toBeLessThan(1e-12);
          }
          for (let m = 0; m < M; m++) expect(Math.abs(du[k * c + m] - dR[k * M + m])).toBeLessThan(1e-13);
        }
        expect(Math.abs(qrRhsNorm(K, M, w.p, w.u, du) - Math.max(maxAbs(dQ), maxAbs(dR)))).toBeLessThan(1e-12);
      }
    }
  });

  it('WASM products equal the JS products to round-off (odd and even row lengths)', async () => {
    await loadWeightKernels();
    for (const [K, M, p] of [[20, 19, 0], [20, 20, 0], [5, 3, 2], [3, 4, 1], [1, 1, 0]]) {
      const rng = createRng('wasm-flow', K, M, p);
      const c = M + p;
      const u = new Float64Array(K * c);
      rng.fillNormal(u);
      const a = new Float64Array(K * c);
      const b = new Float64Array(K * c);
      const ea = makeWeightFlow(relu, K, M, p).rhs(u, a);
      const eb = makeWeightFlow(relu, K, M, p, wasmWeightProducts(K, M, c)).rhs(u, b);
      expect(Math.abs(ea - eb)).toBeLessThan(1e-12);
      for (let i = 0; i < K * c; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-12 * (1 + Math.abs(a[i])));
    }
  });

  it('refuses states that have no realisation with u* = [I | 0]', () => {
    // Q_00 = 0.5 < R_00² = 1: Q − R Rᵀ is not PSD
    expect(realiseWeightState(1, 1, [0.5], [1])).toBeNull();
    expect(realiseWeightState(1, 1, [1], [1])!.p).toBe(0);
  });
});

describe('polishing in weight coordinates', () => {
  it('converges to the fixed point from a perturbation and decides minimum / saddle as isWeightSpaceMinimum (K = M = 6, d = M)', () => {
    const K = 6;
    const T = identity(K);
    let minima = 0;
    let saddles = 0;
    for (let n = 1; n <= 3; n++) {
      for (const s of solveFamily(relu, K, K, n)) {
        const w = realiseWeightState(K, K, s.Q, s.R);
        if (!w || w.p !== 0) continue; // realisable in d = M only
        const u0 = Float64Array.from(w.u, (x, i) => x + 1e-5 * Math.sin(i + 1));
        const pw = polishWeights(relu, K, K, 0, u0, K);
        expect(pw.converged).toBe(true);
        let dist = 0;
        for (let i = 0; i < u0.length; i++) dist = Math.max(dist, Math.abs(pw.u[i] - w.u[i]));
        expect(dist).toBeLessThan(1e-9);
        const ref = isWeightSpaceMinimum(relu, K, K, s.Q, s.R, T, K).minimum;
        expect(pw.minimum).toBe(ref);
        if (ref) minima++;
        else saddles++;
      }
    }
    expect(minima).toBeGreaterThan(0);
    expect(saddles).toBeGreaterThan(0);
  });
});
