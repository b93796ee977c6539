// The loss levels `scmv study finite-n` compares with (docs/theory.md §6): read from a levels CSV, or
// solved and cached.
import { getActivation } from '../../activations/index.js';
import { readCsvFile, writeCsv } from '../../io/csv.js';
import { familyLevels, levelCells, LEVEL_COLUMNS } from '../../theory/levels.js';

export interface Level {
  n: number;
  branch: number;
  loss: number;
  stable: string;
}

/**
 * The infinite-N loss levels of K, M (all families n ≥ 1, all branches): from `levelsCsv`
 * (results/levels.csv, `scmv levels` format) when it has rows for K, M; otherwise solved here
 * with familyLevels (no Hessian) and cached in `cachePath`.
 */
export function loadLevels(K: number, M: number, levelsCsv: string, cachePath: string): { levels: Level[]; source: string } {
  const pick = (rows: Record<string, string>[]) =>
    rows.filter((r) => Number(r.K) === K && Number(r.M) === M)
      .map((r) => ({ n: Number(r.n), branch: Number(r.branch), loss: Number(r.loss), stable: r.stable ?? '' }));
  const fromMain = pick(readCsvFile(levelsCsv));
  if (fromMain.length) return { levels: fromMain, source: levelsCsv };
  const cached = pick(readCsvFile(cachePath));
  if (cached.length) return { levels: cached, source: cachePath };
  const act = getActivation('relu', 0);
  const rows = [];
  for (let n = 1; n < M; n++) for (const r of familyLevels(act, K, M, n, [], false)) rows.push(levelCells(r));
  writeCsv(cachePath, LEVEL_COLUMNS, rows);
  return { levels: pick(readCsvFile(cachePath)), source: `${cachePath} (solved with familyLevels)` };
}

/** The level of family n nearest to x (undefined when family n has none). */
export function nearestLevel(levels: readonly Level[], n: number, x: number): Level | undefined {
  let best: Level | undefined;
  for (const l of levels) if (l.n === n && (!best || Math.abs(l.loss - x) < Math.abs(best.loss - x))) best = l;
  return best;
}
