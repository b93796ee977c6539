// ReLU g(z) = max(0, z): closed forms of docs/theory.md §2.
import type { Activation } from './types.js';
import { reluI4, reluJ2 } from './relu-i4.js';

const TWO_PI = 2 * Math.PI;

/** ρ clipped to [−1, 1] so acos never sees round-off past ±1 (diagonal entries). */
export function clip(rho: number): number {
  return rho > 1 ? 1 : rho < -1 ? -1 : rho;
}

/**
 * I2 = s (sin θ + (π − θ) ρ) / 2π with s = √(ab), ρ = c/s, θ = acos ρ.
 * A zero-norm unit (a = 0 or b = 0) gives 0.
 */
export function reluI2(a: number, b: number, c: number): number {
  const s = Math.sqrt(a * b);
  if (!(s > 0)) return 0;
  const rho = clip(c / s);
  const theta = Math.acos(rho);
  return (s * (Math.sqrt(1 - rho * rho) + (Math.PI - theta) * rho)) / TWO_PI;
}

/**
 * [I2, ∂a, ∂b, ∂c] with ∂I2/∂c = (π − θ)/2π, ∂I2/∂a = √(b/a) sin θ / 4π (symmetric in a, b).
 * At a zero-norm unit the partials are taken as ρ = 0 for ∂c (= ¼) and 0 for ∂a, ∂b; they
 * multiply a zero weight vector in the flow, so only finiteness matters there.
 */
export function reluI2Partials(a: number, b: number, c: number, out: Float64Array): void {
  const s = Math.sqrt(a * b);
  if (!(s > 0)) {
    out[0] = 0;
    out[1] = 0;
    out[2] = 0;
    out[3] = 0.25;
    return;
  }
  const rho = clip(c / s);
  const theta = Math.acos(rho);
  const sinT = Math.sqrt(1 - rho * rho);
  out[0] = (s * (sinT + (Math.PI - theta) * rho)) / TWO_PI;
  out[1] = (Math.sqrt(b / a) * sinT) / (2 * TWO_PI);
  out[2] = (Math.sqrt(a / b) * sinT) / (2 * TWO_PI);
  out[3] = (Math.PI - theta) / TWO_PI;
}

/**
 * I3 = E[g′(u) v g(w)] = [C_uv √(C_uu C_ww − C_uw²)/C_uu + (π − θ_uw) C_vw] / 2π,
 * θ_uw = acos(C_uw / √(C_uu C_ww)). With u ≡ 0 (C_uu = 0) we use θ = π/2 (g′(0) = ½).
 */
export function reluI3(Cuu: number, Cuv: number, Cuw: number, Cvw: number, Cww: number): number {
  const s = Math.sqrt(Cuu * Cww);
  if (!(Cuu > 0)) return Cvw / 4;
  if (!(s > 0)) return 0; // w ≡ 0, g(w) = 0
  const rho = clip(Cuw / s);
  const theta = Math.acos(rho);
  const root = s * Math.sqrt(1 - rho * rho); // √(C_uu C_ww − C_uw²)
  return ((Cuv * root) / Cuu + (Math.PI - theta) * Cvw) / TWO_PI;
}

export const relu: Activation = {
  name: 'relu',
  g: (z) => (z > 0 ? z : 0),
  gPrime: (z) => (z > 0 ? 1 : 0),
  I2: reluI2,
  I2Partials: reluI2Partials,
  I3: reluI3,
  I4: reluI4,
  J2: reluJ2,
};
