// The infinite-N loss levels of the fixed-point families (docs/theory.md §6): every distinct
// solution of a family's ansatz with its weight-space Hessian spectrum, and the CSV row of a level.
import type { Activation } from '../activations/index.js';
import type { Cell } from '../io/csv.js';
import { FAMILY_PARAM_NAMES } from './ansatz.js';
import { solveFamily, type FixedPoint } from './fixed-points.js';
import { hessianSpectrum } from './stability.js';
import { identity } from '../linalg/vector.js';
import { STABLE_TOL } from '../defaults.js';

export const LEVEL_COLUMNS = ['K', 'M', 'n', 'branch', 'loss', 'rhs_norm', 'stable', 'min_eig', 'eig2', 'psd', ...FAMILY_PARAM_NAMES] as const;

export interface LevelRow {
  point: FixedPoint;
  branch: number;
  minEig: number;
  eig2: number;
  stable: boolean;
}

/**
 * All distinct PSD solutions of family n whose classified family index is n, sorted by loss
 * (branch 0 = lowest), with the weight-space Hessian spectrum in dimension K + M + 1.
 * `previous` supplies continuation guesses (parameters of solutions at smaller K).
 */
export function familyLevels(act: Activation, K: number, M: number, n: number, previous: Record<string, number>[] = [], hessian = true): LevelRow[] {
  // Same loss (to 1e-9) = same level: degenerate branches (e.g. a near-vanished surplus unit
  // pointing anywhere) are reported once.
  const sols = solveFamily(act, K, M, n, { extraGuesses: previous })
    .filter((s) => s.familyN === n || (n === 0 && s.familyN === -1)) // n = 0 includes the global minimum
    .filter((s, i, all) => all.findIndex((t) => Math.abs(t.loss - s.loss) < 1e-9) === i);
  const T = identity(M);
  return sols.map((point, branch) => {
    let minEig = NaN;
    let eig2 = NaN;
    if (hessian) {
      const hs = hessianSpectrum(act, K, M, point.Q, point.R, T, K + M + 1, 2);
      minEig = hs.eigs[0];
      eig2 = hs.eigs[1];
    }
    return { point, branch, minEig, eig2, stable: minEig > -STABLE_TOL };
  });
}

export function levelCells(r: LevelRow): Cell[] {
  const p = r.point;
  return [p.K, p.M, p.n, r.branch, p.loss, p.rhsNorm, r.stable ? 1 : 0, r.minEig, r.eig2, p.psd ? 1 : 0, ...FAMILY_PARAM_NAMES.map((nm) => p.params[nm] ?? '')];
}

