// Statistics of `scmv study finite-n`: loss levels to compare with (SPEC §6), peak position
// (median ε) and width (interquartile range) of each family's final losses, histograms, and the
// log-log slope of the width against N.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { getActivation } from '../activations/index.js';
import { familyLevels, levelCells, LEVEL_COLUMNS } from '../commands/levels.js';
import { writeCsv } from '../io/csv.js';

export interface Level {
  n: number;
  branch: number;
  loss: number;
  stable: string;
}

/** Rows of a CSV file with a header (a trailing partial line is ignored); [] if missing. */
export function readCsvFile(path: string): Record<string, string>[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n');
  if (end < 0) return [];
  return parse(text.slice(0, end + 1), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
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

/** Quantile p of ascending `s` (linear interpolation between order statistics). */
export function quantile(s: readonly number[], p: number): number {
  if (s.length === 0) return NaN;
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

export interface Peak {
  count: number;
  median: number;
  q1: number;
  q3: number;
  /** Interquartile range q3 − q1. */
  iqr: number;
  min: number;
  max: number;
}

/** Median, quartiles and IQR of a sample. */
export function peakOf(values: readonly number[]): Peak {
  const s = [...values].sort((a, b) => a - b);
  const q1 = quantile(s, 0.25);
  const q3 = quantile(s, 0.75);
  return { count: s.length, median: quantile(s, 0.5), q1, q3, iqr: q3 - q1, min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN };
}

export interface LogLogFit {
  points: number;
  /** log10 y = intercept + slope · log10 x. */
  slope: number;
  intercept: number;
  /** Standard error of the slope (NaN for 2 points). */
  slopeSe: number;
}

/** Ordinary least squares of log10 y on log10 x over the points with x, y > 0. */
export function logLogFit(xs: readonly number[], ys: readonly number[]): LogLogFit {
  const X: number[] = [];
  const Y: number[] = [];
  xs.forEach((x, i) => {
    if (x > 0 && ys[i] > 0 && Number.isFinite(ys[i])) {
      X.push(Math.log10(x));
      Y.push(Math.log10(ys[i]));
    }
  });
  const n = X.length;
  if (n < 2) return { points: n, slope: NaN, intercept: NaN, slopeSe: NaN };
  const mx = X.reduce((a, b) => a + b, 0) / n;
  const my = Y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (X[i] - mx) ** 2;
    sxy += (X[i] - mx) * (Y[i] - my);
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (Y[i] - intercept - slope * X[i]) ** 2;
  const slopeSe = n > 2 ? Math.sqrt(rss / (n - 2) / sxx) : NaN;
  return { points: n, slope, intercept, slopeSe };
}

export interface Bin {
  lo: number;
  hi: number;
  count: number;
}

/** Counts of `values` in `bins` equal bins over [lo, hi] (values outside are dropped). */
export function histogram(values: readonly number[], lo: number, hi: number, bins: number): Bin[] {
  const w = (hi - lo) / bins;
  const out: Bin[] = Array.from({ length: bins }, (_, b) => ({ lo: lo + b * w, hi: lo + (b + 1) * w, count: 0 }));
  for (const v of values) {
    if (!(v >= lo && v <= hi)) continue;
    out[Math.min(bins - 1, Math.floor((v - lo) / w))].count++;
  }
  return out;
}
