// The report of `scmv study finite-n`, rebuilt from the runs CSVs under <out-dir>/runs/:
//  - families.csv: per (algorithm, η, teacher, N) and family (global = n 0, local n ≥ 1, none,
//    diverged): count, fraction with Wilson 95% interval, peak position (median final ε), peak
//    width (IQR), the nearest infinite-N level of that family (docs/theory.md §6) and median − level;
//  - width-fit.csv: log-log least-squares slope of the peak width (IQR) and of |median − level|
//    against N, per (algorithm, η, teacher, family);
//  - histogram.csv + hist-<gd|sgd-eta<η>>-<teacher>.svg (each with its bars' .csv): final-loss
//    histograms of the non-global runs, one panel per N, with the levels as dashed rules and, for SGD
//    with the orthonormal teacher, the predicted mean ⟨ε⟩ as a solid rule over a band ± 1 predicted sd
//    per predicted family; width-vs-N.svg, shift-vs-N.svg, fractions-gd.svg (each with its .csv);
//  - gd-vs-ode.csv: explicit-weight GD against the ODE (max deviations) per (teacher, N);
//  - sgd-bias.csv: SGD final ε minus the level and minus the paired ODE run's polished ε (same
//    network, same family), per (teacher, η, N, family);
//  - sgd-vs-prediction.csv: SGD final ε of the local runs per (η, N, teacher, family) against the
//    predicted mean and sd of docs/theory.md §9 (orthonormal teacher; 'not-applicable-teacher' rows
//    for the Gaussian one): counts, measured mean, sd, median and standard errors, z-score, sd ratio;
//  - sgd-predictions-K<K>M<M>.csv: the cache of the N-independent prediction numbers per (family, η)
//    (sgd-prediction.ts), computed once and reused by every later report;
//  - sgd-at-level.csv, sgd-at-level-fit.csv, sgd-bias-vs-eta.svg (+ .csv): SGD started on the fixed
//    points, stationary ε − level against η;
//  - finite-n.manifest.json: options, run counts per configuration, level source, prediction cache.
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvFile, writeCsv, type Cell } from '../../io/csv.js';
import { makeManifest, writeManifest } from '../../io/manifest.js';
import { writeHistogramChart, writeLineChart, type PanelMark, type Row } from '../../io/plot.js';
import { loadLevels, nearestLevel, type Level } from './levels.js';
import { FINITE_N_DEFAULTS, sgdPredictionsPath, type FiniteNOptions } from './options.js';
import { wilson } from '../../stats/wilson.js';
import { histogram } from '../../stats/histogram.js';
import { groupBy } from '../../stats/group.js';
import { fitLinearQuadratic, logLogFit } from '../../stats/fit.js';
import { mean, peakOf, quantile, sampleSd } from '../../stats/describe.js';
import { scaleToN } from '../../theory/sgd-prediction.js';
import { loadSgdPredictions, predictionKey, type FamilyPrediction } from './sgd-prediction.js';

interface RunRec {
  algorithm: 'gd' | 'sgd';
  lr: number | '';
  teacher: string;
  N: number;
  run: number;
  loss: number;
  lossAvg: number;
  cls: string;
  family: number;
}

/** A boolean CSV cell (csv-stringify writes true as 1 and false as an empty cell). */
const isTrue = (v: string | undefined) => v === '1' || v === 'true';

/** Group key of a configuration. */
const keyOf = (r: Pick<RunRec, 'algorithm' | 'lr' | 'teacher' | 'N'>) => `${r.algorithm}|${r.lr}|${r.teacher}|${r.N}`;
const seriesOf = (r: Pick<RunRec, 'algorithm' | 'lr' | 'teacher'>) => (r.algorithm === 'gd' ? `gd ${r.teacher}` : `sgd η=${r.lr} ${r.teacher}`);
const figName = (r: Pick<RunRec, 'algorithm' | 'lr' | 'teacher'>) => (r.algorithm === 'gd' ? `gd-${r.teacher}` : `sgd-eta${r.lr}-${r.teacher}`);

