// `scmv study finite-n` (issue 6, study 1; the paper's Appendix C): are the quantised loss
// levels robust at finite N? K = M, finite-N networks (SPEC §5) with a Gaussian or an orthonormal
// teacher, trained by
//  - population GD, through its exact ODE from each network's measured (Q0, R0, T) (SPEC §3),
//    classified and polished by the ensemble machinery: `--runs` networks per (N, teacher);
//  - population GD on explicit weights for a random subset of `--gd-runs` of them, compared with
//    the ODE at the same τ (agreement report);
//  - online SGD on explicit weights (SPEC §4.2) at `--sgd-ns` × `--sgd-lrs`, `--sgd-runs` each,
//    started from the same networks as the ODE runs (run i ↔ run i), each run until ε < ε_global
//    or τ = min(--sgd-tau-max, --sgd-tau-factor · τ_end(ODE run i) + 50).
// Every run is a row appended to a resumable CSV under <out-dir>/runs/. Work proceeds in rounds
// of growing run counts (so interrupted studies still cover every configuration), and the
// report (families.csv, histogram.csv, width-fit.csv, gd-vs-ode.csv, sgd-bias.csv, SVG figures,
// manifest) is rewritten after every round. Implementation of the report: study-finite-n-report.ts.
import type { Command } from 'commander';
import { setMaxListeners } from 'node:events';
import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mapPool } from './pool.js';
import { readRunsCsv } from './ensemble.js';
import { toCsv, type Cell } from '../io/csv.js';
import { createRng } from '../random/rng.js';
import { choice, int, list, real, seedOption, UsageError } from '../commands/options.js';
import { createSgdKernel, BACKEND_NAMES, type BackendName } from '../network/backend.js';
import { TEACHER_KINDS, type TeacherKind } from '../network/teacher.js';
import type { GdJobInput, GdJobOutput, OdeJobInput, OdeJobOutput, SgdJobInput, SgdJobOutput, SgdLevelJobInput, SgdLevelJobOutput } from './study-finite-n-jobs.js';
import { writeFiniteNReport } from './study-finite-n-report.js';
import { readCsvFile } from './study-finite-n-stats.js';

export interface FiniteNOptions {
  K: number;
  M: number;
  Ns: number[];
  teachers: TeacherKind[];
  /** ODE (population GD) runs per (N, teacher). */
  runs: number;
  gdRuns: number;
  gdTauMax: number;
  gdDtau: number;
  sgdNs: number[];
  sgdLrs: number[];
  sgdRuns: number;
  sgdTeachers: TeacherKind[];
  sgdTauMax: number;
  sgdTauFactor: number;
  sgdTauRecord: number;
  backend: BackendName;
  seed: number;
  tauMax: number;
  tol: number;
  epsGlobal: number;
  gTol: number;
  workers: number;
  outDir: string;
  levelsCsv: string;
  /** SGD started on the fixed points (stationary bias): N, η, families, replicas, burn-in and averaging τ. */
  levelNs: number[];
  levelLrs: number[];
  levelFamilies: number[];
  levelReplicas: number;
  levelTauBurn: number;
  levelTauAvg: number;
  /** Stop starting new rounds after this many seconds (0 = no limit). */
  timeBudget: number;
  quick: boolean;
}

export const ODE_COLUMNS = ['N', 'teacher', 'run', 'run_seed', 'seed', 'K', 'M', 'loss0', 't_dev', 'final_loss', 'class', 'family_n', 'tau_end', 'rhs_norm', 'rhs_evals', 'stop', 'wall_ms'] as const;
export const GD_COLUMNS = ['N', 'teacher', 'run', 'run_seed', 'tau', 'gd_loss', 'ode_loss', 'max_loss_err', 'max_Q_err', 'max_R_err', 'final_loss_err', 'records', 'wall_ms'] as const;
export const LEVEL_SGD_COLUMNS = ['N', 'lr', 'family_n', 'replica', 'level', 'loss_mean', 'loss_se', 'loss_final', 'end_family_n', 'diverged', 'wall_ms'] as const;
export const SGD_COLUMNS = ['N', 'teacher', 'lr', 'run', 'run_seed', 'final_loss', 'loss_avg', 'loss_trend', 'class', 'family_n', 'rhs_norm', 'tau_end', 'tau_cap', 'stop', 'backend', 'wall_ms'] as const;

