// Newton polishing of a near-stationary state in weight coordinates (the state u = [R | P], T = I,
// of theory/flow-weights.ts; docs/theory.md §11.8) together with the minimum test at the polished
// point. Solves g(u) = S u + H u* = 0, the weight gradient (docs/theory.md §3:
// dW/dτ = −N ∇_W ε = −(S W + H W*)), whose Jacobian is the symmetric Hessian L = ∇²_u ε
// (theory/hessian.ts, docs/theory.md §11.6):
//  - each factorisation of L + shift·I (Cholesky; LU when it is not positive definite) serves a
//    Newton step (halved until max|g| decreases) and then chord steps u ← u − (L + shift I)⁻¹ g(u)
//    while they shrink max|g| tenfold;
//  - once max|g| ≤ tol, L is built and factorised once more AT the polished point: Cholesky of
//    L + shift·I succeeds ⇔ λ_min(L) > −shift there. L in the state's c = M + p columns is the
//    Hessian of the realisation in rank r plus S ⊗ I_{c−r} (docs/theory.md §11.6), so the test in
//    dimension d adds a Cholesky of S + shift·I when d ≠ c (directions orthogonal to all weights).
// From max|RHS| ≈ 1e-4 a polish usually costs two factorisations of size K(M + p) (400 at
// K = M = 20, d = M) and a handful of gradients.
import type { Activation } from '../activations/index.js';
import { makeWeightHessian } from './hessian.js';
import { makeWeightFlow, type WeightFlow } from './flow-weights.js';
import { choleskyInPlace, choleskySolve } from '../linalg/cholesky.js';
import { luSolve } from '../linalg/lu.js';
import { identity, maxAbs } from '../linalg/vector.js';
import { STABLE_TOL } from '../defaults.js';

export interface WeightPolishResult {
  u: Float64Array;
  /** max|g| at u. */
  norm: number;
  converged: boolean;
  /** Converged and no eigenvalue of ∇²ε in dimension d below −shift (false when not converged). */
  minimum: boolean;
  factorisations: number;
  /** Gradient evaluations (one RHS each). */
  evals: number;
}

export interface WeightPolishOptions {
  /** Converged when max|g| ≤ tol. */
  tol: number;
  /** Newton factorisations at most (the minimum test's is extra). */
  maxFactorisations: number;
  /** The Hessian shift, and the minimum test's threshold −shift. */
  shift: number;
  /** The flow whose gradient is polished (e.g. with WASM products); default a JS makeWeightFlow. */
  flow?: WeightFlow;
}

export const DEFAULT_WEIGHT_POLISH: WeightPolishOptions = { tol: 1e-13, maxFactorisations: 6, shift: STABLE_TOL };

/** The shifted Hessian L + shift·I factorised (Cholesky, or kept for LU), and its solve d = −(L + shift I)⁻¹ g. */
function shiftedFactor(L: Float64Array, n: number, shift: number) {
  for (let i = 0; i < n; i++) L[i * n + i] += shift;
  const A = Float64Array.from(L);
  const chol = choleskyInPlace(A, n);
  if (!chol) A.set(L); // LU is done per solve on a copy (rare path)
  return {
    chol,
    solve(g: Float64Array, d: Float64Array): boolean {
      for (let i = 0; i < n; i++) d[i] = -g[i];
      if (chol) {
        choleskySolve(A, n, d);
        return true;
      }
      return luSolve(Float64Array.from(A), d, n);
    },
  };
}

/**
 * Polishes u (K × (M + p), row-major) towards g(u) = 0 and tests for a minimum in dimension d.
 * Stops when max|g| ≤ tol, after `maxFactorisations` Newton factorisations, or when a Newton step
 * (halved up to 10 times) does not reduce max|g|.
 */
export function polishWeights(act: Activation, K: number, M: number, p: number, u0: ArrayLike<number>, d: number, options: Partial<WeightPolishOptions> = {}): WeightPolishResult {
  const opts = { ...DEFAULT_WEIGHT_POLISH, ...options };
  const c = M + p;
  const n = K * c;
  const flow = opts.flow ?? makeWeightFlow(act, K, M, p);
  const us = new Float64Array(M * c);
  for (let m = 0; m < M; m++) us[m * c + m] = 1;
  const build = makeWeightHessian(act, K, M, c, identity(M));
  const L = new Float64Array(n * n);
  let u = Float64Array.from(u0);
  let ut = new Float64Array(n);
  const g = new Float64Array(n);
  const gt = new Float64Array(n);
  const dir = new Float64Array(n);
  let evals = 0;
  let facts = 0;
  /** g = −du/dτ at x. */
  const grad = (x: Float64Array, out: Float64Array) => {
    flow.rhs(x, out);
    evals++;
    for (let i = 0; i < n; i++) out[i] = -out[i];
  };
  grad(u, g);
  let norm = maxAbs(g);
  while (norm > opts.tol && facts < opts.maxFactorisations && Number.isFinite(norm)) {
    build(u, us, L);
    const fac = shiftedFactor(L, n, opts.shift);
    facts++;
    if (!fac.solve(g, dir)) break;
    let accepted = false;
    for (let a = 1; a > 1e-3; a *= 0.5) {
      for (let i = 0; i < n; i++) ut[i] = u[i] + a * dir[i];
      grad(ut, gt);
      const nt = maxAbs(gt);
      if (nt < norm) {
        [u, ut] = [ut, u];
        g.set(gt);
        norm = nt;
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
    // chord steps on the same factorisation while they converge fast
    while (norm > opts.tol && fac.chol) {
      fac.solve(g, dir);
      for (let i = 0; i < n; i++) ut[i] = u[i] + dir[i];
      grad(ut, gt);
      const nt = maxAbs(gt);
      if (!(nt < norm)) break;
      const fast = nt < 0.1 * norm;
      [u, ut] = [ut, u];
      g.set(gt);
      norm = nt;
      if (!fast) break;
    }
  }
  const converged = norm <= opts.tol;
  let minimum = false;
  if (converged) {
    const S = Float64Array.from(build(u, us, L));
    minimum = shiftedFactor(L, n, opts.shift).chol;
    facts++;
    if (minimum && d !== c) {
      for (let k = 0; k < K; k++) S[k * K + k] += opts.shift;
      minimum = choleskyInPlace(S, K);
    }
  }
  return { u, norm, converged, minimum, factorisations: facts, evals };
}