export const FAMILY_COLUMNS = [
  'K', 'M', 'algorithm', 'lr', 'teacher', 'N', 'category', 'family_n', 'runs', 'count', 'fraction', 'ci_low', 'ci_high',
  'median_loss', 'q1_loss', 'q3_loss', 'iqr', 'min_loss', 'max_loss', 'level', 'level_branch', 'median_minus_level', 'max_abs_minus_level',
] as const;
export const FIT_COLUMNS = ['K', 'M', 'algorithm', 'lr', 'teacher', 'family_n', 'quantity', 'points', 'Ns', 'slope', 'slope_se', 'intercept'] as const;
export const HIST_COLUMNS = ['algorithm', 'lr', 'teacher', 'N', 'bin_lo', 'bin_hi', 'count'] as const;
export const GDCMP_COLUMNS = ['teacher', 'N', 'runs', 'median_tau', 'max_loss_err', 'median_loss_err', 'max_Q_err', 'max_R_err', 'max_final_loss_err'] as const;
export const BIAS_COLUMNS = [
  'teacher', 'lr', 'N', 'family_n', 'count', 'level', 'median_final_minus_level', 'median_avg_minus_level',
  'paired', 'median_paired_diff', 'q1_paired_diff', 'q3_paired_diff', 'median_paired_diff_over_lr',
] as const;

export const SGD_PRED_COLUMNS = [
  'lr', 'N', 'teacher', 'family_n', 'branch', 'prediction', 'count', 'none_count', 'level', 'pred_level_ode', 'pred_level_mean', 'pred_level_mean_se',
  'pred_sd', 'pred_sd_se', 'meas_mean', 'meas_mean_se', 'meas_sd', 'meas_sd_se', 'meas_median', 'z_mean', 'sd_ratio',
] as const;

export const LEVEL_BIAS_COLUMNS = ['N', 'lr', 'family_n', 'replicas', 'escaped', 'diverged', 'level', 'bias_mean', 'bias_se', 'bias_over_lr', 'loss_se_within'] as const;
export const LEVEL_FIT_COLUMNS = ['N', 'family_n', 'points', 'lrs', 'slope', 'slope_se', 'intercept', 'coef_eta', 'coef_eta2'] as const;

/** Lower end of the large-N fits. */
export const FIT_LARGE_N = 256;

/** Minimum runs of a family at one N for its width to enter the log-log fit. */
export const FIT_MIN_COUNT = 5;

function loadRuns(o: FiniteNOptions): RunRec[] {
  const dir = join(o.outDir, 'runs');
  if (!existsSync(dir)) return [];
  const out: RunRec[] = [];
  const tag = `K${o.K}M${o.M}`;
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.csv') || !f.includes(`-${tag}-`)) continue;
    const algorithm = f.startsWith('ode-') ? 'gd' : f.startsWith('sgd-') ? 'sgd' : null;
    if (!algorithm) continue;
    for (const r of readCsvFile(join(dir, f))) {
      const loss = Number(r.final_loss);
      out.push({
        algorithm, lr: algorithm === 'sgd' ? Number(r.lr) : '', teacher: r.teacher, N: Number(r.N), run: Number(r.run), loss,
        lossAvg: r.loss_avg === undefined ? loss : Number(r.loss_avg), cls: r.class, family: Number(r.family_n),
      });
    }
  }
  return out;
}

/** The teacher of the SGD predictions (docs/theory.md §9 assumes T = I). */
export const PREDICTED_TEACHER = 'orthonormal';

