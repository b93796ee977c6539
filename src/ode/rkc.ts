// Second-order Runge–Kutta–Chebyshev steps (RKC2, damped Chebyshev stability polynomial;
// docs/theory.md §11.7) for stiff problems whose Jacobian spectrum lies near the negative real
// axis — as for the gradient flows of docs/theory.md §3, whose Jacobian is similar to minus a
// symmetric Hessian (§8.6). An s-stage step is stable for h·ρ ≤ β(s) ≈ 0.65 s² (ρ the spectral
// radius), so the cost per unit time falls like 1/s, against a fixed h·ρ ≲ 3.3 for Dormand–Prince 5(4).
//
// Scheme (our implementation of the classical construction): with Chebyshev polynomials T_j,
// damping ε, w0 = 1 + ε/s², w1 = T_s′(w0)/T_s″(w0), b_j = T_j″(w0)/T_j′(w0)² (j ≥ 2), b_0 = b_1 = b_2,
// a_j = 1 − b_j T_j(w0):
//   Y_0 = y_n,  Y_1 = Y_0 + μ̃_1 h F(Y_0),  μ̃_1 = b_1 w1
//   Y_j = (1 − μ_j − ν_j) Y_0 + μ_j Y_{j−1} + ν_j Y_{j−2} + μ̃_j h F(Y_{j−1}) + γ̃_j h F(Y_0)   (j = 2..s)
//   μ_j = 2 b_j w0/b_{j−1},  ν_j = −b_j/b_{j−2},  μ̃_j = 2 b_j w1/b_{j−1},  γ̃_j = −a_{j−1} μ̃_j
//   y_{n+1} = Y_s,  stage times c_j = w1 T_j″(w0)/T_j′(w0) (j ≥ 2), c_1 = c_2/T_2′(w0), c_s = 1.
// Its stability polynomial is P_s(z) = a_s + b_s T_s(w0 + w1 z), which matches e^z to second order;
// |P_s| ≤ 1 on [−β(s), 0] with β(s) = (1 + w0)/w1. The local error is estimated by
//   est = (12 (y_n − y_{n+1}) + 6 h (F(y_n) + F(y_{n+1})))/15,
// the defect of the cubic Hermite interpolant (O(h³)), which needs F(y_{n+1}) — computed anyway
// for the next step (FSAL).
import type { OdeRhs } from './steppers.js';

/** Chebyshev coefficients of one s-stage RKC2 step (index j = 0..s). */
export interface RkcCoefficients {
  s: number;
  /** Stability boundary β(s) = (1 + w0)/w1. */
  beta: number;
  mu: Float64Array;
  nu: Float64Array;
  muT: Float64Array;
  gammaT: Float64Array;
  /** Stage times c_j (c_0 = 0, c_s = 1). */
  c: Float64Array;
}

/**
 * The coefficients for s stages (s ≥ 2) and damping ε, from T_j, T_j′, T_j″ at w0 by the three-term
 * recurrences T_j = 2x T_{j−1} − T_{j−2}, T_j′ = 2T_{j−1} + 2x T′_{j−1} − T′_{j−2},
 * T_j″ = 4T′_{j−1} + 2x T″_{j−1} − T″_{j−2}.
 */
export function rkcCoefficients(s: number, damping = 2 / 13): RkcCoefficients {
  if (!(s >= 2)) throw new RangeError(`RKC2 needs s ≥ 2 stages, got ${s}`);
  const w0 = 1 + damping / (s * s);
  const T = new Float64Array(s + 1);
  const T1 = new Float64Array(s + 1);
  const T2 = new Float64Array(s + 1);
  T[0] = 1;
  T[1] = w0;
  T1[1] = 1;
  for (let j = 2; j <= s; j++) {
    T[j] = 2 * w0 * T[j - 1] - T[j - 2];
    T1[j] = 2 * T[j - 1] + 2 * w0 * T1[j - 1] - T1[j - 2];
    T2[j] = 4 * T1[j - 1] + 2 * w0 * T2[j - 1] - T2[j - 2];
  }
  const w1 = T1[s] / T2[s];
  const b = new Float64Array(s + 1);
  for (let j = 2; j <= s; j++) b[j] = T2[j] / (T1[j] * T1[j]);
  b[0] = b[1] = b[2];
  const a = (j: number) => 1 - b[j] * T[j];
  const mu = new Float64Array(s + 1);
  const nu = new Float64Array(s + 1);
  const muT = new Float64Array(s + 1);
  const gammaT = new Float64Array(s + 1);
  const c = new Float64Array(s + 1);
  muT[1] = b[1] * w1;
  for (let j = 2; j <= s; j++) {
    mu[j] = (2 * b[j] * w0) / b[j - 1];
    nu[j] = -b[j] / b[j - 2];
    muT[j] = (2 * b[j] * w1) / b[j - 1];
    gammaT[j] = -a(j - 1) * muT[j];
    c[j] = (w1 * T2[j]) / T1[j];
  }
  c[1] = c[2] / T1[2];
  c[s] = 1;
  return { s, beta: (1 + w0) / w1, mu, nu, muT, gammaT, c };
}

