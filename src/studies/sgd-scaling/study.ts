// `scmv study sgd-scaling` (issue 6, study 2): does online SGD follow gradient flow when η ~ 1/N
// (the paper's Result 3)? For each (K, M) in --configs, N in --Ns, seed, η-scaling (η = c, c/√N,
// c/N) and c in --cs, one online-SGD run on explicit weights is compared, in τ = η·steps/N, with
// the gradient flow and with the SGD ODE (η Φ term) from the same (Q0, R0, T)
// (study-sgd-scaling-job.ts). Outputs in --out-dir:
//  - runs.csv: one row per run (resumable: rows present are skipped), with
//    loss_dev_gf = max_τ |ε_SGD − ε_GF|, loss_dev_sgd_ode (the same against the SGD ODE),
//    Q_max_err, R_max_err (max entrywise |Q_SGD − Q_GF|, |R_SGD − R_GF| over τ), their SGD-ODE twins;
//  - trajectories.csv: ε_SGD, ε_GF, ε_SGD-ODE at every recorded τ of every run;
//  - summary.csv: medians over seeds per (K, M, scaling, c, N);
//  - fits.csv: least-squares slope and constant of log(deviation) = log A + p·log N per
//    (K, M, scaling, c), for the GF and the SGD-ODE deviations, over the N whose runs all
//    covered the whole trajectory (no truncated or diverged run);
//  - deviation-gf-K{K}M{M}.svg, deviation-sgd-ode-K{K}M{M}.svg (log-log, via src/io/plot.ts),
//    trajectories-K{K}M{M}.svg (ε(τ) of SGD at each scaling and of GF for one network), and a
//    manifest (summary.manifest.json).
// Jobs run cheapest first, so --time-budget cuts the most expensive (small-η, large-N) runs.
import { join } from 'node:path';
import { mapPool } from '../../runs/pool.js';
import { timeBudget } from '../../runs/budget.js';
import { appendCsv, numericRecord, readCsvFile, writeCsv, type Cell } from '../../io/csv.js';
import { median, quantile } from '../../stats/describe.js';
import { logLogFit } from '../../stats/fit.js';
import { groupBy } from '../../stats/group.js';
import { removeCheckpoint } from '../../runs/checkpoint.js';
import { openResumable } from '../../io/resumable.js';
import { makeManifest, manifestPath, writeManifest } from '../../io/manifest.js';
import { writeLineChart, type Row } from '../../io/plot.js';
import type { ActivationName } from '../../activations/index.js';
import type { BackendName } from '../../network/backend.js';
import type { TeacherKind } from '../../network/teacher.js';
import { etaOf, scalingLabel, SCALINGS, SGD_SCALING_JOB, type Scaling, type SgdScalingJobInput } from './job.js';

export interface SgdScalingOptions {
  configs: [number, number][];
  Ns: number[];
  scalings: Scaling[];
  cs: number[];
  seeds: number;
  seed: number;
  activation: ActivationName;
  alpha: number;
  teacher: TeacherKind;
  tauMax: number;
  convFrac: number;
  records: number;
  maxSteps: number;
  backend: BackendName;
  rtol: number;
  workers: number;
  timeBudget: number;
  /** A run saves a checkpoint at most this often (seconds) in <outDir>/checkpoints/, removed once its row is written. */
  checkpointSeconds: number;
  outDir: string;
  command?: string;
}

export const RUN_COLUMNS = [
  'activation', 'K', 'M', 'N', 'seed', 'teacher', 'scaling', 'c', 'eta', 'tau_conv', 'tau_end', 'steps', 'truncated', 'diverged',
  'sgd_ode_diverged', 'loss0', 'loss_gf_end', 'loss_sgd_ode_end', 'loss_sgd_end', 'loss_dev_gf', 'loss_dev_sgd_ode', 'rel_dev_gf', 'within_1pct',
  'Q_max_err', 'R_max_err', 'Q_max_err_sgd_ode', 'R_max_err_sgd_ode', 'sgd_ode_rhs_evals', 'wall_ms',
] as const;
export const TRAJECTORY_COLUMNS = ['K', 'M', 'N', 'seed', 'scaling', 'c', 'eta', 'tau', 'loss_sgd', 'loss_gf', 'loss_sgd_ode'] as const;
export const SUMMARY_COLUMNS = ['K', 'M', 'scaling', 'c', 'N', 'eta', 'runs', 'diverged', 'truncated', 'loss_dev_gf', 'loss_dev_gf_q1', 'loss_dev_gf_q3', 'loss_dev_sgd_ode', 'loss_dev_sgd_ode_q1', 'loss_dev_sgd_ode_q3', 'rel_dev_gf', 'Q_max_err', 'R_max_err', 'Q_max_err_sgd_ode', 'R_max_err_sgd_ode', 'within_1pct'] as const;
export const FIT_COLUMNS = ['K', 'M', 'scaling', 'c', 'measure', 'points', 'N_min', 'N_max', 'slope', 'constant', 'slope_se'] as const;


