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
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapPool } from './pool.js';
import { appendCsv, writeCsv, type Cell } from '../io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../io/manifest.js';
import { writeLineChart, type Row } from '../io/plot.js';
import { choice, int, list, real, seedOption, UsageError } from '../commands/options.js';
import { ACTIVATION_NAMES, type ActivationName } from '../activations/index.js';
import { BACKEND_NAMES, type BackendName } from '../network/backend.js';
import { TEACHER_KINDS, type TeacherKind } from '../network/teacher.js';
import { etaOf, SCALINGS, type Scaling, type SgdScalingJobInput, type SgdScalingJobOutput } from './study-sgd-scaling-job.js';
import { parse } from 'csv-parse/sync';

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
  outDir: string;
  command?: string;
}

export const RUN_COLUMNS = [
  'activation', 'K', 'M', 'N', 'seed', 'teacher', 'scaling', 'c', 'eta', 'tau_conv', 'tau_end', 'steps', 'truncated', 'diverged',
  'sgd_ode_diverged', 'loss0', 'loss_gf_end', 'loss_sgd_ode_end', 'loss_sgd_end', 'loss_dev_gf', 'loss_dev_sgd_ode', 'rel_dev_gf', 'within_1pct',
  'Q_max_err', 'R_max_err', 'Q_max_err_sgd_ode', 'R_max_err_sgd_ode', 'sgd_ode_rhs_evals', 'wall_ms',
] as const;
export const TRAJECTORY_COLUMNS = ['K', 'M', 'N', 'seed', 'scaling', 'c', 'eta', 'tau', 'loss_sgd', 'loss_gf', 'loss_sgd_ode'] as const;
export const SUMMARY_COLUMNS = ['K', 'M', 'scaling', 'c', 'N', 'eta', 'runs', 'diverged', 'truncated', 'loss_dev_gf', 'loss_dev_sgd_ode', 'rel_dev_gf', 'Q_max_err', 'R_max_err', 'Q_max_err_sgd_ode', 'R_max_err_sgd_ode', 'within_1pct'] as const;
export const FIT_COLUMNS = ['K', 'M', 'scaling', 'c', 'measure', 'points', 'N_min', 'N_max', 'slope', 'constant'] as const;

const JOB = new URL(import.meta.url.endsWith('.ts') ? './study-sgd-scaling-job.ts' : './study-sgd-scaling-job.js', import.meta.url).href;

const keyOf = (r: Record<string, unknown> | SgdScalingJobInput) => `${r.K}|${r.M}|${r.N}|${r.seed}|${r.scaling}|${Number(r.c)}`;

/** Rough cost of a job in SGD steps × N (for the cheapest-first order). */
function cost(j: SgdScalingJobInput): number {
  return Math.min((100 * j.N) / etaOf(j.scaling, j.c, j.N), j.maxSteps) * j.N;
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

/** Least squares of log y = log A + p log x; returns [p, A] (NaN with < 2 usable points). */
export function powerFit(xs: number[], ys: number[]): [number, number, number] {
  const pts = xs.map((x, i) => [Math.log(x), Math.log(ys[i])]).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  if (pts.length < 2) return [NaN, NaN, pts.length];
  const mx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const my = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  let sxy = 0, sxx = 0;
  for (const [a, b] of pts) {
    sxy += (a - mx) * (b - my);
    sxx += (a - mx) * (a - mx);
  }
  const p = sxy / sxx;
  return [p, Math.exp(my - p * mx), pts.length];
}

/** Reads runs.csv rows (numbers parsed). */
export function readRuns(path: string): Record<string, string | number>[] {
  if (!existsSync(path)) return [];
  const rows = parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];
  return rows.map((r) => {
    const o: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(r)) {
      const n = v === 'Inf' ? Infinity : v === '-Inf' ? -Infinity : v === 'NaN' ? NaN : Number(v);
      o[k] = v !== '' && (Number.isFinite(n) || ['Inf', '-Inf', 'NaN'].includes(v)) ? n : v;
    }
    return o;
  });
}

