// The dense Lyapunov solver of src/linalg/lyapunov.ts (docs/theory.md §9.3): A X + X Aᵀ + Q = 0 checked
// by its residual on stiff, non-normal stable matrices with complex eigenvalues, against the
// Kronecker-product linear system, and null for an unstable A.
import { describe, expect, it } from 'vitest';
import { lyapunovResidual, solveLyapunov } from '../src/linalg/lyapunov.js';
import { matMul } from '../src/linalg/matrix.js';
import { solveMany } from '../src/linalg/lu.js';
import { identity } from '../src/linalg/vector.js';
import { symmetricEigenvalues } from '../src/linalg/eigen.js';
import { createRng, type Rng } from '../src/random/rng.js';

/** A = S D S⁻¹ with D block-diagonal: real eigenvalues −λ and 2×2 blocks [[−a, b], [−b, −a]]. */
function stableMatrix(n: number, rng: Rng, eigs: number[], rot: [number, number][]): Float64Array {
  const D = new Float64Array(n * n);
  let i = 0;
  for (const [a, b] of rot) {
    D[i * n + i] = D[(i + 1) * n + i + 1] = -a;
    D[i * n + i + 1] = b;
    D[(i + 1) * n + i] = -b;
    i += 2;
  }
  for (const l of eigs) {
    D[i * n + i] = -l;
    i++;
  }
  const S = identity(n);
  for (let j = 0; j < n * n; j++) S[j] += 0.4 * rng.normal();
  return matMul(matMul(S, D, n, n, n), solveMany(S, identity(n), n, n)!, n, n, n);
}

function randomPsd(n: number, rng: Rng): Float64Array {
  const B = new Float64Array(n * n);
  for (let j = 0; j < n * n; j++) B[j] = rng.normal();
  const Q = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) for (let t = 0; t < n; t++) Q[a * n + b] += B[a * n + t] * B[b * n + t];
  return Q;
}

describe('solveLyapunov', () => {
  it('solves a stiff non-normal system with complex eigenvalues to round-off (direct residual check)', () => {
    const n = 12;
    const rng = createRng(11, 'lyap');
    const A = stableMatrix(n, rng, [1e-3, 0.02, 0.5, 2, 10, 40], [[0.05, 3], [1, 0.5], [0.002, 0.1]]);
    const Q = randomPsd(n, rng);
    const res = solveLyapunov(A, Q, n);
    expect(res).not.toBeNull();
    const X = res!.X;
    let xmax = 0;
    for (const v of X) xmax = Math.max(xmax, Math.abs(v));
    let amax = 0;
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += Math.abs(A[r * n + c]);
      amax = Math.max(amax, s);
    }
    // the residual computed here, independently of the solver's own report
    expect(lyapunovResidual(A, X, Q, n) / (amax * xmax)).toBeLessThan(1e-12);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) expect(X[a * n + b]).toBe(X[b * n + a]);
    // Q ⪰ 0 and A stable ⇒ X = ∫ e^{Aτ} Q e^{Aᵀτ} dτ ⪰ 0
    expect(symmetricEigenvalues(X, n, 1)[0]).toBeGreaterThan(-1e-10 * xmax);
  });

  it('agrees with the Kronecker system (I ⊗ A + A ⊗ I) vec X = −vec Q', () => {
    const n = 5;
    const rng = createRng(12, 'lyap');
    const A = stableMatrix(n, rng, [0.1, 1, 5], [[0.3, 2]]);
    const Q = randomPsd(n, rng);
    const K = new Float64Array(n ** 4);
    // (A X + X Aᵀ)_ij = Σ_k A_ik X_kj + X_ik A_jk, unknown X_kl at index k·n + l
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        for (let k = 0; k < n; k++) {
          K[(i * n + j) * n * n + k * n + j] += A[i * n + k];
          K[(i * n + j) * n * n + i * n + k] += A[j * n + k];
        }
    const x = solveMany(K, Q.map((v) => -v), n * n, 1)!;
    const X = solveLyapunov(A, Q, n)!.X;
    let xmax = 0;
    let diff = 0;
    for (let i = 0; i < n * n; i++) {
      xmax = Math.max(xmax, Math.abs(x[i]));
      diff = Math.max(diff, Math.abs(X[i] - x[i]));
    }
    expect(diff / xmax).toBeLessThan(1e-9);
  });

  it('returns null for an unstable or singular A', () => {
    const n = 6;
    const rng = createRng(13, 'lyap');
    const A = stableMatrix(n, rng, [-0.01, 1, 2, 3], [[1, 1]]); // one eigenvalue +0.01
    expect(solveLyapunov(A, randomPsd(n, rng), n)).toBeNull();
    const Z = stableMatrix(n, rng, [0, 1, 2, 3], [[1, 1]]);
    Z.fill(0, 0, n); // first row zero: singular
    expect(solveLyapunov(Z, randomPsd(n, rng), n)).toBeNull();
  });
});