const tag = (o: Pick<FiniteNOptions, 'K' | 'M'>) => `K${o.K}M${o.M}`;
export const odeRunsPath = (o: FiniteNOptions, teacher: string, N: number) => join(o.outDir, 'runs', `ode-${teacher}-${tag(o)}-N${N}.csv`);
export const gdRunsPath = (o: FiniteNOptions, teacher: string, N: number) => join(o.outDir, 'runs', `gd-${teacher}-${tag(o)}-N${N}.csv`);
export const levelSgdPath = (o: FiniteNOptions) => join(o.outDir, 'runs', `sgd-level-${tag(o)}.csv`);
export const sgdRunsPath = (o: FiniteNOptions, teacher: string, lr: number, N: number) => join(o.outDir, 'runs', `sgd-${teacher}-eta${lr}-${tag(o)}-N${N}.csv`);

/** Opens a resumable runs CSV: writes the header if new, cuts a partial last line, returns the runs present. */
export function openRuns(path: string, columns: readonly string[]): Set<number> {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, columns.join(',') + '\n');
    return new Set();
  }
  const text = readFileSync(path, 'utf8');
  if (text.slice(0, text.indexOf('\n')) !== columns.join(',')) throw new Error(`${path} exists with a different header; remove it or use another --out-dir`);
  const end = text.lastIndexOf('\n');
  if (end < text.length - 1) truncateSync(path, Buffer.byteLength(text.slice(0, end + 1)));
  return new Set(readRunsCsv(text).map((r) => Number(r.run)));
}

function appendRunRow(path: string, columns: readonly string[], row: object): void {
  const r = row as Record<string, Cell>;
  appendFileSync(path, toCsv(columns, [columns.map((c) => r[c])], false));
}

const JOBS = new URL(import.meta.url.endsWith('.ts') ? './study-finite-n-jobs.ts' : './study-finite-n-jobs.js', import.meta.url).href;

/** Runs the missing ODE runs among `runs` for (teacher, N). */
async function ensureOde(o: FiniteNOptions, teacher: TeacherKind, N: number, runs: number[], signal?: AbortSignal): Promise<number> {
  const path = odeRunsPath(o, teacher, N);
  const done = openRuns(path, ODE_COLUMNS);
  const todo = runs.filter((i) => !done.has(i));
  const inputs: OdeJobInput[] = todo.map((run) => ({
    N, teacher,
    spec: {
      run, seed: o.seed, K: o.K, M: o.M, initDim: Math.min(N, o.K + o.M + 1), algorithm: 'gd', activation: 'relu', alpha: 0,
      tol: o.tol, tauMax: o.tauMax, rtol: 1e-6, atol: 1e-9, epsGlobal: o.epsGlobal, gTol: o.gTol, vanishTol: 1e-4, earlyGlobal: true, polishAt: 1e-5,
    },
  }));
  await mapPool<OdeJobInput, OdeJobOutput>({ module: JOBS, fn: 'finiteNOdeJob' }, inputs, {
    workers: o.workers, ordered: true, signal, onResult: (_i, row) => appendRunRow(path, ODE_COLUMNS, row),
  });
  return todo.length;
}

/** τ_end of the ODE runs of (teacher, N), by run. */
function odeTauEnd(o: FiniteNOptions, teacher: TeacherKind, N: number): Map<number, number> {
  return new Map(readCsvFile(odeRunsPath(o, teacher, N)).map((r) => [Number(r.run), Number(r.tau_end)]));
}

