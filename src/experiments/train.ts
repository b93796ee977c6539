// Finite-N training (SPEC §4.1, §4.2, §5) measured against the ODE: replicas of a student
// network with explicit weights W ∈ R^{K×N}, trained by online SGD or population GD on a
// shared teacher W*, with Q, R, T and ε measured every `recordEvery` steps and, optionally,
// the ODE started from each replica's measured (Q0, R0, T) recorded at the same τ.
//
// Streams: the teacher comes from createRng(seed, 'teacher'); replica r draws W0 (K·N normals)
// and then its SGD inputs from createRng(seed, 'replica', r). Results therefore do not depend
// on --workers or on how replicas are grouped into jobs.
import { getActivation, type ActivationName } from '../activations/index.js';
import { createRng, type Rng } from '../random/rng.js';
import { overlapColumns, overlapValues } from '../io/columns.js';
import type { Cell } from '../io/csv.js';
import { createSgdKernel, makeBatch, type BackendName } from '../network/backend.js';
import { sampleTeacher, type TeacherKind } from '../network/teacher.js';
import { sampleStudent } from '../network/student.js';
import { measure } from '../network/measure.js';
import { makeGdStepper, type GdMethod } from '../network/gd.js';
import { mapPool } from './pool.js';
import { DEFAULT_ODE_COMPARE, SGD_ODE_COMPARE, odeAt, odeKindFor, type OdeCompareOptions, type OdeKind } from './train-ode.js';
import { isConstrainedTrain, isOnlineTrain, trainConstrainedJob, type ConstrainedTrainAlgorithm } from '../network/train-constrained-job.js';
import type { Retraction } from '../network/train-constrained.js';

/** sgd | gd, plus nGD / onGD / 2L-GD, population and online (src/network/train-constrained-job.ts). */
export type Algorithm = 'sgd' | 'gd' | ConstrainedTrainAlgorithm;

export interface TrainOptions {
  K: number;
  M: number;
  N: number;
  algorithm: Algorithm;
  /** SGD learning rate η; τ = η·steps/N. */
  lr: number;
  /** GD step Δτ; τ = steps·Δτ. */
  dtau: number;
  /** GD integrator on W. */
  gdMethod: GdMethod;
  tauMax: number;
  /** Steps between records (default: about 100 records over the run). */
  recordEvery?: number;
  teacher: TeacherKind;
  activation: ActivationName;
  alpha: number;
  seed: number;
  replicas: number;
  workers: number;
  backend: BackendName;
  compareOde: boolean;
  /** The ODE of --compare-ode (default: odeKindFor(algorithm, activation)). */
  odeKind?: OdeKind;
  /** 2L-GD: second-layer learning-rate ratio κ (default 1). */
  kappa?: number;
  /** onGD: retraction onto W Wᵀ/N = I (default qr). */
  retraction?: Retraction;
  /** A replica whose measured |ε| exceeds this (or is not finite) is diverged. */
  maxLoss?: number;
  ode?: OdeCompareOptions;
}

export const DEFAULT_MAX_LOSS = 1e6;

/** One measured row of one replica. */
export interface TrainRecord {
  step: number;
  tau: number;
  status: 'ok' | 'diverged';
  loss: number;
  Q: Float64Array;
  R: Float64Array;
  ode?: { loss: number; Q: Float64Array; R: Float64Array; v?: Float64Array };
  /** 2L-GD: second-layer weights. */
  v?: Float64Array;
}

export interface ReplicaResult {
  replica: number;
  records: TrainRecord[];
  /** T = W* W*ᵀ/N of the teacher (M×M). */
  T: Float64Array;
  diverged: boolean;
  seconds: number;
}

export interface TrainJobInput {
  opts: TrainOptions;
  replicas: number[];
}

/** Total number of steps for the run: ⌈τmax·N/η⌉ (SGD) or ⌈τmax/Δτ⌉ (GD), minus round-off. */
export function totalSteps(o: Pick<TrainOptions, 'algorithm' | 'tauMax' | 'N' | 'lr' | 'dtau'>): number {
  const x = isOnlineTrain(o.algorithm) ? (o.tauMax * o.N) / o.lr : o.tauMax / o.dtau;
  return Math.max(1, Math.ceil(x * (1 - 1e-12)));
}

/** τ after `steps` steps: η·steps/N (SGD) or steps·Δτ (GD). */
export function tauOf(o: Pick<TrainOptions, 'algorithm' | 'N' | 'lr' | 'dtau'>, steps: number): number {
  return isOnlineTrain(o.algorithm) ? (o.lr * steps) / o.N : steps * o.dtau;
}