/** Runs the study (resuming runs.csv) and writes the summary, fits, figures and manifest. */
export async function runSgdScaling(o: SgdScalingOptions, log: (msg: string) => void = () => {}): Promise<void> {
  const runsPath = join(o.outDir, 'runs.csv');
  const trajPath = join(o.outDir, 'trajectories.csv');
  const have = new Set(readRuns(runsPath).map((r) => keyOf(r)));
  const jobs: SgdScalingJobInput[] = [];
  for (const [K, M] of o.configs)
    for (const N of o.Ns)
      for (let s = 0; s < o.seeds; s++)
        for (const scaling of o.scalings)
          for (const c of o.cs) {
            const j: SgdScalingJobInput = {
              activation: o.activation, alpha: o.alpha, K, M, N, seed: o.seed + s, teacher: o.teacher, scaling, c,
              tauMax: o.tauMax, convFrac: o.convFrac, records: o.records, maxSteps: o.maxSteps, backend: o.backend, rtol: o.rtol,
            };
            if (!have.has(keyOf(j))) jobs.push(j);
          }
  jobs.sort((a, b) => cost(a) - cost(b));
  log(`sgd-scaling: ${jobs.length} runs to do (${have.size} already in ${runsPath})`);
  const started = Date.now();
  const abort = new AbortController();
  let done = 0;
  await mapPool<SgdScalingJobInput, SgdScalingJobOutput>(
    { module: JOB, fn: 'sgdScalingJob' },
    jobs,
    {
      workers: o.workers,
      signal: abort.signal,
      onResult(_i, out) {
        appendCsv(runsPath, RUN_COLUMNS, [RUN_COLUMNS.map((k) => out.row[k] as Cell)]);
        const r = out.row;
        appendCsv(trajPath, TRAJECTORY_COLUMNS, out.trajectory.map((p) => [r.K, r.M, r.N, r.seed, r.scaling, r.c, r.eta, p.tau, p.loss_sgd, p.loss_gf, p.loss_sgd_ode] as Cell[]));
        done++;
        log(`  [${done}/${jobs.length}] K=${r.K} M=${r.M} N=${r.N} seed=${r.seed} ${r.scaling} c=${r.c}: dev_gf=${Number(r.loss_dev_gf).toExponential(2)} dev_sgd_ode=${Number(r.loss_dev_sgd_ode).toExponential(2)} (${r.wall_ms} ms)`);
        if (o.timeBudget > 0 && (Date.now() - started) / 1000 > o.timeBudget) abort.abort();
      },
    },
  );
  await writeSgdScalingReport(o);
}

