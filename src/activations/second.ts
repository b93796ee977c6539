// Second derivatives of I2 (docs/theory.md §8.4) for any activation: its closed forms
// (Activation.I2Second, .selfSecond) when it has them, else central differences of its analytic
// first partials. Used by the analytic flow Jacobian (theory/jacobian.ts, §8) and the analytic
// weight-space Hessian (theory/hessian.ts, §11.6).
import type { Activation } from './types.js';

/** Writes [I2, ∂a, ∂b, ∂c, ∂aa, ∂ab, ∂ac, ∂bb, ∂bc, ∂cc] at (a, b, c) into out[0..9]. */
export type I2Second = (a: number, b: number, c: number, out: Float64Array) => void;

/** Indices into the I2Second output. */
export const D_I2 = 0, D_A = 1, D_B = 2, D_C = 3, D_AA = 4, D_AB = 5, D_AC = 6, D_BB = 7, D_BC = 8, D_CC = 9;

/** Relative central-difference step of the fallbacks. */
const FD_STEP = 1e-5;

/**
 * The I2 second derivatives of `act`: act.I2Second, else central differences of I2Partials,
 *   ∂xy I2 ≈ (∂x I2(y + h) − ∂x I2(y − h))/2h,  h = 1e-5·max(1, |y|),  symmetrised over (x, y).
 */
export function i2SecondOf(act: Activation): I2Second {
  if (act.I2Second) return act.I2Second.bind(act);
  const p = new Float64Array(4);
  const pp = new Float64Array(4);
  const pm = new Float64Array(4);
  const H = new Float64Array(9);
  const x = new Float64Array(3);
  const xp = new Float64Array(3);
  const xm = new Float64Array(3);
  return (a, b, c, out) => {
    act.I2Partials(a, b, c, p);
    out[D_I2] = p[0];
    out[D_A] = p[1];
    out[D_B] = p[2];
    out[D_C] = p[3];
    x[0] = a;
    x[1] = b;
    x[2] = c;
    for (let j = 0; j < 3; j++) {
      const h = FD_STEP * Math.max(1, Math.abs(x[j]));
      xp.set(x);
      xm.set(x);
      xp[j] += h;
      xm[j] -= h;
      act.I2Partials(xp[0], xp[1], xp[2], pp);
      act.I2Partials(xm[0], xm[1], xm[2], pm);
      for (let i = 0; i < 3; i++) H[i * 3 + j] = (pp[i + 1] - pm[i + 1]) / (xp[j] - xm[j]);
    }
    out[D_AA] = H[0];
    out[D_AB] = 0.5 * (H[1] + H[3]);
    out[D_AC] = 0.5 * (H[2] + H[6]);
    out[D_BB] = H[4];
    out[D_BC] = 0.5 * (H[5] + H[7]);
    out[D_CC] = H[8];
  };
}

/**
 * σ″(q) = d²/dq² ½ I2(q, q, q) of `act` (docs/theory.md §3 self-term): act.selfSecond, else a
 * central difference of σ′(q) = ½ (∂a + ∂b + ∂c) I2 at (q, q, q).
 */
export function selfSecondOf(act: Activation): (q: number) => number {
  if (act.selfSecond) return act.selfSecond.bind(act);
  const p = new Float64Array(4);
  const d1 = (q: number) => {
    act.I2Partials(q, q, q, p);
    return 0.5 * (p[1] + p[2] + p[3]);
  };
  return (q) => {
    const h = FD_STEP * Math.max(1, Math.abs(q));
    return (d1(q + h) - d1(q - h)) / (2 * h);
  };
}