export function recordEveryOf(o: TrainOptions): number {
  return o.recordEvery ?? Math.max(1, Math.ceil(totalSteps(o) / 100));
}

/** Which ODE --compare-ode integrates for this run. */
export function odeKindOf(o: Pick<TrainOptions, 'algorithm' | 'activation' | 'alpha' | 'odeKind'>): OdeKind {
  if (o.odeKind) return o.odeKind;
  return odeKindFor(o.algorithm === 'sgd' ? 'sgd' : 'gd', getActivation(o.activation, o.alpha));
}

/** Integrator settings of the comparison: tight for the gradient flow, looser for the (costlier) SGD ODE. */
export function odeOptionsOf(o: Pick<TrainOptions, 'algorithm' | 'activation' | 'alpha' | 'ode' | 'odeKind'>): OdeCompareOptions {
  if (o.ode) return o.ode;
  return odeKindOf(o) === 'sgd-ode' ? SGD_ODE_COMPARE : DEFAULT_ODE_COMPARE;
}

/** The shared teacher of a run. */
export function teacherOf(o: Pick<TrainOptions, 'M' | 'N' | 'teacher' | 'seed'>): Float64Array {
  return sampleTeacher(o.M, o.N, o.teacher, createRng(o.seed, 'teacher'));
}

/** Job (mapPool): trains the listed replicas and, with compareOde, adds the ODE at each record. */
export async function trainJob(input: TrainJobInput): Promise<ReplicaResult[]> {
  if (isConstrainedTrain(input.opts.algorithm)) return trainConstrainedJob(input);
  const { opts, replicas } = input;
  const { K, M, N } = opts;
  const act = getActivation(opts.activation, opts.alpha);
  const Wstar = teacherOf(opts);
  const rngs: Rng[] = replicas.map((r) => createRng(opts.seed, 'replica', r));
  const KN = K * N;
  const W0 = new Float64Array(replicas.length * KN);
  rngs.forEach((rng, i) => W0.set(sampleStudent(K, N, rng), i * KN));
  const maxLoss = opts.maxLoss ?? DEFAULT_MAX_LOSS;
  const total = totalSteps(opts);
  const every = recordEveryOf(opts);
  const t0 = performance.now();
  const records: TrainRecord[][] = replicas.map(() => []);
  const done = replicas.map(() => false);
  let T: Float64Array = new Float64Array(M * M);

  /** Measures replica i's weights at `step`; returns false (and records it) if it diverged. */
  const record = (i: number, W: Float64Array, step: number, kernelDiverged: boolean): boolean => {
    const m = measure(act, W.subarray(i * KN, (i + 1) * KN), Wstar, K, M, N);
    T = m.T;
    const bad = kernelDiverged || !(Math.abs(m.loss) <= maxLoss);
    records[i].push({ step, tau: tauOf(opts, step), status: bad ? 'diverged' : 'ok', loss: m.loss, Q: m.Q, R: m.R });
    if (bad) done[i] = true;
    return !bad;
  };

  if (opts.algorithm === 'sgd') {
    const kernel = await createSgdKernel(opts.backend, {
      activation: opts.activation, alpha: opts.alpha, K, M, N, lr: opts.lr, replicas: replicas.length,
    });
    try {
      const batch = makeBatch(W0, Wstar, rngs);
      await kernel.load(batch);
      for (let i = 0; i < replicas.length; i++) if (!record(i, batch.W, 0, false)) batch.status[i] = 1;
      for (let s = 0; s < total && done.some((d) => !d); ) {
        const n = Math.min(every, total - s);
        await kernel.advance(batch, n);
        s += n;
        await kernel.sync(batch);
        for (let i = 0; i < replicas.length; i++) {
          if (done[i]) continue;
          if (!record(i, batch.W, batch.steps[i], batch.status[i] === 1)) batch.status[i] = 1;
        }
      }
    } finally {
      kernel.dispose();
    }
  } else {
    const T0 = measure(act, W0.subarray(0, KN), Wstar, K, M, N).T;
    const step = makeGdStepper(act, K, M, N, Wstar, T0, opts.dtau, opts.gdMethod);
    for (let i = 0; i < replicas.length; i++) {
      const W = W0.subarray(i * KN, (i + 1) * KN);
      if (!record(i, W0, 0, false)) continue;
      for (let s = 0; s < total; ) {
        const n = Math.min(every, total - s);
        for (let j = 0; j < n; j++) step(W);
        s += n;
        if (!record(i, W0, s, false)) break;
      }
    }
  }

  const results: ReplicaResult[] = [];
  for (let i = 0; i < replicas.length; i++) {
    const recs = records[i];
    if (opts.compareOde) {
      const first = recs[0];
      const init = { K, M, Q: first.Q, R: first.R, T };
      // the ODE is integrated up to the last finite record
      const taus = recs.filter((r) => Number.isFinite(r.loss)).map((r) => r.tau);
      const ode = odeAt(act, init, taus, odeKindOf(opts), opts.lr, odeOptionsOf(opts));
      for (const r of recs) {
        const p = ode.get(r.tau);
        if (p) r.ode = { loss: p.loss, Q: p.Q, R: p.R };
      }
    }
    results.push({ replica: replicas[i], records: recs, T, diverged: done[i] && recs[recs.length - 1].status === 'diverged', seconds: (performance.now() - t0) / 1000 });
  }
  return results;
}

