// Newton / Levenberg–Marquardt root finding for F(x) = 0 in float64 (docs/theory.md §6, §11.3): the
// caller's Jacobian (e.g. the analytic one of docs/theory.md §8) or a forward-difference one, Newton step with backtracking line search on ½|F|², and a
// Levenberg–Marquardt step (JᵀJ + μ(diag JᵀJ + I)) d = −Jᵀ F when the Newton step is singular
// or does not decrease |F|.
import { luSolve } from './lu.js';
import { fdJacobian, type Residual } from './jacobian.js';
import { maxAbs } from './vector.js';

/** F writes the residual of x into out; it may return a non-finite residual for invalid x. */
export type { Residual };

export interface NewtonOptions {
  /** Converged when max|F| ≤ tol. */
  tol: number;
  maxIter: number;
  /** Relative finite-difference step for the Jacobian. */
  fdStep: number;
  /** Returns false for points outside the domain (e.g. Q_kk ≤ 0); such steps are shortened. */
  valid?: (x: Float64Array) => boolean;
  /**
   * Writes J (n×n, row-major, J[i·n + j] = ∂F_i/∂x_j) at x, where F(x) = f (e.g. the analytic
   * Jacobian of docs/theory.md §8); default: forward differences with step fdStep.
   */
  jacobian?: (x: Float64Array, f: Float64Array, J: Float64Array) => void;
}

export interface NewtonResult {
  x: Float64Array;
  /** max|F(x)| at the returned x. */
  norm: number;
  iterations: number;
  converged: boolean;
  /** Evaluations of F (the forward-difference Jacobian's included). */
  evals: number;
}

export const DEFAULT_NEWTON: NewtonOptions = { tol: 1e-13, maxIter: 60, fdStep: 1e-7 };

function sumSq(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return s;
}

/** Solves F(x) = 0 from x0 (square system). */
export function newtonSolve(F: Residual, x0: ArrayLike<number>, options: Partial<NewtonOptions> = {}): NewtonResult {
  const opts = { ...DEFAULT_NEWTON, ...options };
  const n = x0.length;
  let evals = 0;
  const Fc: Residual = (x, out) => {
    evals++;
    F(x, out);
  };
  let x = Float64Array.from(x0);
  let f = new Float64Array(n);
  Fc(x, f);
  let norm = maxAbs(f);
  let phi = sumSq(f);
  const J = new Float64Array(n * n);
  const A = new Float64Array(n * n);
  const d = new Float64Array(n);
  const JtJ = new Float64Array(n * n);
  const Jtf = new Float64Array(n);
  let xt = new Float64Array(n);
  let ft = new Float64Array(n);
  let mu = 1e-3;
  let it = 0;
  const ok = (y: Float64Array, fy: Float64Array) => (!opts.valid || opts.valid(y)) && Number.isFinite(sumSq(fy));
  for (; it < opts.maxIter && norm > opts.tol && Number.isFinite(norm); it++) {
    if (opts.jacobian) opts.jacobian(x, f, J);
    else fdJacobian(Fc, x, f, J, opts.fdStep);
    let accepted = false;
    // Newton step with backtracking.
    A.set(J);
    for (let i = 0; i < n; i++) d[i] = -f[i];
    if (luSolve(A, d, n)) {
      for (let alpha = 1; alpha > 1e-4; alpha *= 0.5) {
        for (let i = 0; i < n; i++) xt[i] = x[i] + alpha * d[i];
        if (opts.valid && !opts.valid(xt)) continue;
        Fc(xt, ft);
        const pt = sumSq(ft);
        if (ok(xt, ft) && pt <= (1 - 1e-4 * alpha) * phi) {
          accepted = true;
          break;
        }
      }
    }
    // Levenberg–Marquardt fallback (JᵀJ and Jᵀf built once per iteration).
    if (!accepted) {
      for (let i = 0; i < n; i++) {
        let g = 0;
        for (let r = 0; r < n; r++) g += J[r * n + i] * f[r];
        Jtf[i] = g;
      }
      JtJ.fill(0);
      for (let r = 0; r < n; r++) {
        const ro = r * n;
        for (let i = 0; i < n; i++) {
          const v = J[ro + i];
          if (v === 0) continue;
          const io = i * n;
          for (let j = i; j < n; j++) JtJ[io + j] += v * J[ro + j];
        }
      }
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) JtJ[i * n + j] = JtJ[j * n + i];
    }
    for (let tries = 0; !accepted && tries < 12; tries++) {
      A.set(JtJ);
      for (let i = 0; i < n; i++) d[i] = -Jtf[i];
      for (let i = 0; i < n; i++) A[i * n + i] += mu * (A[i * n + i] + 1);
      if (luSolve(A, d, n)) {
        for (let i = 0; i < n; i++) xt[i] = x[i] + d[i];
        if (!opts.valid || opts.valid(xt)) {
          Fc(xt, ft);
          if (ok(xt, ft) && sumSq(ft) < phi) {
            accepted = true;
            mu = Math.max(mu / 10, 1e-12);
            break;
          }
        }
      }
      mu *= 10;
    }
    if (!accepted) break;
    [x, xt] = [xt, x];
    [f, ft] = [ft, f];
    phi = sumSq(f);
    norm = maxAbs(f);
  }
  return { x, norm, iterations: it, converged: norm <= opts.tol, evals };
}