/** The explicit-GD subset: the first `count` of a seeded permutation of [0, runs). */
export function gdSubset(seed: number, N: number, runs: number, count: number): number[] {
  const p = Array.from({ length: runs }, (_, i) => i);
  const rng = createRng(seed, 'finite-n-gd-subset', N);
  for (let i = runs - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p.slice(0, Math.min(count, runs));
}

async function runGd(o: FiniteNOptions, teacher: TeacherKind, N: number, count: number, signal?: AbortSignal): Promise<number> {
  const subset = gdSubset(o.seed, N, o.runs, count);
  await ensureOde(o, teacher, N, subset, signal);
  const tauEnd = odeTauEnd(o, teacher, N);
  const path = gdRunsPath(o, teacher, N);
  const done = openRuns(path, GD_COLUMNS);
  const inputs: GdJobInput[] = subset.filter((i) => !done.has(i)).map((run) => ({
    K: o.K, M: o.M, N, teacher, seed: o.seed, run, activation: 'relu', alpha: 0, dtau: o.gdDtau,
    tauMax: Math.max(o.gdDtau, Math.min(o.gdTauMax, tauEnd.get(run) ?? o.gdTauMax)),
  }));
  await mapPool<GdJobInput, GdJobOutput>({ module: JOBS, fn: 'finiteNGdJob' }, inputs, {
    workers: o.workers, ordered: true, signal, onResult: (_i, row) => appendRunRow(path, GD_COLUMNS, row),
  });
  return inputs.length;
}

async function runSgd(o: FiniteNOptions, teacher: TeacherKind, lr: number, N: number, count: number, signal?: AbortSignal): Promise<number> {
  const runs = Array.from({ length: count }, (_, i) => i);
  await ensureOde(o, teacher, N, runs, signal);
  const tauEnd = odeTauEnd(o, teacher, N);
  const path = sgdRunsPath(o, teacher, lr, N);
  const done = openRuns(path, SGD_COLUMNS);
  const inputs: SgdJobInput[] = runs.filter((i) => !done.has(i)).map((run) => ({
    K: o.K, M: o.M, N, teacher, seed: o.seed, run, lr, activation: 'relu', alpha: 0, backend: o.backend, epsGlobal: o.epsGlobal,
    tauRecord: o.sgdTauRecord, tauCap: Math.min(o.sgdTauMax, o.sgdTauFactor * (tauEnd.get(run) ?? o.sgdTauMax) + 50),
  }));
  await mapPool<SgdJobInput, SgdJobOutput>({ module: JOBS, fn: 'finiteNSgdJob' }, inputs, {
    workers: o.workers, ordered: true, signal, onResult: (_i, row) => appendRunRow(path, SGD_COLUMNS, row),
  });
  return inputs.length;
}

/** SGD started on the fixed points: every (N, η, family, replica) not yet in the level CSV. */
async function runLevelSgd(o: FiniteNOptions, signal?: AbortSignal): Promise<number> {
  const path = levelSgdPath(o);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, LEVEL_SGD_COLUMNS.join(',') + '\n');
  }
  const have = new Set(readCsvFile(path).map((r) => `${r.N}|${Number(r.lr)}|${r.family_n}|${r.replica}`));
  const inputs: SgdLevelJobInput[] = [];
  for (const lr of o.levelLrs) for (const N of o.levelNs) for (const family of o.levelFamilies) for (let replica = 0; replica < o.levelReplicas; replica++) {
    if (have.has(`${N}|${lr}|${family}|${replica}`)) continue;
    inputs.push({ K: o.K, M: o.M, N, family, lr, seed: o.seed, replica, tauBurn: o.levelTauBurn, tauAvg: o.levelTauAvg, tauRecord: 1, backend: o.backend });
  }
  await mapPool<SgdLevelJobInput, SgdLevelJobOutput>({ module: JOBS, fn: 'finiteNSgdLevelJob' }, inputs, {
    workers: o.workers, ordered: false, signal, onResult: (_i, row) => appendRunRow(path, LEVEL_SGD_COLUMNS, row),
  });
  return inputs.length;
}

/** Run-count ladder: ODE [min(100, runs), runs]; GD [min(5, n), n]; SGD [⌈n/5⌉, ⌈n/2⌉, n]. */
export function rounds(o: FiniteNOptions): { ode: number; gd: number; sgd: number }[] {
  return [
    { ode: Math.min(100, o.runs), gd: Math.min(5, o.gdRuns), sgd: Math.ceil(o.sgdRuns / 5) },
    { ode: o.runs, gd: o.gdRuns, sgd: Math.ceil(o.sgdRuns / 2) },
    { ode: o.runs, gd: o.gdRuns, sgd: o.sgdRuns },
  ];
}

