// The ensemble hot loop: the inlined ReLU gradients (src/theory/gradients.ts) and the
// row-oriented products of src/theory/flow.ts agree with the generic/textbook forms to round-off.
import { describe, expect, it } from 'vitest';
import { relu } from '../src/activations/relu.js';
import { makeLossGradients } from '../src/theory/gradients.js';
import { makeFlow } from '../src/theory/flow.js';
import { gaussianInit } from '../src/theory/init.js';
import { createRng } from '../src/random/rng.js';
import { randomCovariance } from './helpers.js';

// same closed forms reached through the generic loop (act.I2Partials per pair)
const generic = { ...relu, name: 'relu-generic' } as unknown as typeof relu;

describe('ensemble RHS', () => {
  it('inlined ReLU gradients equal the generic loop (incl. a zero-norm unit)', () => {
    let worst = 0;
    for (const [K, M] of [[1, 1], [3, 4], [8, 8], [11, 10]]) {
      for (let i = 0; i < 4; i++) {
        const init = gaussianInit(K, M, Math.max(M, 12), createRng(9, K, M, i));
        if (i === 3 && K > 1) for (let l = 0; l < K; l++) init.Q[l] = init.Q[l * K] = 0;
        const G1 = new Float64Array(K * K), H1 = new Float64Array(K * M), G2 = new Float64Array(K * K), H2 = new Float64Array(K * M);
        const e1 = makeLossGradients(relu, K, M, init.T)(init.Q, init.R, G1, H1);
        const e2 = makeLossGradients(generic, K, M, init.T)(init.Q, init.R, G2, H2);
        worst = Math.max(worst, Math.abs(e1 - e2), ...G1.map((g, j) => Math.abs(g - G2[j])), ...H1.map((h, j) => Math.abs(h - H2[j])));
      }
    }
    expect(worst).toBeLessThan(1e-13);
    expect(worst).toBeGreaterThanOrEqual(0);
  });

  it('flow equals the textbook products −(SQ + QS + HRᵀ + RHᵀ), −(SR + HT), also for T ≠ I', () => {
    for (const [K, M, useI] of [[4, 3, false], [6, 6, true], [5, 7, false]] as const) {
      const rng = createRng('flow-check', K, M);
      const init = gaussianInit(K, M, M + 2, rng);
      const T = useI ? init.T : randomCovariance(M, rng);
      const G = new Float64Array(K * K), H = new Float64Array(K * M);
      makeLossGradients(generic, K, M, T)(init.Q, init.R, G, H);
      const S = G.map((_, i) => G[i] + G[(i % K) * K + Math.floor(i / K)]);
      const dQ = new Float64Array(K * K), dR = new Float64Array(K * M);
      makeFlow(relu, K, M, T)(init.Q, init.R, dQ, dR);
      const A = (k: number, l: number) => {
        let a = 0;
        for (let j = 0; j < K; j++) a += S[k * K + j] * init.Q[j * K + l];
        for (let m = 0; m < M; m++) a += H[k * M + m] * init.R[l * M + m];
        return a;
      };
      let worst = 0;
      for (let k = 0; k < K; k++) {
        for (let l = 0; l < K; l++) worst = Math.max(worst, Math.abs(dQ[k * K + l] + A(k, l) + A(l, k)));
        for (let m = 0; m < M; m++) {
          let b = 0;
          for (let j = 0; j < K; j++) b += S[k * K + j] * init.R[j * M + m];
          for (let n = 0; n < M; n++) b += H[k * M + n] * T[n * M + m];
          worst = Math.max(worst, Math.abs(dR[k * M + m] + b));
        }
      }
      expect(worst).toBeLessThan(1e-13);
      expect(Math.max(...dR.map(Math.abs))).toBeGreaterThan(1e-3); // a real, non-trivial RHS
    }
  });
});