/**
 * sgd-vs-prediction.csv: per (η, teacher, N, family n ≥ 1 with local SGD runs at that η and teacher)
 * the final ε of the local runs of family n (mean, sd, median, standard errors sd/√count and
 * sd/√(2(count − 1))) against the prediction of docs/theory.md §9 at N: ⟨ε⟩ = ε(X_η) + η b/N (§9.5) and
 * sd = √((η/N) var_coef) (§9.3–9.4), for the orthonormal teacher only; z_mean = (mean − ⟨ε⟩)/√(sd²/count
 * + se(⟨ε⟩)²) with the predicted sd, sd_ratio = measured/predicted sd. Also the per-panel marks
 * (⟨ε⟩ ± sd) of each SGD histogram, by figure name.
 */
function sgdVsPrediction(o: FiniteNOptions, runs: readonly RunRec[], levels: readonly Level[], log: (s: string) => void): { rows: Cell[][]; marks: Map<string, PanelMark[]> } {
  const sgd = runs.filter((r) => r.algorithm === 'sgd');
  const local = sgd.filter((r) => r.cls === 'local' && r.family >= 1);
  const wanted = local.filter((r) => r.teacher === PREDICTED_TEACHER).map((r) => ({ n: r.family, eta: r.lr as number }));
  const preds = wanted.length ? loadSgdPredictions(o, wanted, log) : new Map<string, FamilyPrediction>();
  const rows: Cell[][] = [];
  const marks = new Map<string, PanelMark[]>();
  const configs = [...groupBy(sgd, (r) => `${r.lr}|${r.teacher}`).values()].sort((a, b) => (a[0].lr as number) - (b[0].lr as number) || a[0].teacher.localeCompare(b[0].teacher));
  for (const g of configs) {
    const { lr, teacher } = g[0];
    const eta = lr as number;
    const Ns = [...new Set(g.map((r) => r.N))].sort((a, b) => a - b);
    const fams = [...new Set(local.filter((r) => r.lr === lr && r.teacher === teacher).map((r) => r.family))].sort((a, b) => a - b);
    for (const N of Ns) {
      for (const n of fams) {
        const losses = g.filter((r) => r.N === N && r.cls === 'local' && r.family === n).map((r) => r.loss);
        const none = g.filter((r) => r.N === N && r.cls === 'none' && r.family === n).length;
        const pr = teacher === PREDICTED_TEACHER ? preds.get(predictionKey(n, eta)) : undefined;
        const at = pr?.status === 'predicted' && pr.numbers ? scaleToN(pr.numbers, N) : null;
        const k = losses.length;
        const m = k ? mean(losses) : NaN;
        const sd = sampleSd(losses);
        const level = pr?.numbers?.level ?? nearestLevel(levels, n, 0)?.loss ?? NaN;
        const z = at ? (m - at.levelMean) / Math.sqrt(at.sd ** 2 / k + at.shiftFiniteNSe ** 2) : NaN;
        rows.push([
          eta, N, teacher, n, pr?.branch ?? '', pr?.status ?? 'not-applicable-teacher', k, none, level,
          at?.levelOde ?? NaN, at?.levelMean ?? NaN, at?.shiftFiniteNSe ?? NaN, at?.sd ?? NaN, at?.sdSe ?? NaN,
          m, sd / Math.sqrt(k), sd, sd / Math.sqrt(2 * (k - 1)), k ? peakOf(losses).median : NaN, z, at ? sd / at.sd : NaN,
        ]);
        if (at && Number.isFinite(at.levelMean) && Number.isFinite(at.sd)) {
          const key = figName({ algorithm: 'sgd', lr, teacher });
          marks.set(key, [...(marks.get(key) ?? []), { facetValue: N, x: at.levelMean, lo: at.levelMean - at.sd, hi: at.levelMean + at.sd }]);
        }
      }
    }
  }
  return { rows, marks };
}

