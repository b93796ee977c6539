// Explicit Runge–Kutta steps for y′ = f(t, y) on Float64Array states (docs/theory.md §3 flows).

/** Writes dy = f(t, y). */
export type OdeRhs = (t: number, y: Float64Array, dy: Float64Array) => void;

/** Buffers for one integrator, sized once per trajectory. */
export function makeWork(n: number, stages: number): Float64Array[] {
  return Array.from({ length: stages }, () => new Float64Array(n));
}

/**
 * Classic fourth-order step. k1 = f(t, y) must already be in `k1` (so the caller can also
 * use it for the stop rule). Writes y(t + h) into `out`.
 */
export function rk4Step(f: OdeRhs, t: number, y: Float64Array, k1: Float64Array, h: number, out: Float64Array, work: Float64Array[]): void {
  const [k2, k3, k4, tmp] = work;
  const n = y.length;
  for (let i = 0; i < n; i++) tmp[i] = y[i] + 0.5 * h * k1[i];
  f(t + 0.5 * h, tmp, k2);
  for (let i = 0; i < n; i++) tmp[i] = y[i] + 0.5 * h * k2[i];
  f(t + 0.5 * h, tmp, k3);
  for (let i = 0; i < n; i++) tmp[i] = y[i] + h * k3[i];
  f(t + h, tmp, k4);
  for (let i = 0; i < n; i++) out[i] = y[i] + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
}

// Dormand–Prince 5(4) tableau.
const A21 = 1 / 5;
const A31 = 3 / 40, A32 = 9 / 40;
const A41 = 44 / 45, A42 = -56 / 15, A43 = 32 / 9;
const A51 = 19372 / 6561, A52 = -25360 / 2187, A53 = 64448 / 6561, A54 = -212 / 729;
const A61 = 9017 / 3168, A62 = -355 / 33, A63 = 46732 / 5247, A64 = 49 / 176, A65 = -5103 / 18656;
const B1 = 35 / 384, B3 = 500 / 1113, B4 = 125 / 192, B5 = -2187 / 6784, B6 = 11 / 84;
// error weights b − b̂
const E1 = 71 / 57600, E3 = -71 / 16695, E4 = 71 / 1920, E5 = -17253 / 339200, E6 = 22 / 525, E7 = -1 / 40;

/**
 * One Dormand–Prince 5(4) step (FSAL): k1 = f(t, y) given; writes the 5th-order y(t+h) into
 * `out` and f(t+h, out) into `k7`. Returns the scaled RMS error norm
 * √(mean((e_i / (atol + rtol·max(|y_i|, |out_i|)))²)); the step is acceptable when ≤ 1.
 */
export function dopri5Step(
  f: OdeRhs, t: number, y: Float64Array, k1: Float64Array, h: number,
  out: Float64Array, k7: Float64Array, work: Float64Array[], rtol: number, atol: number,
): number {
  const [k2, k3, k4, k5, k6, tmp] = work;
  const n = y.length;
  for (let i = 0; i < n; i++) tmp[i] = y[i] + h * A21 * k1[i];
  f(t + h / 5, tmp, k2);
  for (let i = 0; i < n; i++) tmp[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i]);
  f(t + (3 * h) / 10, tmp, k3);
  for (let i = 0; i < n; i++) tmp[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
  f(t + (4 * h) / 5, tmp, k4);
  for (let i = 0; i < n; i++) tmp[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
  f(t + (8 * h) / 9, tmp, k5);
  for (let i = 0; i < n; i++) tmp[i] = y[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
  f(t + h, tmp, k6);
  for (let i = 0; i < n; i++) out[i] = y[i] + h * (B1 * k1[i] + B3 * k3[i] + B4 * k4[i] + B5 * k5[i] + B6 * k6[i]);
  f(t + h, out, k7);
  let err = 0;
  for (let i = 0; i < n; i++) {
    const e = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
    const sc = atol + rtol * Math.max(Math.abs(y[i]), Math.abs(out[i]));
    err += (e / sc) * (e / sc);
  }
  return Math.sqrt(err / n);
}
