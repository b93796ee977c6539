// Order parameters (SPEC §1): Q = W Wᵀ/N (K×K), R = W W*ᵀ/N (K×M), T = W* W*ᵀ/N (M×M),
// stored row-major in Float64Arrays. The ODE state vector is y = [Q (K·K entries), R (K·M)].

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

/** Packs (Q, R) into one state vector y of length K² + KM (views are not copied). */
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

/** The identity n×n, row-major. */
export function identity(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

/** Max-norm of a vector; NaN if any entry is NaN. */
export function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]);
    if (!(a <= m)) {
      if (a !== a) return NaN; // NaN propagates: a diverged state never looks converged
      m = a;
    }
  }
  return m;
}

/** Order parameters of explicit weights: Q = W Wᵀ/N, R = W W*ᵀ/N, T = W* W*ᵀ/N (row-major W: K×N). */
export function overlapsOf(W: Float64Array, Wstar: Float64Array, K: number, M: number, N: number): Overlaps {
  const Q = new Float64Array(K * K);
  const R = new Float64Array(K * M);
  const T = new Float64Array(M * M);
  gram(W, K, W, K, N, Q, true);
  gram(W, K, Wstar, M, N, R, false);
  gram(Wstar, M, Wstar, M, N, T, true);
  return { K, M, Q, R, T };
}

/** out[i·nb + j] = A_i · B_j / N for rows of A (na×N) and B (nb×N). */
function gram(A: Float64Array, na: number, B: Float64Array, nb: number, N: number, out: Float64Array, sym: boolean): void {
  for (let i = 0; i < na; i++) {
    for (let j = sym ? i : 0; j < nb; j++) {
      let s = 0;
      const oa = i * N;
      const ob = j * N;
      for (let n = 0; n < N; n++) s += A[oa + n] * B[ob + n];
      out[i * nb + j] = s / N;
      if (sym) out[j * nb + i] = s / N;
    }
  }
}