/** A run's key in runs.csv (and replicas.csv): K|M|N|seed|scaling|c. */
export const keyOf = (r: Record<string, unknown> | SgdScalingJobInput) => `${r.K}|${r.M}|${r.N}|${r.seed}|${r.scaling}|${Number(r.c)}`;

/** The checkpoint file of a run (runs/checkpoint.ts): <outDir>/checkpoints/K4M4-N1600-s1-inv-c2[-r8].json. */
export function checkpointOf(outDir: string, j: SgdScalingJobInput): string {
  return join(outDir, 'checkpoints', `K${j.K}M${j.M}-N${j.N}-s${j.seed}-${j.scaling}-c${j.c}${(j.replicas ?? 1) > 1 ? `-r${j.replicas}` : ''}.json`);
}

/** Rough cost of a job in SGD steps × N × replicas (for the cheapest-first order). */
function cost(j: SgdScalingJobInput): number {
  return Math.min((100 * j.N) / etaOf(j.scaling, j.c, j.N), j.maxSteps) * j.N * (j.replicas ?? 1);
}

/**
 * The runs of `o` whose key is not in `have`, cheapest first, each with its checkpoint file;
 * with replicas > 1, that many input streams per network (replicas.ts).
 */
export function plannedJobs(o: SgdScalingOptions, have: ReadonlySet<string>, replicas = 1): SgdScalingJobInput[] {
  const jobs: SgdScalingJobInput[] = [];
  for (const [K, M] of o.configs)
    for (const N of o.Ns)
      for (let s = 0; s < o.seeds; s++)
        for (const scaling of o.scalings)
          for (const c of o.cs) {
            const j: SgdScalingJobInput = {
              activation: o.activation, alpha: o.alpha, K, M, N, seed: o.seed + s, teacher: o.teacher, scaling, c,
              tauMax: o.tauMax, convFrac: o.convFrac, records: o.records, maxSteps: o.maxSteps, backend: o.backend, rtol: o.rtol,
              ...(replicas > 1 ? { replicas } : {}),
            };
            if (!have.has(keyOf(j))) jobs.push({ ...j, checkpoint: checkpointOf(o.outDir, j), checkpointSeconds: o.checkpointSeconds });
          }
  return jobs.sort((a, b) => cost(a) - cost(b));
}

/** A point of the study, over seeds: K|M|scaling|c|N. */
export const pointKey = (r: Row) => `${r.K}|${r.M}|${r.scaling}|${r.c}|${r.N}`;
/** A series of points over N: K|M|scaling|c. */
export const seriesKey = (r: Row) => `${r.K}|${r.M}|${r.scaling}|${r.c}`;

/**
 * FIT_COLUMNS rows: per series (summary rows of one K, M, scaling, c over N) and measure, the
 * least-squares fit log(measure) = log A + p·log N (stats/fit.ts).
 */
export function fitRows(series: Iterable<Row[]>, measures: readonly string[]): Cell[][] {
  const fits: Cell[][] = [];
  for (const rs of series) {
    const Ns = rs.map((r) => Number(r.N));
    for (const measure of measures) {
      const f = logLogFit(Ns, rs.map((r) => Number(r[measure])));
      fits.push([rs[0].K, rs[0].M, rs[0].scaling, rs[0].c, measure, f.points, Math.min(...Ns), Math.max(...Ns), f.slope, Math.exp(f.intercept), f.slopeSe]);
    }
  }
  return fits;
}

/** runs.csv or trajectories.csv rows with numbers parsed. */
export function readRuns(path: string): Record<string, string | number>[] {
  return readCsvFile(path).map(numericRecord);
}

/** The options that change a row (kept in runs.manifest.json and compared on resume). */
export function rowOptionsOf(o: SgdScalingOptions): Record<string, unknown> {
  return { activation: o.activation, alpha: o.alpha, teacher: o.teacher, tauMax: o.tauMax, convFrac: o.convFrac, records: o.records, rtol: o.rtol };
}

/**
 * Runs the study (resuming runs.csv, which it holds locked, so a second process on the same
 * output is refused) and writes the summary, fits, figures and manifests.
 */
export async function runSgdScaling(o: SgdScalingOptions, log: (msg: string) => void = () => {}, signal?: AbortSignal): Promise<void> {
  const runsPath = join(o.outDir, 'runs.csv');
  const file = openResumable(runsPath, RUN_COLUMNS, { rowOptions: rowOptionsOf(o) });
  try {
    await runLocked(o, file.rows, log, signal);
  } finally {
    file.release();
  }
}