/** Runs (or resumes) the study round by round, rewriting the report after each round. */
export async function runFiniteNStudy(o: FiniteNOptions, log: (s: string) => void = () => {}, signal?: AbortSignal): Promise<void> {
  const t0 = performance.now();
  const over = () => signal?.aborted || (o.timeBudget > 0 && (performance.now() - t0) / 1000 > o.timeBudget);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  let r = 0;
  for (const target of rounds(o)) {
    for (const teacher of o.teachers) {
      for (const N of o.Ns) {
        if (over()) break;
        const t = performance.now();
        const n = await ensureOde(o, teacher, N, range(target.ode), signal);
        if (n) log(`round ${r} ode ${teacher} N=${N}: ${n} runs in ${((performance.now() - t) / 1000).toFixed(0)} s`);
      }
    }
    for (const teacher of o.teachers) {
      for (const N of o.Ns) {
        if (over()) break;
        const t = performance.now();
        const n = await runGd(o, teacher, N, target.gd, signal);
        if (n) log(`round ${r} gd ${teacher} N=${N}: ${n} runs in ${((performance.now() - t) / 1000).toFixed(0)} s`);
      }
    }
    if (!signal?.aborted && !o.quick) await writeFiniteNReport(o, log);
    if (r === 0 && o.levelReplicas > 0 && o.levelLrs.length && !over()) {
      const t = performance.now();
      const n = await runLevelSgd(o, signal);
      if (n) log(`sgd at the fixed points: ${n} runs in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    }
    for (const teacher of o.sgdTeachers) {
      for (const lr of o.sgdLrs) {
        for (const N of o.sgdNs) {
          if (over()) break;
          const t = performance.now();
          const n = await runSgd(o, teacher, lr, N, target.sgd, signal);
          if (n) log(`round ${r} sgd ${teacher} η=${lr} N=${N}: ${n} runs in ${((performance.now() - t) / 1000).toFixed(0)} s`);
        }
      }
    }
    if (!signal?.aborted) await writeFiniteNReport(o, log);
    r++;
    if (over()) break;
  }
  if (over() && !signal?.aborted) log(`stopped early (time budget ${o.timeBudget} s or interrupted); the report covers the runs done`);
}

export const QUICK: Partial<FiniteNOptions> = {
  levelNs: [128], levelLrs: [0.1], levelFamilies: [1], levelReplicas: 1, levelTauBurn: 2, levelTauAvg: 4,
  Ns: [16, 256], runs: 30, gdRuns: 2, gdTauMax: 10, gdDtau: 0.2, sgdNs: [128], sgdLrs: [0.1], sgdRuns: 2, sgdTauMax: 30, tauMax: 1500,
};

/** Registers `finite-n` under the `scmv study` command. */
export function registerStudyFiniteN(study: Command): void {
  const positive = (flag: string) => real(flag, 0, Infinity, { min: true });
  study
    .command('finite-n')
    .description('Are the quantised loss levels robust at finite N? (paper Appendix C). K = M, Gaussian and orthonormal teachers in dimension N: population GD through its exact ODE from each network (classified, polished), explicit-weight GD on a subset (agreement), online SGD; final-loss histograms with the infinite-N levels, per-family fraction / peak (median) / width (IQR) vs N, and the width\'s log-log slope.')
    .option('--K <int>', 'student units K = M', int('K', 2, 40), 8)
    .option('--Ns <list>', 'input dimensions N', list('Ns', int('Ns', 2, 1_000_000)), [16, 32, 64, 128, 256, 512, 1024, 4096])
    .option('--teachers <list>', `teachers (${TEACHER_KINDS.join(', ')})`, list('teachers', choice('teachers', TEACHER_KINDS)), ['orthonormal', 'gaussian'])
    .option('--runs <int>', 'population-GD (ODE) runs per (N, teacher)', int('runs', 1), 500)
    .option('--gd-runs <int>', 'explicit-weight GD runs per (N, teacher), a random subset of the ODE runs', int('gd-runs', 0), 20)
    .option('--gd-tau-max <float>', 'explicit GD runs to min(τ_end of its ODE run, this)', positive('gd-tau-max'), 100)
    .option('--gd-dtau <float>', 'explicit GD step Δτ (RK4 on W)', positive('gd-dtau'), 0.2)
    .option('--sgd-ns <list>', 'N for online SGD', list('sgd-ns', int('sgd-ns', 2, 1_000_000)), [128, 256, 512, 1024])
    .option('--sgd-lrs <list>', 'SGD learning rates η', list('sgd-lrs', positive('sgd-lrs')), [0.5, 0.1])
    .option('--sgd-runs <int>', 'SGD runs per (N, η, teacher)', int('sgd-runs', 0), 100)
    .option('--sgd-teachers <list>', 'teachers for SGD (in this order)', list('sgd-teachers', choice('sgd-teachers', TEACHER_KINDS)), ['orthonormal', 'gaussian'])
    .option('--sgd-tau-max <float>', 'hard cap on SGD τ', positive('sgd-tau-max'), 1500)
    .option('--sgd-tau-factor <float>', 'SGD run i stops at τ = factor · τ_end(ODE run i) + 50 (or earlier when ε < ε_global)', positive('sgd-tau-factor'), 1.5)
    .option('--sgd-tau-record <float>', 'SGD measures ε every this much τ', positive('sgd-tau-record'), 2)
    .option('--level-ns <list>', 'N for SGD started on the fixed points (default: --sgd-ns)', list('level-ns', int('level-ns', 2, 1_000_000)))
    .option('--level-lrs <list>', 'η for SGD started on the fixed points', list('level-lrs', positive('level-lrs')), [0.5, 0.2, 0.1, 0.05])
    .option('--level-families <list>', 'families n whose lowest fixed point starts SGD', list('level-families', int('level-families', 1, 100)), [1, 2])
    .option('--level-replicas <int>', 'SGD replicas per (N, η, family) started on the fixed point (0 = skip)', int('level-replicas', 0), 3)
    .option('--level-tau-burn <float>', 'burn-in τ before averaging ε', positive('level-tau-burn'), 20)
    .option('--level-tau-avg <float>', 'τ over which ε is averaged (measured every Δτ = 1)', positive('level-tau-avg'), 40)
    .option('--backend <name>', `online-SGD kernel (${BACKEND_NAMES.join(', ')}; default wasm, else js)`, choice('backend', BACKEND_NAMES))
    .option('--tau-max <float>', 'ODE runs not converged by this τ are class none', positive('tau-max'), 3000)
    .option('--eps-global <float>', 'global when ε < eps-global', positive('eps-global'), 1e-3)
    .option('--seed <int>', 'study seed', seedOption, 1)
    .option('--workers <int>', 'worker threads', int('workers', 1, 1024), 2)
    .option('--time-budget <seconds>', 'start no new configuration after this many seconds (0 = none)', real('time-budget', 0, Infinity), 0)
    .option('--levels <file>', 'infinite-N loss levels (scmv levels CSV); solved here if it lacks K = M', 'results/levels.csv')
    .option('--out-dir <dir>', 'output directory', 'results/finite-n')
    .option('--report-only', 'only rewrite the report from the runs already in --out-dir')
    .option('--quick', 'N ∈ {16, 256}, 30 ODE runs, 2 GD runs to τ ≤ 10, 2 SGD runs at N = 128, η = 0.1 to τ ≤ 30 (< 2 min)')
    .action(async (raw) => {
      let backend: BackendName = raw.backend ?? 'wasm';
      try {
        (await createSgdKernel(backend, { activation: 'relu', alpha: 0, K: raw.K, M: raw.K, N: 16, lr: 0.1, replicas: 1 })).dispose();
      } catch (e) {
        if (raw.backend) throw new UsageError(`--backend ${raw.backend}: ${e instanceof Error ? e.message : String(e)}`);
        backend = 'js';
      }
      const quick = Boolean(raw.quick);
      const o: FiniteNOptions = {
        K: raw.K, M: raw.K, Ns: raw.Ns, teachers: raw.teachers, runs: raw.runs, gdRuns: raw.gdRuns, gdTauMax: raw.gdTauMax, gdDtau: raw.gdDtau,
        sgdNs: raw.sgdNs, sgdLrs: raw.sgdLrs, sgdRuns: raw.sgdRuns, sgdTeachers: raw.sgdTeachers, sgdTauMax: raw.sgdTauMax,
        sgdTauFactor: raw.sgdTauFactor, sgdTauRecord: raw.sgdTauRecord, backend, seed: raw.seed, tauMax: raw.tauMax, tol: 1e-7,
        epsGlobal: raw.epsGlobal, gTol: 1e-6, workers: raw.workers,
        outDir: quick && raw.outDir === 'results/finite-n' ? 'results/finite-n/quick' : raw.outDir,
        levelNs: raw.levelNs ?? raw.sgdNs, levelLrs: raw.levelLrs, levelFamilies: raw.levelFamilies, levelReplicas: raw.levelReplicas,
        levelTauBurn: raw.levelTauBurn, levelTauAvg: raw.levelTauAvg,
        levelsCsv: raw.levels, timeBudget: raw.timeBudget, quick,
        ...(quick ? QUICK : {}),
      };
      for (const N of [...o.Ns, ...o.sgdNs]) if (N < o.M) throw new UsageError(`--Ns must be ≥ M=${o.M} (orthonormal teacher), got "${N}"`);
      if (raw.reportOnly) {
        await writeFiniteNReport(o, (s) => console.log(s));
        return;
      }
      const ac = new AbortController();
      setMaxListeners(0, ac.signal);
      const stop = () => ac.abort();
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      try {
        await runFiniteNStudy(o, (s) => console.log(s), ac.signal);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
      if (ac.signal.aborted) {
        await writeFiniteNReport(o, (s) => console.log(s));
        console.log('interrupted: report written from the runs done so far');
      }
      console.log(`wrote ${o.outDir}`);
    });
}
