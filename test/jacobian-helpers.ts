// Shared by test/jacobian.test.ts and test/hessian.test.ts: the right-hand sides the integrators use,
// a Richardson-extrapolated central-difference Jacobian and random valid (Q, R, T) states.
import type { Activation } from '../src/activations/index.js';
import type { JacobianFlow } from '../src/theory/jacobian.js';
import { makeAlgorithmFlow } from '../src/theory/algorithms.js';
import { makeFlow } from '../src/theory/flow.js';
import { createRng } from '../src/random/rng.js';
import { overlapsOf } from '../src/theory/overlaps.js';

export type Rhs = (y: Float64Array, dy: Float64Array) => void;

/** The right-hand side an integrator sees for `flow` (gd: makeFlow; others: makeAlgorithmFlow). */
export function rhsOf(act: Activation, flow: JacobianFlow, K: number, M: number, T: Float64Array, kappa: number): Rhs {
  const KK = K * K;
  if (flow === 'gd') {
    const f = makeFlow(act, K, M, T);
    return (y, dy) => void f(y.subarray(0, KK), y.subarray(KK), dy.subarray(0, KK), dy.subarray(KK));
  }
  const af = makeAlgorithmFlow(flow, act, K, M, T, { kappa });
  return (y, dy) => void af.evaluate(y, dy);
}

/**
 * Central differences with one Richardson step, (4 D(h/2) − D(h))/3, D(h) = (F(y + h e_j) − F(y − h e_j))/2h,
 * h = scale·max(|y_j|, 1): error O(h⁴).
 */
export function fdJacobian(F: Rhs, y: Float64Array, n: number, scale: number): Float64Array {
  const J = new Float64Array(n * n);
  const fp = new Float64Array(n);
  const fm = new Float64Array(n);
  const D = (j: number, h: number, out: Float64Array) => {
    const yj = y[j];
    y[j] = yj + h;
    F(y, fp);
    y[j] = yj - h;
    F(y, fm);
    y[j] = yj;
    for (let i = 0; i < n; i++) out[i] = (fp[i] - fm[i]) / (2 * h);
  };
  const d1 = new Float64Array(n);
  const d2 = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const h = scale * Math.max(Math.abs(y[j]), 1);
    D(j, h, d1);
    D(j, h / 2, d2);
    for (let i = 0; i < n; i++) J[i * n + j] = (4 * d2[i] - d1[i]) / 3;
  }
  return J;
}

/** max_j max_i |J_ij − F_ij| / max(max_i |F_ij|, 1e-3 max|F|): column-wise relative error. */
export function relErr(J: Float64Array, F: Float64Array, n: number): number {
  let all = 0;
  for (let i = 0; i < n * n; i++) all = Math.max(all, Math.abs(F[i]));
  let worst = 0;
  for (let j = 0; j < n; j++) {
    let e = 0;
    let m = 0;
    for (let i = 0; i < n; i++) {
      e = Math.max(e, Math.abs(J[i * n + j] - F[i * n + j]));
      m = Math.max(m, Math.abs(F[i * n + j]));
    }
    worst = Math.max(worst, e / Math.max(m, 1e-3 * all));
  }
  return worst;
}

export interface State { K: number; M: number; Q: Float64Array; R: Float64Array; T: Float64Array; v: Float64Array; label: string }


/**
 * Valid random states in dimension d = K + M + 2 (so Q ≠ R Rᵀ): orthonormal teacher (T = I),
 * Gaussian teacher (T ≠ I), and a near-degenerate one: student 0 almost along teacher 0
 * (ρ ≈ 0.9997), student 1 almost along student 0 (ρ ≈ 1 − 5e-5), student K−1 tiny (Q ≈ 1e-3).
 */
export function states(K: number, M: number, seed: number): State[] {
  const rng = createRng('jacobian-test', seed, K, M);
  const d = K + M + 2;
  const v = new Float64Array(K);
  for (let k = 0; k < K; k++) v[k] = 0.5 + 0.1 * k;
  const orth = new Float64Array(M * d);
  for (let m = 0; m < M; m++) orth[m * d + m] = Math.sqrt(d);
  const W = new Float64Array(K * d);
  rng.fillNormal(W);
  const out: State[] = [{ ...overlapsOf(W, orth, K, M, d), v, label: 'gaussian, T = I' }];
  const Ws = new Float64Array(M * d);
  rng.fillNormal(Ws);
  out.push({ ...overlapsOf(W, Ws, K, M, d), v, label: 'gaussian, T ≠ I' });
  const Wd = new Float64Array(K * d);
  rng.fillNormal(Wd);
  const z = Wd.slice(0, 2 * d);
  for (let i = 0; i < d; i++) Wd[i] = (i === 0 ? 2 * Math.sqrt(d) : 0) + 0.05 * z[i];
  for (let i = 0; i < d; i++) Wd[d + i] = Wd[i] + 0.02 * z[d + i];
  for (let i = 0; i < d; i++) Wd[(K - 1) * d + i] *= 0.03;
  out.push({ ...overlapsOf(Wd, orth, K, M, d), v, label: 'near-degenerate' });
  return out;
}

