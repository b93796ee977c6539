// The interface every activation provides (docs/theory.md §2).

/** Closed-form Gaussian integrals for one activation g. */
export interface Activation {
  readonly name: ActivationName;
  /** g(z) */
  g(z: number): number;
  /** g′(z) */
  gPrime(z: number): number;
  /** I2(a, b, c) = E[g(u) g(v)], var u = a, var v = b, cov(u, v) = c. */
  I2(a: number, b: number, c: number): number;
  /**
   * Writes [I2, ∂I2/∂a, ∂I2/∂b, ∂I2/∂c] into out[0..3] (one call, shared transcendentals).
   */
  I2Partials(a: number, b: number, c: number, out: Float64Array): void;
  /**
   * Writes [I2, ∂a, ∂b, ∂c, ∂aa, ∂ab, ∂ac, ∂bb, ∂bc, ∂cc] of I2 at (a, b, c) into out[0..9]
   * (docs/theory.md §8.4), for the analytic flow Jacobian (§8) and weight-space Hessian (§11.6).
   * Optional: activations/second.ts falls back to central differences of I2Partials.
   */
  I2Second?(a: number, b: number, c: number, out: Float64Array): void;
  /**
   * σ″(q) = d²/dq² ½ I2(q, q, q), the curvature of a unit's self-term (docs/theory.md §3, §8.3).
   * Optional, with the same fallback (activations/second.ts).
   */
  selfSecond?(q: number): number;
  /**
   * I3 = E[g′(u) v g(w)] for covariance C of (u, v, w); C_vv does not enter.
   */
  I3(Cuu: number, Cuv: number, Cuw: number, Cvw: number, Cww: number): number;
  /**
   * I4 = E[g′(u) g′(v) g(a) g(b)] for the 4×4 covariance C of (u, v, a, b) (row-major);
   * needed by the SGD ODE (docs/theory.md §4.2). relu-i4.ts, erf-i4.ts.
   */
  I4?(C: Float64Array): number;
  /** J2(a, b, c) = E[g′(u) g′(v)], var u = a, var v = b, cov = c (σ² label-noise term, docs/theory.md §4.2). */
  J2?(a: number, b: number, c: number): number;
}

export type ActivationName = 'relu' | 'leaky-relu' | 'erf';
export const ACTIVATION_NAMES: readonly ActivationName[] = ['relu', 'leaky-relu', 'erf'];
