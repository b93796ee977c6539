// Truncated Gaussian moments E[x^μ Π_{i∈S} 1(x_i > 0)] of a centred Gaussian x in d ≤ 4
// dimensions, |μ| ≤ 4: the building block of the closed-form SGD noise covariance of
// docs/theory.md §9.3 (for ReLU, g′(u) g(a) = 1(u>0) 1(a>0) a, so every noise moment is such a
// moment; relu-i4.ts is the case x^μ = x_a x_b).
//
// Recursion (Stein's lemma, as in relu-i4.ts): for μ = μ′ + e_i,
//   E[x_i x^μ′ 1_S] = Σ_j C_ij ( μ′_j E[x^{μ′−e_j} 1_S] + E[x^μ′ δ(x_j) 1_{S∖j}] )   (j ∈ S for the δ term),
// and E[m(x) δ(x_j) 1_{S∖j}] = p_j(0) E[m(x) 1_{S∖j} | x_j = 0]. Conditioning on a set c of
// indicator variables at 0 gives the Schur-complement covariance C|c and the density factor
// φ_c = (2π)^{−|c|/2} det(C_cc)^{−1/2}. With V(c, μ) = φ_c E[x^μ 1_{S∖c} | x_c = 0]:
//   V(c, μ) = 0 if μ has a power of a conditioned variable,
//   V(c, 0) = φ_c P(x_{S∖c} > 0 | x_c = 0)          (closed forms for ≤ 3 variables, Plackett for 4),
//   V(c, μ′ + e_i) = Σ_{j∉c} (C|c)_ij ( μ′_j V(c, μ′ − e_j) + [j ∈ S] V(c ∪ {j}, μ′) ),
// memoised on (c, μ). The answer is V(∅, μ).
import { orthant2, orthant3, orthant4 } from './orthant.js';

const TWO_PI = 2 * Math.PI;

/** Conditioned state: covariance given x_c = 0 and the density factor φ_c. */
interface CondState {
  C: Float64Array;
  phi: number;
}

/**
 * Returns μ ↦ E[x^μ 1(x_S > 0)] for the centred Gaussian with covariance C (d×d, row-major,
 * positive definite on S), exponents μ given as an array of length d. Results are memoised, so
 * many moments of the same (C, S) are cheap.
 */
export function makeOrthantMoments(C: ArrayLike<number>, d: number, S: number) {
  if (d > 4) throw new RangeError('makeOrthantMoments: at most 4 variables');
  const states = new Map<number, CondState>();
  states.set(0, { C: Float64Array.from(C), phi: 1 });
  const memo = new Map<number, number>();

  const stateOf = (c: number): CondState => {
    const hit = states.get(c);
    if (hit) return hit;
    // condition on the highest variable of c last (any order gives the same Schur complement)
    let j = 3;
    while (!(c & (1 << j))) j--;
    const prev = stateOf(c & ~(1 << j));
    const cjj = prev.C[j * d + j];
    if (!(cjj > 0)) throw new RangeError('makeOrthantMoments: singular covariance on the indicator set');
    const out = new Float64Array(d * d);
    for (let p = 0; p < d; p++) {
      const f = prev.C[p * d + j] / cjj;
      for (let q = 0; q < d; q++) out[p * d + q] = prev.C[p * d + q] - f * prev.C[j * d + q];
    }
    const st = { C: out, phi: prev.phi / Math.sqrt(TWO_PI * cjj) };
    states.set(c, st);
    return st;
  };

  const orthant = (st: CondState, mask: number): number => {
    const idx: number[] = [];
    for (let i = 0; i < d; i++) if (mask & (1 << i)) idx.push(i);
    const G = st.C;
    const r = (a: number, b: number) => G[a * d + b] / Math.sqrt(G[a * d + a] * G[b * d + b]);
    switch (idx.length) {
      case 0: return 1;
      case 1: return 0.5;
      case 2: return orthant2(r(idx[0], idx[1]));
      case 3: return orthant3(r(idx[0], idx[1]), r(idx[0], idx[2]), r(idx[1], idx[2]));
      default: return orthant4([r(0, 1), r(0, 2), r(0, 3), r(1, 2), r(1, 3), r(2, 3)]);
    }
  };

  // μ is encoded in base 5 (exponents 0…4), variable i at digit i.
  const POW5 = [1, 5, 25, 125];
  const digit = (code: number, i: number) => Math.floor(code / POW5[i]) % 5;

  const V = (c: number, code: number): number => {
    for (let i = 0; i < d; i++) if (c & (1 << i) && digit(code, i) > 0) return 0;
    const key = code * 16 + c;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const st = stateOf(c);
    let v: number;
    if (code === 0) v = st.phi * orthant(st, S & ~c);
    else {
      let i = 0;
      while (digit(code, i) === 0) i++;
      const rest = code - POW5[i];
      v = 0;
      for (let j = 0; j < d; j++) {
        if (c & (1 << j)) continue;
        const cij = st.C[i * d + j];
        if (cij === 0) continue;
        let t = 0;
        const mj = digit(rest, j);
        if (mj > 0) t += mj * V(c, rest - POW5[j]);
        if (S & (1 << j)) t += V(c | (1 << j), rest);
        v += cij * t;
      }
    }
    memo.set(key, v);
    return v;
  };

  return (mu: ArrayLike<number>): number => {
    let code = 0;
    let deg = 0;
    for (let i = 0; i < d; i++) {
      code += mu[i] * POW5[i];
      deg += mu[i];
    }
    if (deg > 4) throw new RangeError('makeOrthantMoments: degree at most 4');
    return V(0, code);
  };
}
