// Student initialisation for finite-N networks (docs/theory.md §5): W0 ∈ R^{K×N} with i.i.d. N(0, 1)
// entries, so Q0 = I + O(N^{-1/2}) and R0 = O(N^{-1/2}).
import type { Rng } from '../random/rng.js';

/** Samples W0 (row-major K×N) from `rng` (K·N normals, row by row). */
export function sampleStudent(K: number, N: number, rng: Rng): Float64Array {
  const W = new Float64Array(K * N);
  rng.fillNormal(W);
  return W;
}