async function runLocked(o: SgdScalingOptions, present: readonly Record<string, unknown>[], log: (msg: string) => void, signal?: AbortSignal): Promise<void> {
  const runsPath = join(o.outDir, 'runs.csv');
  const trajPath = join(o.outDir, 'trajectories.csv');
  const have = new Set(present.map((r) => keyOf(r)));
  const jobs = plannedJobs(o, have);
  log(`sgd-scaling: ${jobs.length} runs to do (${have.size} already in ${runsPath})`);
  const budget = timeBudget(o.timeBudget, signal);
  let done = 0;
  await mapPool(
    SGD_SCALING_JOB,
    jobs,
    {
      workers: o.workers,
      signal: budget.signal,
      onResult(i, out) {
        appendCsv(runsPath, RUN_COLUMNS, [RUN_COLUMNS.map((k) => out.row[k] as Cell)]);
        const r = out.row;
        appendCsv(trajPath, TRAJECTORY_COLUMNS, out.trajectory.map((p) => [r.K, r.M, r.N, r.seed, r.scaling, r.c, r.eta, p.tau, p.loss_sgd, p.loss_gf, p.loss_sgd_ode] as Cell[]));
        removeCheckpoint(jobs[i].checkpoint!);
        done++;
        log(`  [${done}/${jobs.length}] K=${r.K} M=${r.M} N=${r.N} seed=${r.seed} ${r.scaling} c=${r.c}: dev_gf=${Number(r.loss_dev_gf).toExponential(2)} dev_sgd_ode=${Number(r.loss_dev_sgd_ode).toExponential(2)} (${r.wall_ms} ms)`);
        budget.check();
      },
    },
  ).finally(() => budget.dispose());
  if (budget.spent) log(`sgd-scaling: time budget of ${o.timeBudget} s spent; the report covers the runs done, and a rerun resumes the rest`);
  await writeSgdScalingReport(o);
}

