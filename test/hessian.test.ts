// The analytic weight-space Hessian and the d-independent minimum test (src/theory/hessian.ts,
// docs/theory.md §11.6) against the finite-difference Hessian (test/oracles/weight-hessian-fd.ts),
// the family points of results/levels.csv, and the Cholesky helpers of src/linalg/cholesky.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { getActivation } from '../src/activations/index.js';
import { isWeightSpaceMinimum, weightHessian } from '../src/theory/hessian.js';
import { hessianSpectrum } from '../src/theory/stability.js';
import { symmetricEigenvalues } from '../src/linalg/eigen.js';
import { choleskyInPlace, choleskyPsd, choleskySolve, isPositiveDefinite } from '../src/linalg/cholesky.js';
import { expandAnsatz, familyGrouping, makeAnsatz } from '../src/theory/ansatz.js';
import { polishFixedPoint, solveFamily } from '../src/theory/fixed-points.js';
import { identity } from '../src/linalg/vector.js';
import { weightHessianFd } from './oracles/weight-hessian-fd.js';
import { states } from './jacobian-helpers.js';

const relu = getActivation('relu');

/** Branch-0 fixed point of family n at K = M = 8 from results/levels.csv (ansatz parameters), polished. */
function levelPoint(n: number) {
  const rows = parse(readFileSync(new URL('../results/levels.csv', import.meta.url)), { columns: true }) as Record<string, string>[];
  const row = rows.find((r) => r.K === '8' && r.M === '8' && r.n === String(n) && r.branch === '0')!;
  const a = makeAnsatz(familyGrouping(8, 8, n));
  const p = a.names.map((nm) => Number(row[nm]));
  const Q = new Float64Array(64);
  const R = new Float64Array(64);
  expandAnsatz(a, p, Q, R);
  const pol = polishFixedPoint(relu, 8, 8, Q, R, identity(8));
  return { ...pol, level: Number(row.loss), stable: row.stable === '1', minEig: Number(row.min_eig) };
}

describe('analytic weight-space Hessian', () => {
  it('equals the central-difference Hessian on random valid states (K ≠ M, T ≠ I, near-degenerate)', () => {
    for (const actName of ['relu', 'leaky-relu', 'erf']) {
      const act = getActivation(actName, 0.1);
      for (const [K, M] of [[5, 3], [3, 4]]) {
        for (const s of states(K, M, 3 * K + M)) {
          const N = K + M + 1;
          const La = weightHessian(act, K, M, s.Q, s.R, s.T, N);
          const Lf = weightHessianFd(act, K, M, s.Q, s.R, s.T, N);
          let err = 0;
          let scale = 0;
          for (let i = 0; i < La.length; i++) {
            err = Math.max(err, Math.abs(La[i] - Lf[i]));
            scale = Math.max(scale, Math.abs(Lf[i]));
          }
          // the finite differences (h = 1e-5) carry O(h²/σ³) error at the near-degenerate state
          expect(err / scale, `${actName} K=${K} M=${M} ${s.label}`).toBeLessThan(s.label === 'near-degenerate' ? 1e-4 : 1e-7);
        }
      }
    }
  });
});

