// The online-SGD predictions of the finite-n report (docs/theory.md §9, orthonormal teacher T = I):
// for family n, its lowest fixed point that the weight-space Hessian calls stable (familyLevels,
// docs/theory.md §6), the η-independent context at it (prepareSgdLevel, computed once per family)
// and, per η, the N-independent numbers (SgdPredictionNumbers, scaled to each N by scaleToN).
// The numbers are cached in <out-dir>/sgd-predictions-K<K>M<M>.csv, one row per (family, η, sample
// counts, seed), so that a report (also --report-only) computes only what the cache lacks.
import { getActivation } from '../../activations/index.js';
import { readCsvFile, writeCsv, type Cell, type CsvRecord } from '../../io/csv.js';
import { identity } from '../../linalg/vector.js';
import { familyLevels } from '../../theory/levels.js';
import { prepareSgdLevel, predictSgdLevel, sgdPredictionNumbers, SGD_PREDICTION_DEFAULTS, type SgdLevelContext, type SgdPredictionNumbers } from '../../theory/sgd-prediction.js';
import { SGD_NUMBERS_COLUMNS, sgdNumbersCells, sgdNumbersOf } from '../../theory/sgd-level-columns.js';
import { FINITE_N_DEFAULTS, sgdPredictionsPath, type FiniteNOptions } from './options.js';

export const SGD_PREDICTION_CACHE_COLUMNS = ['K', 'M', 'family_n', 'lr', 'samples', 'mean_samples', 'seed', 'status', 'branch', ...SGD_NUMBERS_COLUMNS, 'wall_ms'] as const;

/**
 * 'predicted': X_η found and J(X_η) stable; 'unstable-at-eta': no stable stationary point of the SGD
 * ODE at this η (§9.2); 'no-stable-level': family n has no fixed point with a PSD Hessian.
 */
export type SgdPredictionStatus = 'predicted' | 'unstable-at-eta' | 'no-stable-level';

export interface FamilyPrediction {
  n: number;
  eta: number;
  status: SgdPredictionStatus;
  /** Branch of family n predicted at (familyLevels order, 0 = lowest loss), '' when none is stable. */
  branch: number | '';
  /** The N-independent numbers (NaN cells unless status is 'predicted'); null without a stable level. */
  numbers: SgdPredictionNumbers | null;
}

export const predictionKey = (n: number, eta: number) => `${n}|${eta}`;

/**
 * The predictions for every (family n, η) in `wanted`: from the cache where it has a row with this
 * study's K, M, sample counts and seed, else computed (one prepareSgdLevel per family) and appended to it.
 */
export function loadSgdPredictions(o: FiniteNOptions, wanted: readonly { n: number; eta: number }[], log: (s: string) => void = () => {}): Map<string, FamilyPrediction> {
  const path = sgdPredictionsPath(o);
  const { samples, meanSamples } = o.sgdPrediction ?? FINITE_N_DEFAULTS.sgdPrediction;
  const seed = SGD_PREDICTION_DEFAULTS.seed;
  const cached = readCsvFile(path);
  const matches = (r: CsvRecord) => Number(r.K) === o.K && Number(r.M) === o.M && Number(r.samples) === samples && Number(r.mean_samples) === meanSamples && Number(r.seed) === seed;
  const out = new Map<string, FamilyPrediction>();
  for (const r of cached.filter(matches)) {
    const n = Number(r.family_n);
    const eta = Number(r.lr);
    const status = r.status as SgdPredictionStatus;
    out.set(predictionKey(n, eta), { n, eta, status, branch: r.branch === '' ? '' : Number(r.branch), numbers: status === 'no-stable-level' ? null : sgdNumbersOf(r, eta, o.M) });
  }
  const missing = wanted.filter((w, i) => !out.has(predictionKey(w.n, w.eta)) && wanted.findIndex((v) => v.n === w.n && v.eta === w.eta) === i);
  if (!missing.length) return out;
  const act = getActivation('relu', 0);
  const T = identity(o.M);
  const fresh: Cell[][] = [];
  for (const n of [...new Set(missing.map((w) => w.n))].sort((a, b) => a - b)) {
    const t0 = performance.now();
    const level = familyLevels(act, o.K, o.M, n, [], true).find((r) => r.stable);
    let ctx: SgdLevelContext | null = null;
    if (level) ctx = prepareSgdLevel(act, o.K, o.M, level.point.Q, level.point.R, T, { samples, meanSamples, seed });
    let wall = performance.now() - t0;
    for (const { eta } of missing.filter((w) => w.n === n).sort((a, b) => a.eta - b.eta)) {
      const t1 = performance.now();
      let pr: FamilyPrediction;
      if (!ctx || !level) pr = { n, eta, status: 'no-stable-level', branch: '', numbers: null };
      else {
        const p = predictSgdLevel(ctx, eta);
        pr = { n, eta, status: p.stable ? 'predicted' : 'unstable-at-eta', branch: level.branch, numbers: sgdPredictionNumbers(p) };
      }
      wall += performance.now() - t1;
      out.set(predictionKey(n, eta), pr);
      fresh.push([o.K, o.M, n, eta, samples, meanSamples, seed, pr.status, pr.branch, ...(pr.numbers ? sgdNumbersCells(pr.numbers) : SGD_NUMBERS_COLUMNS.map(() => '')), Math.round(wall)]);
      log(`sgd prediction n=${n} η=${eta}: ${pr.status}${pr.numbers ? `, level ${pr.numbers.level.toPrecision(6)}, ε(X_η) − level ${pr.numbers.shiftOde.toExponential(3)}` : ''} (computed in ${(wall / 1000).toFixed(1)} s)`);
      wall = 0;
    }
  }
  writeCsv(path, SGD_PREDICTION_CACHE_COLUMNS, [...cached.map((r) => SGD_PREDICTION_CACHE_COLUMNS.map((c) => r[c])), ...fresh]);
  return out;
}