/** summary.csv, fits.csv, the SVG figures and the manifest (plus `extra` in it), from runs.csv. */
export async function writeSgdScalingReport(o: SgdScalingOptions, extra: Record<string, unknown> = {}): Promise<void> {
  const runs = readRuns(join(o.outDir, 'runs.csv'));
  const summary: Row[] = [];
  for (const rs of groupBy(runs, pointKey).values()) {
    const r0 = rs[0];
    const ok = rs.filter((r) => Number(r.diverged) !== 1);
    const med = (f: string) => median(ok.map((r) => Number(r[f])));
    const q = (f: string, p: number) => quantile(ok.map((r) => Number(r[f])).sort((a, b) => a - b), p);
    summary.push({
      K: r0.K, M: r0.M, scaling: r0.scaling, c: r0.c, N: r0.N, eta: r0.eta, runs: rs.length,
      diverged: rs.length - ok.length, truncated: rs.filter((r) => Number(r.truncated) === 1).length,
      loss_dev_gf: med('loss_dev_gf'), loss_dev_gf_q1: q('loss_dev_gf', 0.25), loss_dev_gf_q3: q('loss_dev_gf', 0.75),
      loss_dev_sgd_ode: med('loss_dev_sgd_ode'), loss_dev_sgd_ode_q1: q('loss_dev_sgd_ode', 0.25), loss_dev_sgd_ode_q3: q('loss_dev_sgd_ode', 0.75),
      rel_dev_gf: med('rel_dev_gf'),
      Q_max_err: med('Q_max_err'), R_max_err: med('R_max_err'), Q_max_err_sgd_ode: med('Q_max_err_sgd_ode'), R_max_err_sgd_ode: med('R_max_err_sgd_ode'),
      within_1pct: ok.length === rs.length && ok.every((r) => Number(r.within_1pct) === 1) ? 1 : 0,
    });
  }
  const order = (s: unknown) => SCALINGS.indexOf(s as Scaling);
  summary.sort((a, b) => Number(a.K) - Number(b.K) || Number(a.M) - Number(b.M) || order(a.scaling) - order(b.scaling) || Number(a.c) - Number(b.c) || Number(a.N) - Number(b.N));
  writeCsv(join(o.outDir, 'summary.csv'), SUMMARY_COLUMNS, summary.map((r) => SUMMARY_COLUMNS.map((k) => r[k])));

  // fits use only groups whose every run covered the whole trajectory (no truncated or diverged run)
  const series = groupBy(summary.filter((x) => x.truncated === 0 && x.diverged === 0), seriesKey).values();
  writeCsv(join(o.outDir, 'fits.csv'), FIT_COLUMNS, fitRows(series, ['loss_dev_gf', 'loss_dev_sgd_ode', 'Q_max_err', 'R_max_err']));

  const label = (r: Row) => `η = ${scalingLabel(r.scaling)}`;
  for (const [K, M] of Array.from(new Set(summary.map((r) => `${r.K}|${r.M}`)), (s) => s.split('|').map(Number))) {
    const data = summary.filter((r) => r.K === K && r.M === M).map((r) => ({ ...r, 'η-scaling': label(r), c: `c = ${r.c}` }));
    if (data.length === 0) continue;
    for (const [measure, name, title] of [
      ['loss_dev_gf', 'deviation-gf', 'max_τ |ε_SGD − ε_GF|'],
      ['loss_dev_sgd_ode', 'deviation-sgd-ode', 'max_τ |ε_SGD − ε_SGD-ODE|'],
    ] as const) {
      await writeLineChart(join(o.outDir, `${name}-K${K}M${M}.svg`), data, {
        title: `Online SGD vs ${measure === 'loss_dev_gf' ? 'gradient flow' : 'SGD ODE'}, K = ${K}, M = ${M} (median over seeds, bars: quartiles)`,
        x: 'N', y: measure, xScale: 'log', yScale: 'log', xTitle: 'N', yTitle: title, color: 'η-scaling', dash: 'c', points: true,
        yLow: `${measure}_q1`, yHigh: `${measure}_q3`,
      }, ['K', 'M', 'η-scaling', 'c', 'N', 'eta', 'runs', measure, `${measure}_q1`, `${measure}_q3`]);
    }
  }
  // example trajectories: for each (K, M), the largest N at which seed o.seed has all scalings at
  // the smallest c, ε vs τ for SGD at each scaling and for gradient flow
  const traj = readRuns(join(o.outDir, 'trajectories.csv'));
  const cMin = Math.min(...o.cs);
  for (const [K, M] of o.configs) {
    const mine = traj.filter((r) => r.K === K && r.M === M && r.seed === o.seed && r.c === cMin);
    const Ns = [...new Set(mine.map((r) => Number(r.N)))].sort((a, b) => b - a);
    const N = Ns.find((n) => o.scalings.every((sc) => mine.some((r) => r.N === n && r.scaling === sc)));
    if (N === undefined) continue;
    const data: Row[] = [];
    for (const sc of o.scalings) {
      const rs = mine.filter((r) => r.N === N && r.scaling === sc);
      const name = `SGD, η = ${scalingLabel(sc)}`;
      for (const r of rs) data.push({ series: name, tau: r.tau, loss: r.loss_sgd });
      if (sc === o.scalings[o.scalings.length - 1]) for (const r of rs) data.push({ series: 'gradient flow', tau: r.tau, loss: r.loss_gf });
    }
    await writeLineChart(join(o.outDir, `trajectories-K${K}M${M}.svg`), data, {
      title: `ε(τ), K = ${K}, M = ${M}, N = ${N}, c = ${cMin}, seed ${o.seed}`,
      x: 'tau', y: 'loss', xTitle: 'τ = η·steps/N', yTitle: 'ε', yScale: 'log', color: 'series',
    }, ['series', 'tau', 'loss']);
  }
  const manifest = makeManifest(o.command ?? 'study sgd-scaling', { ...o, configs: o.configs.map(([K, M]) => `${K}x${M}`) }, { runs: runs.length, ...extra });
  writeManifest(manifestPath(join(o.outDir, 'summary.csv')), manifest);
  // beside runs.csv, where a resume reads the row options back
  writeManifest(manifestPath(join(o.outDir, 'runs.csv')), { ...manifest, rowOptions: rowOptionsOf(o) });
}


/** The study's defaults (the CLI shows and uses these). */
export const SGD_SCALING_DEFAULTS = {
  configs: [[4, 4], [5, 4]] as [number, number][], Ns: [100, 200, 400, 800, 1600], scalings: [...SCALINGS] as Scaling[], cs: [0.5, 2],
  seeds: 3, seed: 1, teacher: 'gaussian' as TeacherKind, tauMax: 300, convFrac: 1e-3, records: 100, maxSteps: 1e8, rtol: 1e-7,
  timeBudget: 0, checkpointSeconds: 300, outDir: 'results/sgd-scaling',
};

/** `--quick`: K = M = 4, three N, one c and one seed, short runs (< 2 min). */
export const SGD_SCALING_QUICK = { configs: [[4, 4]] as [number, number][], Ns: [50, 100, 200], cs: [0.5], seeds: 1, tauMax: 100, records: 40, maxSteps: 2e6, rtol: 1e-6 };
