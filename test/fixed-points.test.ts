import { describe, expect, it } from 'vitest';
import { getActivation } from '../src/activations/index.js';
import { expandAnsatz, familyGrouping, makeAnsatz, makeReducedFlow } from '../src/theory/ansatz.js';
import { polishFixedPoint, solveFamily } from '../src/theory/fixed-points.js';
import { makeFlow } from '../src/theory/flow.js';
import { overlapsOf } from '../src/theory/overlaps.js';
import { classify } from '../src/theory/classify.js';
import { realise } from '../src/theory/realise.js';
import { createRng } from '../src/random/rng.js';
import { evaluateFlow } from '../src/theory/flow.js';
import { identity, maxAbs } from '../src/linalg/vector.js';

const act = getActivation('relu', 0);

describe('block-symmetric ansatz', () => {
  it('has 11 unknowns for K = M with both groups ≥ 2, fewer for 1×1 blocks, 17 for K = M + 1', () => {
    expect(makeAnsatz(familyGrouping(7, 7, 2)).names.length).toBe(11);
    expect(makeAnsatz(familyGrouping(7, 7, 1)).names.length).toBe(9); // no q_aa_o, r_aa_o
    expect(makeAnsatz(familyGrouping(8, 7, 2)).names.length).toBe(16); // + q_ax q_px q_xx_d r_xa r_xp
    expect(makeAnsatz(familyGrouping(9, 7, 2)).names.length).toBe(17); // + q_xx_o
  });

  it('reduced RHS = class averages of the full RHS, and the full RHS is constant on each class', () => {
    for (const [K, M, n] of [[7, 7, 2], [6, 5, 2], [5, 4, 1]]) {
      const a = makeAnsatz(familyGrouping(K, M, n));
      const T = identity(M);
      const rng = createRng(7, 'ansatz', K, M, n);
      // a PSD-ish ansatz point: diagonals near 1, small off-diagonals
      const p = a.names.map((nm) => (nm.endsWith('_d') && nm.startsWith('q') ? 1 + 0.2 * rng.uniform() : nm === 'r_pp_d' ? 0.8 : nm === 'r_aa_d' ? -0.5 : 0.1 * (rng.uniform() - 0.5)));
      const Q = new Float64Array(K * K);
      const R = new Float64Array(K * M);
      expandAnsatz(a, p, Q, R);
      const dQ = new Float64Array(K * K);
      const dR = new Float64Array(K * M);
      makeFlow(act, K, M, T)(Q, R, dQ, dR);
      const reduced = new Float64Array(a.names.length);
      makeReducedFlow(act, a, T)(p, reduced);
      // independent class bookkeeping: min and max of the full RHS over each class
      const lo = new Float64Array(a.names.length).fill(Infinity);
      const hi = new Float64Array(a.names.length).fill(-Infinity);
      for (let i = 0; i < K * K; i++) { lo[a.qClass[i]] = Math.min(lo[a.qClass[i]], dQ[i]); hi[a.qClass[i]] = Math.max(hi[a.qClass[i]], dQ[i]); }
      for (let i = 0; i < K * M; i++) { lo[a.rClass[i]] = Math.min(lo[a.rClass[i]], dR[i]); hi[a.rClass[i]] = Math.max(hi[a.rClass[i]], dR[i]); }
      for (let c = 0; c < reduced.length; c++) {
        expect(hi[c] - lo[c]).toBeLessThan(1e-13);
        expect(Math.abs(reduced[c] - lo[c])).toBeLessThan(1e-13);
      }
      expect(maxAbs(reduced)).toBeGreaterThan(1e-3); // a generic point is not stationary
    }
  });
});

describe('fixed points', () => {
  it('K = M = 7, n = 1: solution satisfies the full system to 1e-10 and is a local minimum of family 1', () => {
    const sols = solveFamily(act, 7, 7, 1).filter((s) => s.familyN === 1);
    expect(sols.length).toBeGreaterThan(0);
    const s = sols[0];
    const T = identity(7);
    const { loss, rhsNorm } = evaluateFlow(act, 7, 7, s.Q, s.R, T);
    expect(rhsNorm).toBeLessThanOrEqual(1e-10);
    expect(loss).toBeCloseTo(0.023202714913567, 12);
    expect(s.psd).toBe(true);
    const c = classify(7, 7, s.Q, s.R, loss, rhsNorm);
    expect(c.cls).toBe('local');
    expect(c.familyN).toBe(1);
    expect(s.params.r_aa_d).toBeLessThan(-0.3);
    expect(s.params.r_pp_d).toBeGreaterThan(0.9);
  });

  it('finds the global minimum Q = R = T = I with loss 0 (family 0)', () => {
    const sols = solveFamily(act, 5, 5, 0);
    expect(sols.length).toBeGreaterThan(0);
    const g = sols[0];
    expect(Math.abs(g.loss)).toBeLessThan(1e-12);
    expect(maxAbs(g.Q.map((v, i) => v - identity(5)[i]))).toBeLessThan(1e-8);
    expect(maxAbs(g.R.map((v, i) => v - identity(5)[i]))).toBeLessThan(1e-8);
  });

  it('polishFixedPoint returns a perturbed K = M = 8, n = 1 point to the same level', () => {
    const K = 8;
    const T = identity(K);
    const s = solveFamily(act, K, K, 1).filter((p) => p.familyN === 1)[0];
    const rng = createRng(3, 'polish');
    const Q = Float64Array.from(s.Q);
    const R = Float64Array.from(s.R);
    for (let k = 0; k < K; k++) for (let l = k; l < K; l++) Q[k * K + l] = Q[l * K + k] = Q[k * K + l] + 1e-4 * rng.normal();
    for (let i = 0; i < R.length; i++) R[i] += 1e-4 * rng.normal();
    expect(evaluateFlow(act, K, K, Q, R, T).rhsNorm).toBeGreaterThan(1e-6);
    const pol = polishFixedPoint(act, K, K, Q, R, T);
    expect(pol.ok).toBe(true);
    expect(pol.rhsNorm).toBeLessThanOrEqual(1e-10);
    expect(Math.abs(pol.loss - s.loss)).toBeLessThan(1e-12);
    expect(maxAbs(pol.R.map((v, i) => v - s.R[i]))).toBeLessThan(1e-8);
  });
});

describe('realise', () => {
  it('reproduces (Q, R, T) from explicit weights, also for rank-deficient Ω', () => {
    const K = 6;
    const s = solveFamily(act, K, K, 1).filter((p) => p.familyN === 1)[0];
    for (const [Q, R] of [[s.Q, s.R], [identity(K), identity(K)]]) {
      const N = 2 * K + 1;
      const { W, Wstar } = realise(K, K, Q, R, identity(K), N);
      const o = overlapsOf(W, Wstar, K, K, N);
      expect(maxAbs(o.Q.map((v, i) => v - Q[i]))).toBeLessThan(1e-12);
      expect(maxAbs(o.R.map((v, i) => v - R[i]))).toBeLessThan(1e-12);
      expect(maxAbs(o.T.map((v, i) => v - identity(K)[i]))).toBeLessThan(1e-14);
    }
    // not PSD: |R_00| > √(Q_00 T_00)
    expect(() => realise(1, 1, [1], [1.1], [1], 3)).toThrow(/positive semidefinite/);
  });
});
