import { describe, expect, it } from 'vitest';
import { getActivation } from '../src/activations/index.js';
import { solveFamily } from '../src/theory/fixed-points.js';
import { hessianSpectrum, weightHessian } from '../src/theory/stability.js';
import { symmetricEigenvalues } from '../src/linalg/eigen.js';
import { populationLoss } from '../src/theory/loss.js';
import { realise } from '../src/theory/realise.js';
import { createRng } from '../src/random/rng.js';
import { perturbationTest } from '../src/ode/perturbation.js';
import { identity } from '../src/linalg/vector.js';

const act = getActivation('relu', 0);

describe('symmetric eigenvalues', () => {
  it('recovers the spectrum of V diag(λ) Vᵀ with a random orthogonal V', () => {
    const n = 30;
    const rng = createRng(11, 'eig');
    // random orthogonal V by Gram–Schmidt
    const V = new Float64Array(n * n);
    rng.fillNormal(V);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        let d = 0;
        for (let k = 0; k < n; k++) d += V[i * n + k] * V[j * n + k];
        for (let k = 0; k < n; k++) V[i * n + k] -= d * V[j * n + k];
      }
      let s = 0;
      for (let k = 0; k < n; k++) s += V[i * n + k] ** 2;
      for (let k = 0; k < n; k++) V[i * n + k] /= Math.sqrt(s);
    }
    const lam = Array.from({ length: n }, (_, i) => (i - 10) * 0.37 + (i === 3 ? 1e-3 : 0));
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += V[k * n + i] * lam[k] * V[k * n + j];
      A[i * n + j] = s;
    }
    const eig = symmetricEigenvalues(A, n);
    const sorted = [...lam].sort((a, b) => a - b);
    for (let i = 0; i < n; i++) expect(Math.abs(eig[i] - sorted[i])).toBeLessThan(1e-12);
    expect(symmetricEigenvalues(A, n, 2).length).toBe(2);
  });
});

describe('weight-space Hessian', () => {
  it('matches second differences of ε along random directions', () => {
    const K = 4;
    const M = 4;
    const N = K + M + 1;
    const T = identity(M);
    const s = solveFamily(act, K, M, 1).filter((p) => p.familyN === 1)[0];
    const L = weightHessian(act, K, M, s.Q, s.R, T, N);
    const { W, Wstar } = realise(K, M, s.Q, s.R, T, N);
    const u = W.map((v) => v / Math.sqrt(N));
    const us = Wstar.map((v) => v / Math.sqrt(N));
    const lossAt = (x: Float64Array) => {
      const Q = new Float64Array(K * K);
      const R = new Float64Array(K * M);
      for (let k = 0; k < K; k++) {
        for (let l = 0; l < K; l++) for (let i = 0; i < N; i++) Q[k * K + l] += x[k * N + i] * x[l * N + i];
        for (let m = 0; m < M; m++) for (let i = 0; i < N; i++) R[k * M + m] += x[k * N + i] * us[m * N + i];
      }
      return populationLoss(act, K, M, Q, R, T);
    };
    const rng = createRng(5, 'hess');
    const D = K * N;
    for (let t = 0; t < 3; t++) {
      const v = new Float64Array(D);
      rng.fillNormal(v);
      let quad = 0;
      for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) quad += v[i] * L[i * D + j] * v[j];
      const h = 1e-4;
      const second = (lossAt(u.map((x, i) => x + h * v[i])) - 2 * lossAt(u) + lossAt(u.map((x, i) => x - h * v[i]))) / (h * h);
      expect(Math.abs(quad - second)).toBeLessThan(1e-5 * Math.max(1, Math.abs(quad)));
    }
  });

  it('K = M = 6, n = 1 is a strict minimum; K = M = 4, n = 1 is a saddle', () => {
    const T6 = identity(6);
    const s6 = solveFamily(act, 6, 6, 1).filter((p) => p.familyN === 1)[0];
    expect(hessianSpectrum(act, 6, 6, s6.Q, s6.R, T6).minEig).toBeGreaterThan(1e-3);
    const s4 = solveFamily(act, 4, 4, 1).filter((p) => p.familyN === 1)[0];
    expect(hessianSpectrum(act, 4, 4, s4.Q, s4.R, identity(4)).minEig).toBeLessThan(-1e-2);
  });
});

describe('perturbation test (Appendix D)', () => {
  it('returns to a stable level and escapes a saddle', () => {
    const T = identity(6);
    const s = solveFamily(act, 6, 6, 1).filter((p) => p.familyN === 1)[0];
    const res = perturbationTest(act, 6, 6, s.Q, s.R, T, s.loss, { seeds: 2, delta: 1e-3, tauMax: 2e4 });
    expect(res.returned).toBe(2);
    for (const r of res.runs) expect(Math.abs(r.gap)).toBeLessThan(1e-8);
    const T4 = identity(4);
    const s4 = solveFamily(act, 4, 4, 1).filter((p) => p.familyN === 1)[0];
    const res4 = perturbationTest(act, 4, 4, s4.Q, s4.R, T4, s4.loss, { seeds: 2, delta: 1e-3, tauMax: 2e4 });
    for (const r of res4.runs) expect(r.gap).toBeLessThan(-1e-3);
  });
});
