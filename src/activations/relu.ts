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

const INV_2PI = 1 / TWO_PI;
const INV_4PI = 1 / (2 * TWO_PI);
const INV_8PI = 1 / (4 * TWO_PI);

/**
 * [I2, ∂a, ∂b, ∂c, ∂aa, ∂ab, ∂ac, ∂bb, ∂bc, ∂cc] (docs/theory.md §8.4), with s = √(ab), ρ = c/s
 * (clipped), θ = acos ρ, σ = sin θ = √(1 − ρ²):
 *   ∂aa = √b (2ρ² − 1)/(8π a^{3/2} σ),  ∂ab = 1/(8π s σ),  ∂ac = −ρ/(4π a σ),
 *   ∂bb = √a (2ρ² − 1)/(8π b^{3/2} σ),  ∂bc = −ρ/(4π b σ),  ∂cc = 1/(2π s σ).
 * A zero-norm unit (s = 0) takes the first partials (0, 0, ¼) of reluI2Partials and zero second
 * derivatives (the flow treats those partials as constants there). The second derivatives grow
 * like 1/σ for aligned units (|ρ| → 1, the singularity of docs/theory.md §2).
 */
export function reluI2Second(a: number, b: number, c: number, out: Float64Array): void {
  const s = Math.sqrt(a * b);
  if (!(s > 0)) {
    out.fill(0, 0, 10);
    out[3] = 0.25;
    return;
  }
  const rho = clip(c / s);
  const theta = Math.acos(rho);
  const sig = Math.sqrt(1 - rho * rho);
  const piT = Math.PI - theta;
  const sa = Math.sqrt(a);
  const sb = Math.sqrt(b);
  out[0] = s * (sig + piT * rho) * INV_2PI;
  out[1] = (sb / sa) * sig * INV_4PI;
  out[2] = (sa / sb) * sig * INV_4PI;
  out[3] = piT * INV_2PI;
  const is = 1 / sig;
  const r2 = 2 * rho * rho - 1;
  out[4] = (sb * r2 * is * INV_8PI) / (a * sa);
  out[5] = (is * INV_8PI) / s;
  out[6] = (-rho * is * INV_4PI) / a;
  out[7] = (sa * r2 * is * INV_8PI) / (b * sb);
  out[8] = (-rho * is * INV_4PI) / b;
  out[9] = (is * INV_2PI) / s;
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
  I2Second: reluI2Second,
  // σ(q) = ½ I2(q, q, q) = q/4 is linear
  selfSecond: () => 0,
  I3: reluI3,
  I4: reluI4,
  J2: reluJ2,
};