describe('Cholesky (src/linalg/cholesky.ts)', () => {
  it('solves, tests definiteness, and factorises semidefinite matrices with zero pivots', () => {
    const n = 5;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = 1 / (1 + i + j) + (i === j ? 1 : 0);
    const b = Float64Array.from([1, 2, 3, 4, 5]);
    const C = Float64Array.from(A);
    expect(choleskyInPlace(C, n)).toBe(true);
    const x = Float64Array.from(b);
    choleskySolve(C, n, x);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
      expect(Math.abs(s - b[i])).toBeLessThan(1e-13);
    }
    const B = Float64Array.from(A);
    B[0] = -1;
    expect(choleskyInPlace(B, n)).toBe(false);
    // diag(2, −1e-8): not definite, but definite after a shift of 1e-7 (λ_min > −1e-7)
    expect(isPositiveDefinite([2, 0, 0, -1e-8], 2)).toBe(false);
    expect(isPositiveDefinite([2, 0, 0, -1e-8], 2, 1e-7)).toBe(true);
    expect(isPositiveDefinite([2, 0, 0, -2e-7], 2, 1e-7)).toBe(false);
    // v vᵀ + w wᵀ in 3 dimensions: rank 2, the zero pivot's column left zero
    const v = [1, 2, 3];
    const w = [0, 1, -1];
    const P = new Float64Array(9);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) P[i * 3 + j] = v[i] * v[j] + w[i] * w[j];
    const f = choleskyPsd(P, 3)!;
    expect(f.rank).toBe(2);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += f.L[i * 3 + k] * f.L[j * 3 + k];
        expect(Math.abs(s - P[i * 3 + j])).toBeLessThan(1e-12);
        if (j > i) expect(f.L[i * 3 + j]).toBe(0);
      }
    P[8] -= 0.1;
    expect(choleskyPsd(P, 3)).toBeNull();
  });
});

describe('minimum test independent of d', () => {
  it('K = M = 8 (levels.csv branch 0): minima for n = 1, 2, 6, 7, saddles for n = 3, 4, 5, as the spectrum says', () => {
    const K = 8;
    const T = identity(8);
    const expected: Record<number, boolean> = { 1: true, 2: true, 3: false, 4: false, 5: false, 6: true, 7: true };
    for (let n = 1; n <= 7; n++) {
      const p = levelPoint(n);
      expect(p.ok).toBe(true);
      expect(Math.abs(p.loss - p.level)).toBeLessThan(1e-9);
      expect(p.stable).toBe(expected[n]);
      const hs = hessianSpectrum(relu, K, K, p.Q, p.R, T, K + K + 1, 1);
      // the analytic spectrum reproduces the committed (finite-difference era) min_eig of levels.csv
      expect(Math.abs(hs.minEig - p.minEig)).toBeLessThan(1e-8);
      // d = M, d = K + M + 1 and a huge d = 1000: the same answer, at the cost of K·r rows
      for (const d of [K, K + K + 1, 1000]) {
        const mt = isWeightSpaceMinimum(relu, K, K, p.Q, p.R, T, d);
        expect(mt.minimum, `n=${n} d=${d}`).toBe(expected[n]);
        expect(mt.size).toBeLessThanOrEqual(K * (2 * K));
      }
      expect(isWeightSpaceMinimum(relu, K, K, p.Q, p.R, T, K + K + 1).minimum).toBe(hs.minEig > -1e-7);
      // against the finite-difference Hessian's smallest eigenvalue
      const Lf = weightHessianFd(relu, K, K, p.Q, p.R, T, K + K + 1);
      expect(Math.abs(symmetricEigenvalues(Lf, K * (2 * K + 1), 1)[0] - hs.minEig)).toBeLessThan(1e-7);
    }
  });

  it('every solveFamily solution at K = M = 6 gets the spectrum\'s decision, for d = M and d = K + M + 1', () => {
    const K = 6;
    const T = identity(K);
    let checked = 0;
    for (let n = 1; n <= 5; n++) {
      for (const s of solveFamily(relu, K, K, n)) {
        for (const d of [K, 2 * K + 1]) {
          let ref: number;
          try {
            ref = hessianSpectrum(relu, K, K, s.Q, s.R, T, d, 1).minEig;
          } catch {
            ref = hessianSpectrum(relu, K, K, s.Q, s.R, T, 2 * K + 1, 1).minEig; // d below the rank: K + M + 1
          }
          expect(isWeightSpaceMinimum(relu, K, K, s.Q, s.R, T, d).minimum, `n=${n} loss=${s.loss} d=${d}`).toBe(ref > -1e-7);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});
