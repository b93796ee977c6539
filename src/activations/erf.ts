// Erf g(z) = erf(z/√2) (docs/theory.md §2; Saad & Solla 1995 closed forms).
import type { Activation } from './types.js';
import { erfI4, erfJ2 } from './erf-i4.js';

const TWO_OVER_PI = 2 / Math.PI;

/** erf by Abramowitz–Stegun 7.1.26 is too coarse; use a series / continued fraction to ~1e-15. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series erf x = 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1))
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  // erfc by Lentz continued fraction: erfc x = e^{−x²}/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …))))
  let f = ax;
  let C = ax;
  let D = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    D = ax + an * D;
    D = D === 0 ? 1e-300 : 1 / D;
    C = ax + an / C;
    if (C === 0) C = 1e-300;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * f);
  const r = 1 - erfc;
  return x < 0 ? -r : r;
}

/** I2 = (2/π) asin(c / √((1+a)(1+b))). */
function I2(a: number, b: number, c: number): number {
  return TWO_OVER_PI * Math.asin(c / Math.sqrt((1 + a) * (1 + b)));
}

/** ∂c = (2/π)/(D√(1−r²)), ∂a = −(2/π) r / (2(1+a)√(1−r²)), r = c/D, D = √((1+a)(1+b)). */
function I2Partials(a: number, b: number, c: number, out: Float64Array): void {
  const D = Math.sqrt((1 + a) * (1 + b));
  const r = c / D;
  const inv = TWO_OVER_PI / Math.sqrt(1 - r * r);
  out[0] = TWO_OVER_PI * Math.asin(r);
  out[1] = (-inv * r) / (2 * (1 + a));
  out[2] = (-inv * r) / (2 * (1 + b));
  out[3] = inv / D;
}

/**
 * [I2, ∂a, ∂b, ∂c, ∂aa, ∂ab, ∂ac, ∂bb, ∂bc, ∂cc] (docs/theory.md §8.4) with A = 1 + a, B = 1 + b,
 * D = √(AB), r = c/D, κ = (2/π)/√(1 − r²):
 *   ∂aa = κ r (1/(1 − r²) + 2)/(4A²),  ∂ab = κ r/(4AB(1 − r²)),  ∂ac = −κ/(2AD(1 − r²)),
 *   ∂cc = κ r/((1 − r²) D²)   (and a ↔ b).
 */
function I2Second(a: number, b: number, c: number, out: Float64Array): void {
  const A = 1 + a;
  const B = 1 + b;
  const D = Math.sqrt(A * B);
  const r = c / D;
  const om = 1 - r * r;
  const kap = TWO_OVER_PI / Math.sqrt(om);
  out[0] = TWO_OVER_PI * Math.asin(r);
  out[1] = (-kap * r) / (2 * A);
  out[2] = (-kap * r) / (2 * B);
  out[3] = kap / D;
  out[4] = (kap * r * (1 / om + 2)) / (4 * A * A);
  out[5] = (kap * r) / (4 * A * B * om);
  out[6] = -kap / (2 * A * D * om);
  out[7] = (kap * r * (1 / om + 2)) / (4 * B * B);
  out[8] = -kap / (2 * B * D * om);
  out[9] = (kap * r) / (om * D * D);
}

/**
 * σ″(q) for σ(q) = ½ I2(q, q, q) = asin(q/(1 + q))/π (docs/theory.md §8.4):
 * −(2 + 3q)/(π (1 + q)² (1 + 2q)^{3/2}).
 */
function selfSecond(q: number): number {
  return -(2 + 3 * q) / (Math.PI * (1 + q) * (1 + q) * (1 + 2 * q) ** 1.5);
}

/**
 * I3 = E[g′(u) v g(w)] = (2/π) [C_vw (1 + C_uu) − C_uv C_uw] / [(1 + C_uu) √Λ3],
 * Λ3 = (1 + C_uu)(1 + C_ww) − C_uw².
 */
function I3(Cuu: number, Cuv: number, Cuw: number, Cvw: number, Cww: number): number {
  const L3 = (1 + Cuu) * (1 + Cww) - Cuw * Cuw;
  return (TWO_OVER_PI * (Cvw * (1 + Cuu) - Cuv * Cuw)) / ((1 + Cuu) * Math.sqrt(L3));
}

export const erfActivation: Activation = {
  name: 'erf',
  g: (z) => erf(z / Math.SQRT2),
  gPrime: (z) => Math.sqrt(TWO_OVER_PI) * Math.exp(-0.5 * z * z),
  I2,
  I2Partials,
  I2Second,
  selfSecond,
  I3,
  I4: erfI4,
  J2: erfJ2,
};