/** CSV header of `scmv train` (tidy: one row per replica and record). */
export function trainHeader(K: number, M: number, compareOde: boolean, secondLayer = false): string[] {
  const h = ['replica', 'step', 'tau', 'status', 'loss', ...overlapColumns(K, M)];
  if (compareOde) h.push('ode_loss', ...overlapColumns(K, M, 'ode_'), 'loss_abs_err', 'Q_max_err', 'R_max_err');
  // 2L-GD: second-layer weights v_k (and the ODE's), appended last
  if (secondLayer) h.push(...vColumns(K, ''), ...(compareOde ? [...vColumns(K, 'ode_'), 'v_max_err'] : []));
  return h;
}

/** Deviations of a record from its ODE point: |Δε|, max|ΔQ|, max|ΔR| (NaN without ODE). */
export function deviations(r: TrainRecord): { lossErr: number; qErr: number; rErr: number } {
  if (!r.ode) return { lossErr: NaN, qErr: NaN, rErr: NaN };
  let q = 0;
  let rr = 0;
  for (let i = 0; i < r.Q.length; i++) q = Math.max(q, Math.abs(r.Q[i] - r.ode.Q[i]));
  for (let i = 0; i < r.R.length; i++) rr = Math.max(rr, Math.abs(r.R[i] - r.ode.R[i]));
  return { lossErr: Math.abs(r.loss - r.ode.loss), qErr: q, rErr: rr };
}

/** The CSV rows of one replica, in the order of trainHeader. */
function vColumns(K: number, prefix: string): string[] {
  return Array.from({ length: K }, (_, k) => `${prefix}v_${k}`);
}

export function trainRows(K: number, M: number, compareOde: boolean, res: ReplicaResult, secondLayer = false): Cell[][] {
  return res.records.map((r) => {
    const row: Cell[] = [res.replica, r.step, r.tau, r.status, r.loss, ...overlapValues(K, M, r.Q, r.R)];
    if (compareOde) {
      const d = deviations(r);
      if (r.ode) row.push(r.ode.loss, ...overlapValues(K, M, r.ode.Q, r.ode.R), d.lossErr, d.qErr, d.rErr);
      else row.push(NaN, ...overlapColumns(K, M).map(() => NaN), NaN, NaN, NaN);
    }
    if (secondLayer) {
      const v = Array.from(r.v ?? new Float64Array(K).fill(NaN));
      row.push(...v);
      if (compareOde) {
        const ov = Array.from(r.ode?.v ?? new Float64Array(K).fill(NaN));
        row.push(...ov, r.ode?.v ? Math.max(...v.map((x, k) => Math.abs(x - ov[k]))) : NaN);
      }
    }
    return row;
  });
}

/** Replicas per job: one for the js kernel (best balance), a share of the batch otherwise. */
export function jobChunks(o: Pick<TrainOptions, 'replicas' | 'workers' | 'backend' | 'algorithm'>): number[][] {
  const per = o.algorithm === 'sgd' && o.backend !== 'js' ? Math.ceil(o.replicas / o.workers) : 1;
  const chunks: number[][] = [];
  for (let r = 0; r < o.replicas; r += per) chunks.push(Array.from({ length: Math.min(per, o.replicas - r) }, (_, j) => r + j));
  return chunks;
}

/** Runs all replicas (on `workers` threads) and returns their results in replica order. */
export async function runTrain(opts: TrainOptions, onJob?: (done: number, total: number) => void): Promise<ReplicaResult[]> {
  const chunks = jobChunks(opts);
  let finished = 0;
  const outs = await mapPool<TrainJobInput, ReplicaResult[]>(
    { module: import.meta.url, fn: 'trainJob' },
    chunks.map((replicas) => ({ opts, replicas })),
    { workers: opts.workers, ordered: true, onResult: () => onJob?.(++finished, chunks.length) },
  );
  return outs.flat();
}
