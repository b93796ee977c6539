// The standard cross-check of finite-N training against the ODE (docs/theory.md §3, §4): population GD
// and online SGD on explicit weights for N ∈ {100, 1000, 10000} and several seeds, each run
// compared with the ODE from its own measured (Q0, R0, T). Reports the max deviations per
// (algorithm, N, η) and fits the log-log slopes of the SGD deviation against N (fixed η) and
// against η (fixed N).
import type { ActivationName } from '../../activations/index.js';
import type { BackendName } from '../../network/backend.js';
import type { TeacherKind } from '../../network/teacher.js';
import { mapPool } from '../../runs/pool.js';
import { jobRef } from '../../runs/jobs.js';
import { mean } from '../../stats/describe.js';
import { logLogFit } from '../../stats/fit.js';
import { deviations, odeKindOf, totalSteps, trainJob, type Algorithm, type OdeKind, type TrainOptions } from '../../runs/train.js';

export interface ValidateOptions {
  K: number;
  M: number;
  activation: ActivationName;
  alpha: number;
  teacher: TeacherKind;
  /** Seeds seed0, seed0+1, …, seed0+seeds−1 (each its own teacher and student). */
  seeds: number;
  seed0: number;
  /** Dimensions of the N sweep (both algorithms). */
  Ns: number[];
  /** GD: RK4 step Δτ and horizon. */
  gdDtau: number;
  gdTauMax: number;
  /** SGD horizon τ (gradient-flow time η·steps/N). */
  sgdTauMax: number;
  /** η of the N sweep. */
  lrFixed: number;
  /** η values of the η sweep, run at every N in lrSweepNs. */
  lrSweep: number[];
  lrSweepNs: number[];
  /** Records per run. */
  records: number;
  workers: number;
  backend: BackendName;
  /** Override the ODE the SGD runs are compared with (default: the SGD ODE when available). */
  sgdOdeKind?: OdeKind;
}

export const VALIDATE_DEFAULTS: Omit<ValidateOptions, 'workers'> = {
  K: 4, M: 4, activation: 'relu', alpha: 0.01, teacher: 'gaussian', seeds: 3, seed0: 1,
  Ns: [100, 1000, 10000], gdDtau: 0.01, gdTauMax: 10, sgdTauMax: 2,
  lrFixed: 0.2, lrSweep: [0.05, 0.1, 0.2, 0.4], lrSweepNs: [100, 1000], records: 50, backend: 'js',
};

/** `--quick`: the same checks at a size that runs in well under 30 s. */
export const VALIDATE_QUICK: Omit<ValidateOptions, 'workers'> = {
  ...VALIDATE_DEFAULTS, seeds: 2, Ns: [100, 1000, 3000], gdTauMax: 5, sgdTauMax: 1,
  lrFixed: 0.4, lrSweep: [0.1, 0.2, 0.4], lrSweepNs: [100], records: 25,
};

/** One run of the sweep. */
export interface ValidateRun {
  algorithm: Algorithm;
  N: number;
  /** η (SGD) or NaN (GD). */
  lr: number;
  /** Δτ (GD) or NaN (SGD). */
  dtau: number;
  seed: number;
}

export interface TrajectoryPoint {
  step: number;
  tau: number;
  status: string;
  loss: number;
  odeLoss: number;
  lossErr: number;
  qErr: number;
  rErr: number;
}

export interface RunResult extends ValidateRun {
  steps: number;
  diverged: boolean;
  maxLossErr: number;
  maxQErr: number;
  maxRErr: number;
  loss0: number;
  finalLoss: number;
  odeFinalLoss: number;
  seconds: number;
  ode: string;
  trajectory: TrajectoryPoint[];
}

/** The runs of the sweep, most expensive first (better balance on the worker pool). */
export function validateRuns(o: ValidateOptions): ValidateRun[] {
  const runs: ValidateRun[] = [];
  const seeds = Array.from({ length: o.seeds }, (_, i) => o.seed0 + i);
  for (const N of o.Ns) for (const seed of seeds) runs.push({ algorithm: 'gd', N, lr: NaN, dtau: o.gdDtau, seed });
  const sgd = new Set<string>();
  for (const N of o.Ns) sgd.add(`${N}:${o.lrFixed}`);
  for (const N of o.lrSweepNs) for (const lr of o.lrSweep) sgd.add(`${N}:${lr}`);
  for (const key of sgd) {
    const [N, lr] = key.split(':').map(Number);
    for (const seed of seeds) runs.push({ algorithm: 'sgd', N, lr, dtau: NaN, seed });
  }
  return runs.sort((a, b) => runCost(o, b) - runCost(o, a));
}

/** The train options of one run. */
export function runOptions(o: ValidateOptions, run: ValidateRun): TrainOptions {
  const t: TrainOptions = {
    K: o.K, M: o.M, N: run.N, algorithm: run.algorithm, lr: Number.isNaN(run.lr) ? 1 : run.lr,
    dtau: Number.isNaN(run.dtau) ? 1 : run.dtau, gdMethod: 'rk4',
    tauMax: run.algorithm === 'sgd' ? o.sgdTauMax : o.gdTauMax, teacher: o.teacher, activation: o.activation, alpha: o.alpha,
    seed: run.seed, replicas: 1, workers: 1, backend: o.backend, compareOde: true,
    odeKind: run.algorithm === 'sgd' ? o.sgdOdeKind : undefined,
    // the report uses the records only; no per-window statistics
    windowStats: false,
  };
  t.recordEvery = Math.max(1, Math.ceil(totalSteps(t) / o.records));
  return t;
}

