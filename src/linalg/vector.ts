// Small vector and matrix helpers on row-major Float64Arrays.

/** Max-norm of a vector; NaN if any entry is NaN (a diverged state never looks converged). */
export function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]);
    if (!(a <= m)) {
      if (a !== a) return NaN;
      m = a;
    }
  }
  return m;
}

/** max_i |a_i − b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** True when every entry is finite. */
export function allFinite(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

/** The identity n×n, row-major. */
export function identity(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

/** True when A (n×n) is exactly the identity. */
export function isIdentity(A: ArrayLike<number>, n: number): boolean {
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (A[i * n + j] !== (i === j ? 1 : 0)) return false;
  return true;
}