/** Rewrites every report file from the runs present; logs a one-line summary per configuration. */
export async function writeFiniteNReport(o: FiniteNOptions, log: (s: string) => void = () => {}): Promise<void> {
  const { levels, source } = loadLevels(o.K, o.M, o.levelsCsv, join(o.outDir, `levels-K${o.K}M${o.M}.csv`));
  const runs = loadRuns(o);
  const groups = [...groupBy(runs, keyOf).values()].sort((a, b) =>
    a[0].algorithm.localeCompare(b[0].algorithm) || String(a[0].lr).localeCompare(String(b[0].lr)) || a[0].teacher.localeCompare(b[0].teacher) || a[0].N - b[0].N);
  const famRows: Cell[][] = [];
  const famObjs: Row[] = [];
  for (const g of groups) {
    const { algorithm, lr, teacher, N } = g[0];
    const n = g.length;
    const cats = new Map<string, RunRec[]>();
    for (const r of g) {
      const c = r.cls === 'local' ? `local|${r.family}` : r.cls === 'global' ? 'global|0' : `${r.cls}|-1`;
      cats.set(c, [...(cats.get(c) ?? []), r]);
    }
    const order = [...cats.keys()].sort((a, b) => Number(a.split('|')[1]) - Number(b.split('|')[1]) || a.localeCompare(b));
    const parts: string[] = [];
    for (const c of order) {
      const rs = cats.get(c)!;
      const [category, fs] = c.split('|');
      const fam = Number(fs);
      const [lo, hi] = wilson(rs.length, n);
      const pk = peakOf(rs.map((r) => r.loss));
      // SGD sits above its level by its O(η) bias: compare it with the family's lowest level
      const lev = category === 'local' ? nearestLevel(levels, fam, algorithm === 'sgd' ? 0 : pk.median) : category === 'global' ? { n: 0, branch: 0, loss: 0, stable: '1' } : undefined;
      const maxAbs = lev ? Math.max(...rs.map((r) => Math.abs(r.loss - lev.loss))) : NaN;
      const row: Cell[] = [
        o.K, o.M, algorithm, lr, teacher, N, category, fam, n, rs.length, rs.length / n, lo, hi,
        pk.median, pk.q1, pk.q3, pk.iqr, pk.min, pk.max, lev?.loss ?? NaN, lev?.branch ?? '', lev ? pk.median - lev.loss : NaN, maxAbs,
      ];
      famRows.push(row);
      famObjs.push(Object.fromEntries(FAMILY_COLUMNS.map((h, i) => [h, row[i]])));
      parts.push(`${category === 'local' ? `n=${fam}` : category} ${rs.length}${category === 'local' ? ` @${pk.median.toPrecision(6)}±${pk.iqr.toExponential(1)}` : ''}`);
    }
    log(`${seriesOf(g[0])} N=${N}: ${n} runs: ${parts.join(', ')}`);
  }
  writeCsv(join(o.outDir, 'families.csv'), FAMILY_COLUMNS, famRows);

  // width and shift scaling with N
  const fitRows: Cell[][] = [];
  const localFams = famObjs.filter((r) => r.category === 'local' && (r.count as number) >= FIT_MIN_COUNT);
  for (const s of groupBy(localFams, (r) => `${r.algorithm}|${r.lr}|${r.teacher}|${r.family_n}`).values()) {
    // all N, and the large-N end (N ≥ FIT_LARGE_N) when it has ≥ 3 points
    for (const [suffix, sub] of [['', s], [`_N>=${FIT_LARGE_N}`, s.filter((r) => (r.N as number) >= FIT_LARGE_N)]] as const) {
      if (suffix && sub.length < 3) continue;
      const Ns = sub.map((r) => r.N as number);
      for (const [quantity, ys] of [['iqr', sub.map((r) => r.iqr as number)], ['abs_median_minus_level', sub.map((r) => Math.abs(r.median_minus_level as number))]] as const) {
        const f = logLogFit(Ns, ys, Math.log10);
        fitRows.push([o.K, o.M, sub[0].algorithm, sub[0].lr, sub[0].teacher, sub[0].family_n, quantity + suffix, f.points, Ns.join(' '), f.slope, f.slopeSe, f.intercept]);
      }
    }
  }
  writeCsv(join(o.outDir, 'width-fit.csv'), FIT_COLUMNS, fitRows);

  // SGD against the predictions of docs/theory.md §9 (orthonormal teacher), cached per (family, η)
  const pred = sgdVsPrediction(o, runs, levels, log);
  writeCsv(join(o.outDir, 'sgd-vs-prediction.csv'), SGD_PRED_COLUMNS, pred.rows);

  // histograms: one figure per (algorithm, η, teacher), one panel per N, non-global runs
  const histRows: Cell[][] = [];
  for (const fig of groupBy(runs, figName).values()) {
    const nonGlobal = fig.filter((r) => r.cls !== 'global' && r.cls !== 'diverged' && Number.isFinite(r.loss));
    const s = nonGlobal.map((r) => r.loss).sort((a, b) => a - b);
    const populated = levels.filter((l) => s.some((v) => Math.abs(v - l.loss) < 1e-3));
    const panelMarks = pred.marks.get(figName(fig[0])) ?? [];
    const xmax = Math.max(1.1 * quantile(s, 0.99) || 0, ...populated.map((l) => 1.05 * l.loss), ...panelMarks.map((m) => 1.05 * m.hi), 0.05);
    const data: Row[] = [];
    for (const g of groupBy(fig, (r) => String(r.N)).values()) {
      const v = g.filter((r) => r.cls !== 'global' && r.cls !== 'diverged').map((r) => r.loss);
      for (const b of histogram(v, 0, xmax, 150)) {
        const row: Row = { algorithm: g[0].algorithm, lr: g[0].lr, teacher: g[0].teacher, N: g[0].N, bin_lo: b.lo, bin_hi: b.hi, count: b.count };
        data.push(row);
        histRows.push(HIST_COLUMNS.map((h) => row[h]));
      }
    }
    data.sort((a, b) => (a.N as number) - (b.N as number));
    const f0 = fig[0];
    await writeHistogramChart(join(o.outDir, `hist-${figName(f0)}.svg`), data, {
      title: panelMarks.length
        ? [`K = M = ${o.K}, ${seriesOf(f0)}: final loss of non-global runs (dashed: infinite-N levels)`,
          'solid: predicted SGD mean ⟨ε⟩ at N, shaded: ± 1 predicted sd of ε (docs/theory.md §9)']
        : `K = M = ${o.K}, ${seriesOf(f0)}: final loss of non-global runs (dashed: infinite-N levels)`,
      x: 'bin_lo', x2: 'bin_hi', y: 'count', xTitle: 'final loss ε', yTitle: 'runs', facet: 'N',
      rules: levels.map((l) => l.loss).filter((x) => x <= xmax), xDomain: [0, xmax], height: 70, ...(panelMarks.length ? { panelMarks } : {}),
    }, HIST_COLUMNS);
  }
  writeCsv(join(o.outDir, 'histogram.csv'), HIST_COLUMNS, histRows);

  // width, shift and fractions against N
  const series = localFams.map((r) => ({ ...r, series: `${r.algorithm === 'gd' ? 'gd' : `sgd η=${r.lr}`} ${r.teacher} n=${r.family_n}`, abs_shift: Math.abs(r.median_minus_level as number) }));
  if (series.length) {
    await writeLineChart(join(o.outDir, 'width-vs-N.svg'), series, {
      title: `K = M = ${o.K}: peak width (IQR of final ε) per family`, x: 'N', y: 'iqr', xScale: 'log', yScale: 'log', color: 'series', points: true, yTitle: 'IQR of final loss',
    }, ['series', 'N', 'iqr', 'count', 'median_loss', 'level']);
    await writeLineChart(join(o.outDir, 'shift-vs-N.svg'), series, {
      title: `K = M = ${o.K}: |peak position − infinite-N level| per family`, x: 'N', y: 'abs_shift', xScale: 'log', yScale: 'log', color: 'series', points: true, yTitle: '|median ε − level|',
    }, ['series', 'N', 'abs_shift', 'median_loss', 'level', 'count']);
  }
  const fr = famObjs.filter((r) => r.algorithm === 'gd').map((r) => ({ ...r, family: r.category === 'local' ? `n=${r.family_n}` : String(r.category) }));
  if (fr.length) {
    await writeLineChart(join(o.outDir, 'fractions-gd.svg'), fr, {
      title: `K = M = ${o.K}, population GD: fraction of runs per family`, x: 'N', y: 'fraction', xScale: 'log', color: 'family', dash: 'teacher', points: true,
    }, ['teacher', 'N', 'family', 'count', 'runs', 'fraction', 'ci_low', 'ci_high']);
  }

  // explicit GD vs ODE
  const gdRows: Cell[][] = [];
  const dir = join(o.outDir, 'runs');
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).sort()) {
      if (!f.startsWith('gd-') || !f.endsWith('.csv') || !f.includes(`-K${o.K}M${o.M}-`)) continue;
      const rs = readCsvFile(join(dir, f));
      if (!rs.length) continue;
      const num = (c: string) => rs.map((r) => Number(r[c]));
      const mx = (c: string) => Math.max(...num(c));
      const med = (c: string) => quantile(num(c).sort((a, b) => a - b), 0.5);
      gdRows.push([rs[0].teacher, Number(rs[0].N), rs.length, med('tau'), mx('max_loss_err'), med('max_loss_err'), mx('max_Q_err'), mx('max_R_err'), mx('final_loss_err')]);
    }
  }
  gdRows.sort((a, b) => String(a[0]).localeCompare(String(b[0])) || (a[1] as number) - (b[1] as number));
  writeCsv(join(o.outDir, 'gd-vs-ode.csv'), GDCMP_COLUMNS, gdRows);

  // SGD bias: against the level and against the paired ODE run (same network)
  const ode = new Map(runs.filter((r) => r.algorithm === 'gd').map((r) => [`${r.teacher}|${r.N}|${r.run}`, r]));
  const biasRows: Cell[][] = [];
  for (const g of groupBy(runs.filter((r) => r.algorithm === 'sgd' && r.cls === 'local'), (r) => `${r.teacher}|${r.lr}|${r.N}|${r.family}`).values()) {
    const { teacher, lr, N, family } = g[0];
    const pk = peakOf(g.map((r) => r.loss));
    const lev: Level | undefined = nearestLevel(levels, family, 0); // the family's lowest level
    const avg = peakOf(g.map((r) => r.lossAvg));
    const diffs = g.flatMap((r) => {
      const p = ode.get(`${teacher}|${N}|${r.run}`);
      return p && p.cls === 'local' && p.family === family ? [r.loss - p.loss] : [];
    });
    const d = peakOf(diffs);
    biasRows.push([teacher, lr, N, family, g.length, lev?.loss ?? NaN, lev ? pk.median - lev.loss : NaN, lev ? avg.median - lev.loss : NaN, diffs.length, d.median, d.q1, d.q3, d.median / (lr as number)]);
  }
  biasRows.sort((a, b) => String(a[0]).localeCompare(String(b[0])) || (a[1] as number) - (b[1] as number) || (a[2] as number) - (b[2] as number) || (a[3] as number) - (b[3] as number));
  writeCsv(join(o.outDir, 'sgd-bias.csv'), BIAS_COLUMNS, biasRows);

  // SGD started on the fixed points: stationary bias against η
  const lvRows = readCsvFile(join(o.outDir, 'runs', `sgd-level-K${o.K}M${o.M}.csv`));
  const lvOut: Cell[][] = [];
  const lvObjs: Row[] = [];
  for (const g of groupBy(lvRows, (r) => `${r.N}|${Number(r.lr)}|${r.family_n}`).values()) {
    const ok = g.filter((r) => !isTrue(r.diverged) && Number(r.end_family_n) === Number(r.family_n));
    const b = ok.map((r) => Number(r.loss_mean) - Number(r.level));
    const mean = b.reduce((x, y) => x + y, 0) / Math.max(1, b.length);
    const sd = Math.sqrt(b.reduce((x, y) => x + (y - mean) ** 2, 0) / Math.max(1, b.length - 1));
    const within = Math.sqrt(ok.reduce((x, r) => x + Number(r.loss_se) ** 2, 0)) / Math.max(1, ok.length);
    const lr = Number(g[0].lr);
    const row: Cell[] = [Number(g[0].N), lr, Number(g[0].family_n), g.length, g.filter((r) => !isTrue(r.diverged) && Number(r.end_family_n) !== Number(r.family_n)).length,
      g.filter((r) => isTrue(r.diverged)).length, Number(g[0].level), ok.length ? mean : NaN, ok.length > 1 ? sd / Math.sqrt(ok.length) : NaN, ok.length ? mean / lr : NaN, within];
    lvOut.push(row);
    lvObjs.push({ ...Object.fromEntries(LEVEL_BIAS_COLUMNS.map((h, i) => [h, row[i]])), series: `N=${g[0].N} n=${g[0].family_n}` });
  }
  lvOut.sort((a, b) => (a[2] as number) - (b[2] as number) || (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  writeCsv(join(o.outDir, 'sgd-at-level.csv'), LEVEL_BIAS_COLUMNS, lvOut);
  const lvFit: Cell[][] = [];
  for (const g of groupBy(lvObjs, (r) => String(r.series)).values()) {
    const ok = g.filter((r) => Number.isFinite(r.bias_mean as number));
    const f = logLogFit(ok.map((r) => r.lr as number), ok.map((r) => r.bias_mean as number), Math.log10);
    const [a, b] = ok.length >= 2 ? fitLinearQuadratic(ok.map((r) => r.lr as number), ok.map((r) => r.bias_mean as number)) : [NaN, NaN];
    lvFit.push([g[0].N, g[0].family_n, f.points, ok.map((r) => r.lr).join(' '), f.slope, f.slopeSe, f.intercept, a, b]);
  }
  writeCsv(join(o.outDir, 'sgd-at-level-fit.csv'), LEVEL_FIT_COLUMNS, lvFit);
  if (lvObjs.length) {
    await writeLineChart(join(o.outDir, 'sgd-bias-vs-eta.svg'), lvObjs, {
      title: `K = M = ${o.K}: online SGD started on the fixed point, stationary ε − level`, x: 'lr', y: 'bias_mean', xScale: 'log', yScale: 'log',
      color: 'series', points: true, xTitle: 'learning rate η', yTitle: '⟨ε⟩ − level',
    }, ['series', 'N', 'lr', 'family_n', 'bias_mean', 'bias_se', 'level']);
  }

  const counts = Object.fromEntries(groups.map((g) => [`${seriesOf(g[0])} N=${g[0].N}`, g.length]));
  const gdCounts = Object.fromEntries(gdRows.map((r) => [`gd-explicit ${r[0]} N=${r[1]}`, r[2]]));
  writeManifest(join(o.outDir, 'finite-n.manifest.json'), makeManifest('study finite-n', { ...o }, {
    levels_source: source, runs_per_configuration: counts, explicit_gd_runs: gdCounts,
    sgd_predictions: { cache: sgdPredictionsPath(o), teacher: PREDICTED_TEACHER, ...(o.sgdPrediction ?? FINITE_N_DEFAULTS.sgdPrediction) },
    requested: { ode_runs: o.runs, gd_runs: o.gdRuns, sgd_runs: o.sgdRuns },
    complete: groups.every((g) => g.length >= (g[0].algorithm === 'gd' ? o.runs : o.sgdRuns))
      && groups.filter((g) => g[0].algorithm === 'sgd').length === o.sgdNs.length * o.sgdLrs.length * o.sgdTeachers.length,
  }));
}
