// Four-variable Gaussian integrals of docs/theory.md §4.2 for ReLU and leaky ReLU:
//   I4 = E[g′(u) g′(v) g(a) g(b)],  (u, v, a, b) centred Gaussian with 4×4 covariance C,
//   J2 = E[g′(u) g′(v)]  (the σ² label-noise term).
//
// Exact reduction. With 1_S = Π_{i∈S} 1(x_i > 0), every term is a moment E[x_a x_b 1_S]
// (ReLU: g′(u) g′(v) g(a) g(b) = a b 1_{u,v,a,b}; leaky ReLU: g′ = α + (1−α) 1, g(a) =
// α a + (1−α) a 1(a>0), so 16 such moments). Stein's lemma E[x_a h(x)] = Σ_j C_aj E[∂_j h],
// with ∂_j 1_S = δ(x_j) 1_{S∖j}, gives
//   E[x_a x_b 1_S] = C_ab P(S) + Σ_{j∈S} C_aj p_j(0) E[x_b 1_{S∖j} | x_j = 0],
//   E[x_b 1_S]     = Σ_{i∈S} C_bi p_i(0) P(S∖i | x_i = 0),
// p_j(0) = 1/√(2π C_jj), conditional covariances by Schur complements. Orthant probabilities
// of ≤ 3 variables are closed forms; the one four-variable orthant probability P(u,v,a,b > 0)
// is Plackett's one-dimensional integral (orthant.ts).
//
// Degenerate inputs: indicator variables with correlation ≥ 1 − 1e-13 are merged (they occur
// exactly in Φ when indices coincide, e.g. u = a); correlation ≤ −1 + 1e-13 inside S gives 0;
// a zero-variance u or v has g′(0) = ½ for ReLU (as reluI3), i.e. 1(u>0) → ½.
//
// Accuracy (test/i4-relu.test.ts): against an independent one-dimensional quadrature for
// one-factor covariances the error is < 1e-10 absolute for unit-scale covariances; against
// plain Monte Carlo within 5 standard errors on random covariances. The target of docs/theory.md §4.2
// (≥ 1e-6 absolute) is met with a wide margin away from exact degeneracy; within 1 − ρ ≲ 1e-10
// of a coincidence the merge rule makes errors up to ~√(1 − ρ)/2π ≈ 1e-6 possible.
import { orthant2, orthant3, orthant4 } from './orthant.js';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const MERGE = 1 - 1e-13;

/** Orthant probability of the variables in mask S under covariance C (4×4, row-major). */
function orthantOf(C: Float64Array, S: number): number {
  let n = 0;
  const idx = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) if (S & (1 << i)) idx[n++] = i;
  if (n === 0) return 1;
  if (n === 1) return 0.5;
  const r = (i: number, j: number) => {
    const d = C[i * 4 + i] * C[j * 4 + j];
    return d > 0 ? C[i * 4 + j] / Math.sqrt(d) : 0;
  };
  if (n === 2) return orthant2(r(idx[0], idx[1]));
  if (n === 3) return orthant3(r(idx[0], idx[1]), r(idx[0], idx[2]), r(idx[1], idx[2]));
  return orthant4([r(0, 1), r(0, 2), r(0, 3), r(1, 2), r(1, 3), r(2, 3)]);
}

/** out = covariance of x given x_j = 0: C − C_{·j} C_{j·}/C_jj. */
function condition(C: Float64Array, j: number, out: Float64Array): void {
  const cjj = C[j * 4 + j];
  for (let p = 0; p < 4; p++) {
    const f = C[p * 4 + j] / cjj;
    for (let q = 0; q < 4; q++) out[p * 4 + q] = C[p * 4 + q] - f * C[j * 4 + q];
  }
}

const BUF1 = new Float64Array(16);
const BUF2 = new Float64Array(16);