/** Relative cost of a run (∝ flops of the training loop). */
export function runCost(o: ValidateOptions, run: ValidateRun): number {
  const steps = totalSteps(runOptions(o, run));
  return run.algorithm === 'sgd' ? steps * run.N : steps * run.N * 4 * (1 + o.M / o.K);
}

/** Job (mapPool): one run, reduced to its deviations and a light trajectory. */
export async function validateJob(input: { opts: ValidateOptions; run: ValidateRun }): Promise<RunResult> {
  const t = runOptions(input.opts, input.run);
  const t0 = performance.now();
  const [res] = await trainJob({ opts: t, replicas: [0] });
  const seconds = (performance.now() - t0) / 1000;
  const trajectory = res.records.map((r) => {
    const d = deviations(r);
    return { step: r.step, tau: r.tau, status: r.status, loss: r.loss, odeLoss: r.ode?.loss ?? NaN, lossErr: d.lossErr, qErr: d.qErr, rErr: d.rErr };
  });
  const ok = trajectory.filter((p) => Number.isFinite(p.lossErr));
  const max = (f: (p: TrajectoryPoint) => number) => ok.reduce((m, p) => Math.max(m, f(p)), 0);
  const last = trajectory[trajectory.length - 1];
  return {
    ...input.run, steps: totalSteps(t), diverged: res.diverged, maxLossErr: max((p) => p.lossErr), maxQErr: max((p) => p.qErr),
    maxRErr: max((p) => p.rErr), loss0: trajectory[0].loss, finalLoss: last.loss, odeFinalLoss: last.odeLoss, seconds, ode: odeKindOf(t), trajectory,
  };
}

export const VALIDATE_JOB = jobRef(import.meta.url, validateJob);

/** Runs the sweep on `workers` threads; results in the order of validateRuns. */
export async function runValidate(o: ValidateOptions, onRun?: (done: number, total: number) => void): Promise<RunResult[]> {
  const runs = validateRuns(o);
  let done = 0;
  return mapPool(
    VALIDATE_JOB,
    runs.map((run) => ({ opts: o, run })),
    { workers: o.workers, ordered: false, onResult: () => onRun?.(++done, runs.length) },
  );
}

export interface SummaryRow {
  algorithm: Algorithm;
  N: number;
  lr: number;
  dtau: number;
  runs: number;
  diverged: number;
  meanMaxLossErr: number;
  maxMaxLossErr: number;
  meanMaxQErr: number;
  maxMaxQErr: number;
  meanMaxRErr: number;
  maxMaxRErr: number;
  meanSeconds: number;
}


/** Per (algorithm, N, η or Δτ): mean and max over seeds of each run's max deviation (diverged runs excluded). */
export function summarise(results: readonly RunResult[]): SummaryRow[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    const key = `${r.algorithm}|${r.N}|${r.lr}|${r.dtau}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows: SummaryRow[] = [];
  for (const rs of groups.values()) {
    const ok = rs.filter((r) => !r.diverged);
    const pick = (f: (r: RunResult) => number) => (ok.length ? ok.map(f) : [NaN]);
    rows.push({
      algorithm: rs[0].algorithm, N: rs[0].N, lr: rs[0].lr, dtau: rs[0].dtau, runs: rs.length, diverged: rs.length - ok.length,
      meanMaxLossErr: mean(pick((r) => r.maxLossErr)), maxMaxLossErr: Math.max(...pick((r) => r.maxLossErr)),
      meanMaxQErr: mean(pick((r) => r.maxQErr)), maxMaxQErr: Math.max(...pick((r) => r.maxQErr)),
      meanMaxRErr: mean(pick((r) => r.maxRErr)), maxMaxRErr: Math.max(...pick((r) => r.maxRErr)),
      meanSeconds: mean(rs.map((r) => r.seconds)),
    });
  }
  return rows.sort((a, b) => a.algorithm.localeCompare(b.algorithm) || a.N - b.N || a.lr - b.lr || a.dtau - b.dtau);
}

export interface FitRow {
  algorithm: Algorithm;
  /** The swept variable: N or lr. */
  variable: 'N' | 'lr';
  /** The fixed one, e.g. "lr=0.2" or "N=1000". */
  fixed: string;
  metric: 'loss' | 'Q' | 'R';
  slope: number;
  points: number;
  xMin: number;
  xMax: number;
}

/** Log-log slopes of the mean max deviation: SGD and GD vs N at η = lrFixed, SGD vs η at each sweep N. */
export function fitExponents(summary: readonly SummaryRow[], o: Pick<ValidateOptions, 'lrFixed' | 'lrSweepNs'>): FitRow[] {
  const fits: FitRow[] = [];
  const add = (algorithm: Algorithm, variable: 'N' | 'lr', fixed: string, rows: SummaryRow[]) => {
    const x = rows.map((r) => (variable === 'N' ? r.N : r.lr));
    const metrics: Array<[FitRow['metric'], (r: SummaryRow) => number]> = [['loss', (r) => r.meanMaxLossErr], ['Q', (r) => r.meanMaxQErr], ['R', (r) => r.meanMaxRErr]];
    for (const [metric, f] of metrics) {
      fits.push({ algorithm, variable, fixed, metric, slope: logLogFit(x, rows.map(f)).slope, points: rows.length, xMin: Math.min(...x), xMax: Math.max(...x) });
    }
  };
  add('sgd', 'N', `lr=${o.lrFixed}`, summary.filter((r) => r.algorithm === 'sgd' && r.lr === o.lrFixed));
  add('gd', 'N', 'rk4', summary.filter((r) => r.algorithm === 'gd'));
  for (const N of o.lrSweepNs) add('sgd', 'lr', `N=${N}`, summary.filter((r) => r.algorithm === 'sgd' && r.N === N));
  return fits;
}