/** summary.csv, fits.csv, the SVG figures and the manifest, from runs.csv. */
export async function writeSgdScalingReport(o: SgdScalingOptions): Promise<void> {
  const runs = readRuns(join(o.outDir, 'runs.csv'));
  const groups = new Map<string, Record<string, string | number>[]>();
  for (const r of runs) {
    const k = `${r.K}|${r.M}|${r.scaling}|${r.c}|${r.N}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const summary: Row[] = [];
  for (const rs of groups.values()) {
    const r0 = rs[0];
    const ok = rs.filter((r) => Number(r.diverged) !== 1);
    const med = (f: string) => median(ok.map((r) => Number(r[f])));
    summary.push({
      K: r0.K, M: r0.M, scaling: r0.scaling, c: r0.c, N: r0.N, eta: r0.eta, runs: rs.length,
      diverged: rs.length - ok.length, truncated: rs.filter((r) => Number(r.truncated) === 1).length,
      loss_dev_gf: med('loss_dev_gf'), loss_dev_sgd_ode: med('loss_dev_sgd_ode'), rel_dev_gf: med('rel_dev_gf'),
      Q_max_err: med('Q_max_err'), R_max_err: med('R_max_err'), Q_max_err_sgd_ode: med('Q_max_err_sgd_ode'), R_max_err_sgd_ode: med('R_max_err_sgd_ode'),
      within_1pct: ok.length === rs.length && ok.every((r) => Number(r.within_1pct) === 1) ? 1 : 0,
    });
  }
  const order = (s: unknown) => SCALINGS.indexOf(s as Scaling);
  summary.sort((a, b) => Number(a.K) - Number(b.K) || Number(a.M) - Number(b.M) || order(a.scaling) - order(b.scaling) || Number(a.c) - Number(b.c) || Number(a.N) - Number(b.N));
  writeCsv(join(o.outDir, 'summary.csv'), SUMMARY_COLUMNS, summary.map((r) => SUMMARY_COLUMNS.map((k) => r[k])));

  const fits: Cell[][] = [];
  const series = new Map<string, Row[]>();
  // fits use only groups whose every run covered the whole trajectory (no truncated or diverged run)
  for (const r of summary.filter((x) => x.truncated === 0 && x.diverged === 0)) {
    const k = `${r.K}|${r.M}|${r.scaling}|${r.c}`;
    if (!series.has(k)) series.set(k, []);
    series.get(k)!.push(r);
  }
  for (const rs of series.values()) {
    for (const measure of ['loss_dev_gf', 'loss_dev_sgd_ode', 'Q_max_err', 'R_max_err']) {
      const [p, A, n] = powerFit(rs.map((r) => Number(r.N)), rs.map((r) => Number(r[measure])));
      fits.push([rs[0].K, rs[0].M, rs[0].scaling, rs[0].c, measure, n, Math.min(...rs.map((r) => Number(r.N))), Math.max(...rs.map((r) => Number(r.N))), p, A]);
    }
  }
  writeCsv(join(o.outDir, 'fits.csv'), FIT_COLUMNS, fits);

  const label = (r: Row) => `η = ${r.scaling === 'const' ? 'c' : r.scaling === 'sqrt' ? 'c/√N' : 'c/N'}`;
  for (const [K, M] of Array.from(new Set(summary.map((r) => `${r.K}|${r.M}`)), (s) => s.split('|').map(Number))) {
    const data = summary.filter((r) => r.K === K && r.M === M).map((r) => ({ ...r, 'η-scaling': label(r), c: `c = ${r.c}` }));
    if (data.length === 0) continue;
    for (const [measure, name, title] of [
      ['loss_dev_gf', 'deviation-gf', 'max_τ |ε_SGD − ε_GF|'],
      ['loss_dev_sgd_ode', 'deviation-sgd-ode', 'max_τ |ε_SGD − ε_SGD-ODE|'],
    ] as const) {
      await writeLineChart(join(o.outDir, `${name}-K${K}M${M}.svg`), data, {
        title: `Online SGD vs ${measure === 'loss_dev_gf' ? 'gradient flow' : 'SGD ODE'}, K = ${K}, M = ${M} (median over seeds)`,
        x: 'N', y: measure, xScale: 'log', yScale: 'log', xTitle: 'N', yTitle: title, color: 'η-scaling', dash: 'c', points: true,
      }, ['K', 'M', 'η-scaling', 'c', 'N', 'eta', measure]);
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
      const name = `SGD, η = ${sc === 'const' ? 'c' : sc === 'sqrt' ? 'c/√N' : 'c/N'}`;
      for (const r of rs) data.push({ series: name, tau: r.tau, loss: r.loss_sgd });
      if (sc === o.scalings[o.scalings.length - 1]) for (const r of rs) data.push({ series: 'gradient flow', tau: r.tau, loss: r.loss_gf });
    }
    await writeLineChart(join(o.outDir, `trajectories-K${K}M${M}.svg`), data, {
      title: `ε(τ), K = ${K}, M = ${M}, N = ${N}, c = ${cMin}, seed ${o.seed}`,
      x: 'tau', y: 'loss', xTitle: 'τ = η·steps/N', yTitle: 'ε', yScale: 'log', color: 'series',
    }, ['series', 'tau', 'loss']);
  }
  const manifest = makeManifest(o.command ?? 'study sgd-scaling', { ...o, configs: o.configs.map(([K, M]) => `${K}x${M}`) }, { runs: runs.length });
  writeManifest(manifestPath(join(o.outDir, 'summary.csv')), manifest);
}

/** Parses "4x4,5x4" into [[4, 4], [5, 4]]. */
function parseConfigs(raw: string): [number, number][] {
  return raw.split(',').map((s) => {
    const m = /^\s*(\d+)\s*x\s*(\d+)\s*$/.exec(s);
    if (!m || +m[1] < 1 || +m[2] < 1 || +m[1] > 20 || +m[2] > 20) throw new UsageError(`--configs must be a list like 4x4,5x4 (K x M, 1..20), got "${raw}"`);
    return [+m[1], +m[2]];
  });
}

/** Registers `scmv study sgd-scaling` on the `study` command. */
export function registerStudySgdScaling(study: Command): void {
  const positive = (flag: string) => real(flag, 0, Infinity, { min: true });
  study
    .command('sgd-scaling')
    .description('Does online SGD follow gradient flow when η ~ 1/N (paper Result 3)? Online SGD on explicit weights at η = c, c/√N, c/N vs the gradient flow and the SGD ODE (SPEC §4.2) from the same (Q0, R0, T), until the gradient-flow loss has converged; deviations vs N (CSV, log-log SVG, power-law fits).')
    .option('--configs <list>', 'student x teacher widths, e.g. 4x4,5x4', parseConfigs, [[4, 4], [5, 4]] as [number, number][])
    .option('--Ns <list>', 'input dimensions N', list('Ns', int('Ns', 2, 1_000_000)), [100, 200, 400, 800, 1600])
    .option('--scalings <list>', `η scalings (${SCALINGS.join(', ')}: η = c, c/√N, c/N)`, list('scalings', choice('scalings', SCALINGS)), [...SCALINGS])
    .option('--cs <list>', 'constants c', list('cs', positive('cs')), [0.5, 2])
    .option('--seeds <int>', 'networks per (K, M, N)', int('seeds', 1, 1000), 3)
    .option('--seed <int>', 'first seed', seedOption, 1)
    .option('--activation <name>', `activation (${ACTIVATION_NAMES.join(', ')})`, choice('activation', ACTIVATION_NAMES), 'relu')
    .option('--alpha <float>', 'leaky-ReLU slope', real('alpha', 0, 1, { max: true }), 0.01)
    .option('--teacher <kind>', `teacher (${TEACHER_KINDS.join(', ')})`, choice('teacher', TEACHER_KINDS), 'gaussian')
    .option('--tau-max <float>', 'cap on the τ of gradient-flow convergence', positive('tau-max'), 300)
    .option('--conv-frac <float>', 'GF has converged when ε_GF(τ) − ε_GF(∞) ≤ conv-frac · ε_GF(0)', positive('conv-frac'), 1e-3)
    .option('--records <int>', 'measurements per run (equally spaced in τ)', int('records', 2, 100_000), 100)
    .option('--max-steps <float>', 'cap on SGD steps per run (longer runs are truncated and flagged)', positive('max-steps'), 1e8)
    .option('--backend <name>', `online-SGD kernel (${BACKEND_NAMES.join(', ')})`, choice('backend', BACKEND_NAMES), 'wasm')
    .option('--rtol <float>', 'Dormand–Prince rtol for both ODEs', positive('rtol'), 1e-7)
    .option('--workers <int>', 'worker threads', int('workers', 1, 1024), 1)
    .option('--time-budget <seconds>', 'start no new run after this many seconds (0 = none)', real('time-budget', 0, Infinity), 0)
    .option('--out-dir <dir>', 'output directory', 'results/sgd-scaling')
    .option('--quick', 'K = M = 4, N = 50, 100, 200, c = 0.5, one seed, τ ≤ 100, 40 records, ≤ 2e6 steps, into <out-dir>/quick (< 2 min)')
    .action(async (opts) => {
      const quick = Boolean(opts.quick);
      const o: SgdScalingOptions = {
        configs: quick ? [[4, 4]] : opts.configs,
        Ns: quick ? [50, 100, 200] : opts.Ns,
        scalings: opts.scalings,
        cs: quick ? [0.5] : opts.cs,
        seeds: quick ? 1 : opts.seeds,
        seed: opts.seed,
        activation: opts.activation,
        alpha: opts.alpha,
        teacher: opts.teacher,
        tauMax: quick ? 100 : opts.tauMax,
        convFrac: opts.convFrac,
        records: quick ? 40 : opts.records,
        maxSteps: quick ? 2e6 : opts.maxSteps,
        backend: opts.backend,
        rtol: quick ? 1e-6 : opts.rtol,
        workers: opts.workers,
        timeBudget: opts.timeBudget,
        outDir: quick && opts.outDir === 'results/sgd-scaling' ? 'results/sgd-scaling/quick' : opts.outDir,
        command: `study sgd-scaling${quick ? ' --quick' : ''}`,
      };
      const log = process.stdout.isTTY ? (m: string) => process.stderr.write(m + '\n') : () => {};
      await runSgdScaling(o, log);
    });
}
