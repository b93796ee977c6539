// Teacher weights W* ∈ R^{M×N} for finite-N networks (docs/theory.md §5): i.i.d. N(0, 1) entries
// (T = I + O(N^{-1/2})), or exactly orthonormal rows scaled by √N (T = I up to round-off).
import type { Rng } from '../random/rng.js';
import { gramSchmidtRows } from '../linalg/orthonormalise.js';

export const TEACHER_KINDS = ['gaussian', 'orthonormal'] as const;
export type TeacherKind = (typeof TEACHER_KINDS)[number];

/** Samples W* (row-major M×N); 'orthonormal' needs M ≤ N. */
export function sampleTeacher(M: number, N: number, kind: TeacherKind, rng: Rng): Float64Array {
  const W = new Float64Array(M * N);
  rng.fillNormal(W);
  if (kind === 'orthonormal') gramSchmidtRows(W, M, N, Math.sqrt(N));
  return W;
}
