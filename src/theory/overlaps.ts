// Order parameters (docs/theory.md §1): Q = W Wᵀ/N (K×K), R = W W*ᵀ/N (K×M), T = W* W*ᵀ/N (M×M),
// stored row-major in Float64Arrays. The ODE state vector is y = [Q (K·K entries), R (K·M)].
import { gram } from '../linalg/gram.js';

export interface Overlaps {
  K: number;
  M: number;
  /** K×K, row-major, symmetric. */
  Q: Float64Array;
  /** K×M, row-major. */
  R: Float64Array;
  /** M×M, row-major, symmetric; constant under every flow. */
  T: Float64Array;
}

/** Packs (Q, R) into one state vector y of length K² + KM. */
export function packState(o: Overlaps): Float64Array {
  const y = new Float64Array(o.K * o.K + o.K * o.M);
  y.set(o.Q, 0);
  y.set(o.R, o.K * o.K);
  return y;
}

/** Views of Q and R inside a state vector y = [Q, R]. */
export function unpackState(y: Float64Array, K: number, M: number): { Q: Float64Array; R: Float64Array } {
  return { Q: y.subarray(0, K * K), R: y.subarray(K * K, K * K + K * M) };
}

/** Order parameters of explicit weights: Q = W Wᵀ/N, R = W W*ᵀ/N, T = W* W*ᵀ/N (row-major W: K×N). */
export function overlapsOf(W: Float64Array, Wstar: Float64Array, K: number, M: number, N: number): Overlaps {
  const Q = gram(W, K, W, K, N, new Float64Array(K * K), true);
  const R = gram(W, K, Wstar, M, N, new Float64Array(K * M));
  const T = gram(Wstar, M, Wstar, M, N, new Float64Array(M * M), true);
  return { K, M, Q, R, T };
}

/** Ω = [[Q, R], [Rᵀ, T]], the (K+M)×(K+M) covariance of (λ, ν) (docs/theory.md §1), students first. */
export function omegaMatrix(K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: ArrayLike<number>): Float64Array {
  const P = K + M;
  const O = new Float64Array(P * P);
  for (let p = 0; p < P; p++)
    for (let q = 0; q < P; q++) {
      let v: number;
      if (p < K && q < K) v = Q[p * K + q];
      else if (p < K) v = R[p * M + (q - K)];
      else if (q < K) v = R[q * M + (p - K)];
      else v = T[(p - K) * M + (q - K)];
      O[p * P + q] = v;
    }
  return O;
}
