// Inverse square root of a symmetric positive definite matrix by the coupled Newton–Schulz
// iteration (docs/theory.md §11): with A scaled to B = A/c, c = ‖A‖_F (so the eigenvalues of B
// lie in (0, 1]), Y₀ = B, Z₀ = I,
//   Y_{k+1} = ½ Y_k (3I − Z_k Y_k),   Z_{k+1} = ½ (3I − Z_k Y_k) Z_k,
// converges quadratically to Y = B^{½}, Z = B^{−½}; then A^{−½} = Z/√c. Only matrix products.

function matmul(A: Float64Array, B: Float64Array, n: number, out: Float64Array): Float64Array {
  out.fill(0);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const a = A[i * n + k];
      if (a === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += a * B[k * n + j];
    }
  return out;
}

/** A^{−½} of a symmetric positive definite n×n matrix A (row-major). Throws if A is not SPD. */
export function inverseSqrtSpd(A: ArrayLike<number>, n: number, maxIter = 100): Float64Array {
  let c = 0;
  for (let i = 0; i < n * n; i++) c += A[i] * A[i];
  c = Math.sqrt(c);
  if (!(c > 0) || !Number.isFinite(c)) throw new RangeError('inverseSqrtSpd: matrix is zero or not finite');
  let Y = Float64Array.from(A, (v) => v / c);
  let Z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Z[i * n + i] = 1;
  const P = new Float64Array(n * n);
  let Yn = new Float64Array(n * n);
  let Zn = new Float64Array(n * n);
  let off = Infinity;
  for (let it = 0; it < maxIter; it++) {
    matmul(Z, Y, n, P); // P = Z Y → I
    off = 0;
    for (let i = 0; i < n * n; i++) {
      P[i] = (i % (n + 1) === 0 ? 3 : 0) - P[i];
      off = Math.max(off, Math.abs(P[i] - (i % (n + 1) === 0 ? 2 : 0)));
    }
    if (off < 1e-15) break;
    matmul(Y, P, n, Yn);
    matmul(P, Z, n, Zn);
    for (let i = 0; i < n * n; i++) {
      Yn[i] *= 0.5;
      Zn[i] *= 0.5;
    }
    [Y, Yn] = [Yn, Y];
    [Z, Zn] = [Zn, Z];
    if (!Z.every(Number.isFinite)) throw new RangeError('inverseSqrtSpd: matrix is not positive definite');
  }
  if (!(off < 1e-10)) throw new RangeError('inverseSqrtSpd: no convergence (matrix not positive definite?)');
  const s = 1 / Math.sqrt(c);
  // symmetrise against round-off
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = 0.5 * s * (Z[i * n + j] + Z[j * n + i]);
  return out;
}
