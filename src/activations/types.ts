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