/** E[x_b 1_S] = Σ_{i∈S} C_bi p_i(0) P(S∖i | x_i = 0) (centred Gaussian, covariance C). */
function moment1(C: Float64Array, b: number, S: number, buf: Float64Array): number {
  let s = 0;
  for (let i = 0; i < 4; i++) {
    if (!(S & (1 << i))) continue;
    const cii = C[i * 4 + i];
    const cbi = C[b * 4 + i];
    if (!(cii > 0) || cbi === 0) continue;
    condition(C, i, buf);
    s += ((cbi * INV_SQRT_2PI) / Math.sqrt(cii)) * orthantOf(buf, S & ~(1 << i));
  }
  return s;
}

/** E[x_a x_b 1_S] = C_ab P(S) + Σ_{j∈S} C_aj p_j(0) E[x_b 1_{S∖j} | x_j = 0]. */
function moment2(C: Float64Array, a: number, b: number, S: number): number {
  let s = C[a * 4 + b] * orthantOf(C, S);
  for (let j = 0; j < 4; j++) {
    if (!(S & (1 << j))) continue;
    const cjj = C[j * 4 + j];
    const caj = C[a * 4 + j];
    if (!(cjj > 0) || caj === 0) continue;
    condition(C, j, BUF1);
    s += ((caj * INV_SQRT_2PI) / Math.sqrt(cjj)) * moment1(BUF1, b, S & ~(1 << j), BUF2);
  }
  return s;
}

/**
 * E[a b Π_{i∈S} 1(x_i > 0)] for (x_0..x_3) = (u, v, a, b) with covariance C, after the
 * degeneracy rules above (merge coincident indicators, antipodal indicators give 0, a
 * zero-variance indicator is ½).
 */
export function indicatorMoment(C: Float64Array, S: number): number {
  let factor = 1;
  for (let i = 0; i < 4; i++) {
    if ((S & (1 << i)) && !(C[i * 4 + i] > 0)) {
      S &= ~(1 << i);
      factor *= 0.5;
    }
  }
  for (let i = 0; i < 4; i++) {
    if (!(S & (1 << i))) continue;
    for (let j = i + 1; j < 4; j++) {
      if (!(S & (1 << j))) continue;
      const r = C[i * 4 + j] / Math.sqrt(C[i * 4 + i] * C[j * 4 + j]);
      if (r >= MERGE) S &= ~(1 << j);
      else if (r <= -MERGE) return 0;
    }
  }
  return factor * moment2(C, 2, 3, S);
}

/** ReLU I4 = E[1(u>0) 1(v>0) relu(a) relu(b)] (C: 4×4 covariance of (u, v, a, b)). */
export function reluI4(C: Float64Array): number {
  if (!(C[10] > 0) || !(C[15] > 0)) return 0;
  return indicatorMoment(C, 15);
}

/** Leaky ReLU I4: Σ over the 16 indicator subsets S of Π(α or 1 − α) · E[a b 1_S]. */
export function leakyReluI4(alpha: number): (C: Float64Array) => number {
  const beta = 1 - alpha;
  return (C) => {
    if (!(C[10] > 0) || !(C[15] > 0)) return 0;
    let s = 0;
    for (let S = 0; S < 16; S++) {
      let coef = 1;
      for (let i = 0; i < 4; i++) coef *= S & (1 << i) ? beta : alpha;
      if (coef === 0) continue;
      s += coef * indicatorMoment(C, S);
    }
    return s;
  };
}

/** ReLU J2 = E[g′(u) g′(v)] = P(u > 0, v > 0) = ¼ + asin(ρ)/2π; a zero-variance unit gives ½ P(other > 0). */
export function reluJ2(a: number, b: number, c: number): number {
  if (!(a > 0) || !(b > 0)) return 0.25; // ½ · P(other > 0) = ½ · ½, or ½ · ½ for two zero units
  return orthant2(c / Math.sqrt(a * b));
}

/** Leaky ReLU J2 = α² + α(1 − α)(P(u>0) + P(v>0)) + (1 − α)² P(u>0, v>0) = α² + α(1 − α) + (1 − α)² J2_relu. */
export function leakyReluJ2(alpha: number): (a: number, b: number, c: number) => number {
  return (a, b, c) => alpha * alpha + alpha * (1 - alpha) + (1 - alpha) * (1 - alpha) * reluJ2(a, b, c);
}
