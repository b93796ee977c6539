// Classifying an end state (docs/theory.md §6): match students to teachers, count anti-aligned
// matches (family index n), and call the state global, local or none.
import { linearSumAssignment } from 'linear-sum-assignment';

export type RunClass = 'global' | 'local' | 'none' | 'diverged';

export interface ClassifyOptions {
  /** ε below this is the global minimum (docs/theory.md §6 default 1e-3). */
  epsGlobal: number;
  /** A non-global state is a local minimum when max|RHS| < gTol. */
  gTol: number;
  /** Units with Q_kk below this are taken as vanished (K > M only). */
  vanishTol: number;
}

export const DEFAULT_CLASSIFY: ClassifyOptions = { epsGlobal: 1e-3, gTol: 1e-6, vanishTol: 1e-4 };

export interface Classification {
  cls: RunClass;
  /** Number of matched students anti-aligned with their teacher (R_{k,π(k)} < 0); −1 when not local. */
  familyN: number;
  /** match[k] = teacher matched to student k, or −1 (unmatched or vanished). */
  match: Int32Array;
  /** Units with Q_kk < vanishTol. */
  vanished: number;
}

/**
 * Students matched to teachers by an assignment maximising Σ |R_{k,π(k)}| over the
 * non-vanished students (K×M, rectangular allowed). Returns match[k] ∈ {−1, 0..M−1}.
 */
export function matchStudents(K: number, M: number, R: ArrayLike<number>, alive: ArrayLike<boolean> = new Array(K).fill(true)): Int32Array {
  const rows: number[] = [];
  for (let k = 0; k < K; k++) if (alive[k]) rows.push(k);
  const match = new Int32Array(K).fill(-1);
  if (rows.length === 0 || M === 0) return match;
  const cost = rows.map((k) => Array.from({ length: M }, (_, m) => Math.abs(R[k * M + m])));
  const { rowAssignments } = linearSumAssignment(cost, { maximaze: true });
  rows.forEach((k, i) => (match[k] = rowAssignments[i]));
  return match;
}

/** Family index n: matched students with R_{k,π(k)} < 0. */
export function familyIndex(K: number, M: number, R: ArrayLike<number>, match: ArrayLike<number>): number {
  let n = 0;
  for (let k = 0; k < K; k++) if (match[k] >= 0 && R[k * M + match[k]] < 0) n++;
  return n;
}

/** Classifies an end state from its loss and RHS max-norm (docs/theory.md §6). */
export function classify(
  K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>,
  loss: number, rhsNorm: number, opts: ClassifyOptions = DEFAULT_CLASSIFY,
): Classification {
  const alive = Array.from({ length: K }, (_, k) => K <= M || Q[k * K + k] >= opts.vanishTol);
  const vanished = alive.filter((a) => !a).length;
  // A diverged state (non-finite loss, RHS or R) is never matched: NaN costs have no assignment.
  let finiteR = true;
  for (let i = 0; i < K * M; i++) if (!Number.isFinite(R[i])) finiteR = false;
  if (!Number.isFinite(loss) || !Number.isFinite(rhsNorm) || !finiteR)
    return { cls: 'diverged', familyN: -1, match: new Int32Array(K).fill(-1), vanished };
  const match = matchStudents(K, M, R, alive);
  if (loss < opts.epsGlobal) return { cls: 'global', familyN: 0, match, vanished };
  if (rhsNorm < opts.gTol) return { cls: 'local', familyN: familyIndex(K, M, R, match), match, vanished };
  return { cls: 'none', familyN: -1, match, vanished };
}