export interface Rkc2 {
  /** Largest stage count available. */
  maxStages: number;
  /** Stability boundary β(s). */
  beta(s: number): number;
  /** The fewest stages (≥ 2) with β(s) ≥ hρ, or maxStages when none is enough. */
  stagesFor(hRho: number): number;
  /**
   * One s-stage step of size h from (t, y) with F0 = F(t, y): writes y_{n+1} into `out` and
   * F(t + h, y_{n+1}) into `Fout`; returns the RMS error norm
   * √(mean((est_i / (atol + rtol·max(|y_i|, |out_i|)))²)).
   */
  step(f: OdeRhs, t: number, y: Float64Array, F0: Float64Array, h: number, s: number, out: Float64Array, Fout: Float64Array, rtol: number, atol: number): number;
}

/** Coefficient tables by damping, extended on demand (shared by all steppers of the process). */
const TABLES = new Map<number, RkcCoefficients[]>();

/** rkcCoefficients(s, damping) for s = 2..maxStages, memoised. */
function coefficientTable(maxStages: number, damping: number): RkcCoefficients[] {
  let t = TABLES.get(damping);
  if (!t) TABLES.set(damping, (t = []));
  for (let s = 2; s <= maxStages; s++) t[s] ??= rkcCoefficients(s, damping);
  return t;
}

/** An RKC2 stepper for states of length n, with coefficient tables for s = 2..maxStages (damping ε). */
export function makeRkc2(n: number, maxStages = 200, damping = 2 / 13): Rkc2 {
  const table = coefficientTable(maxStages, damping);
  const yjm1 = new Float64Array(n);
  const yjm2 = new Float64Array(n);
  const fj = new Float64Array(n);
  const beta = (s: number) => table[s].beta;
  const stagesFor = (hRho: number): number => {
    for (let s = 2; s <= maxStages; s++) if (table[s].beta >= hRho) return s;
    return maxStages;
  };
  function step(f: OdeRhs, t: number, y: Float64Array, F0: Float64Array, h: number, s: number, out: Float64Array, Fout: Float64Array, rtol: number, atol: number): number {
    const c = table[s];
    let ym2 = yjm2;
    let ym1 = yjm1;
    // Y_1 = Y_0 + μ̃_1 h F_0 (kept in ym1; ym2 holds Y_0 for j = 2)
    const h1 = c.muT[1] * h;
    for (let i = 0; i < n; i++) {
      ym2[i] = y[i];
      ym1[i] = y[i] + h1 * F0[i];
    }
    for (let j = 2; j <= s; j++) {
      f(t + c.c[j - 1] * h, ym1, fj);
      const mu = c.mu[j];
      const nu = c.nu[j];
      const one = 1 - mu - nu;
      const hm = c.muT[j] * h;
      const hg = c.gammaT[j] * h;
      // Y_j overwrites Y_{j−2} (the last stage goes straight to out)
      const dst = j === s ? out : ym2;
      for (let i = 0; i < n; i++) dst[i] = one * y[i] + mu * ym1[i] + nu * ym2[i] + hm * fj[i] + hg * F0[i];
      if (j < s) {
        const tmp = ym2;
        ym2 = ym1;
        ym1 = tmp;
      }
    }
    f(t + h, out, Fout);
    let err = 0;
    for (let i = 0; i < n; i++) {
      const e = (12 * (y[i] - out[i]) + 6 * h * (F0[i] + Fout[i])) / 15;
      const sc = atol + rtol * Math.max(Math.abs(y[i]), Math.abs(out[i]));
      err += (e / sc) * (e / sc);
    }
    return Math.sqrt(err / n);
  }
  return { maxStages, beta, stagesFor, step };
}

/**
 * Spectral radius of ∂F/∂y at (t, y) by the nonlinear power method: v ← (F(y + δ v̂) − F(y))/δ with
 * v̂ = v/|v|, δ = √ε_mach·(1 + |y|), until two successive |v| agree to `rel` or `maxIter` steps.
 * `v` is the start vector (a previous eigenvector estimate; |v| = 0 uses F(y) and then a fixed
 * vector) and receives the final direction. Returns the estimate and the RHS evaluations used.
 */
export function spectralRadius(
  f: OdeRhs, t: number, y: Float64Array, Fy: Float64Array, v: Float64Array, work: [Float64Array, Float64Array],
  maxIter = 20, rel = 0.01,
): { rho: number; evals: number } {
  const n = y.length;
  const [z, fz] = work;
  let vn = norm2(v);
  if (!(vn > 0)) {
    for (let i = 0; i < n; i++) v[i] = Fy[i];
    vn = norm2(v);
    if (!(vn > 0)) {
      for (let i = 0; i < n; i++) v[i] = 1 + (i % 7) * 0.1;
      vn = norm2(v);
    }
  }
  const delta = Math.sqrt(2.2e-16) * (1 + norm2(y));
  let rho = 0;
  let evals = 0;
  for (let it = 0; it < maxIter; it++) {
    const sc = delta / vn;
    for (let i = 0; i < n; i++) z[i] = y[i] + sc * v[i];
    f(t, z, fz);
    evals++;
    for (let i = 0; i < n; i++) v[i] = (fz[i] - Fy[i]) / delta;
    vn = norm2(v);
    const prev = rho;
    rho = vn;
    if (!(vn > 0)) break;
    if (it > 0 && Math.abs(rho - prev) <= rel * rho) break;
  }
  return { rho, evals };
}

/** Euclidean norm √(Σ v_i²). */
function norm2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}
