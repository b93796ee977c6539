// Finite-N training measured against the ODE (docs/theory.md §4, §5): replicas of a student
// network with explicit weights W ∈ R^{K×N}, trained on a shared teacher W* by
//   sgd                        online SGD through an SGD kernel (js, wasm, tfjs), τ = η·steps/N;
//   gd                         population GD on W (Euler or RK4), τ = steps·Δτ;
//   ngd, ongd, 2l              population nGD, onGD, 2L-GD (projected field + retraction);
//   ngd-sgd, ongd-sgd, 2l-sgd  their online versions, τ = η·steps/N;
// with Q, R, T and ε measured every `recordEvery` steps and, optionally, the algorithm's ODE
// started from each replica's measured state recorded at the same τ.
//
// For sgd the kernel tracks Q and R at every step by the exact increments of docs/theory.md §10
// (recomputed from the weights every `recomputeEvery` steps; the drift at that recomputation is
// recorded), and records read them from there. With window statistics (default for sgd) every
// record also carries, over every step since the previous record, the mean and variance of each
// Q_kl, R_km, and of ε sampled every `lossEvery` steps.
//
// Streams: the teacher comes from createRng(seed, 'teacher'); replica r draws W0 (K·N normals)
// and then its inputs from createRng(seed, 'replica', r). Results do not depend on --workers or
// on how replicas are grouped into jobs.
import { getActivation, type Activation, type ActivationName } from '../activations/index.js';
import { createRng, type Rng } from '../random/rng.js';
import { overlapColumns, overlapValues } from '../io/columns.js';
import type { Cell } from '../io/csv.js';
import { createSgdKernel, makeBatch, type BackendName } from '../network/backend.js';
import { sampleTeacher, type TeacherKind } from '../network/teacher.js';
import { sampleStudent } from '../network/student.js';
import { measure } from '../network/measure.js';
import { makeGdStepper, type GdMethod } from '../network/gd.js';
import { initialNet, makeOnlineStepper, makePopulationStepper, type ConstrainedAlgorithm, type NetState, type Retraction } from '../network/constrained.js';
import { overlapsOf } from '../theory/overlaps.js';
import { makeAlgorithmFlow } from '../theory/algorithms.js';
import { makeSgdFlow } from '../theory/sgd-flow.js';
import { flowSystem, GRADIENT_FLOW_COMPARE, odeAt, SGD_ODE_COMPARE, type OdeCompareOptions, type OdeSystem } from '../ode/compare.js';
import { maxAbsDiff } from '../linalg/vector.js';
import { MAX_LOSS_FACTOR, MAX_ODE_RHS, TRAIN } from '../defaults.js';
import { mapPool } from './pool.js';
import { jobRef } from './jobs.js';
import { drive, evenSchedule, kernelTrainer, replicaTrainer, type Trainer, type TrainerOptions, type WindowStats } from './trainer.js';

export const CONSTRAINED_TRAIN_ALGORITHMS = ['ngd', 'ongd', '2l', 'ngd-sgd', 'ongd-sgd', '2l-sgd'] as const;
export type ConstrainedTrainAlgorithm = (typeof CONSTRAINED_TRAIN_ALGORITHMS)[number];
export const TRAIN_ALGORITHMS = ['sgd', 'gd', ...CONSTRAINED_TRAIN_ALGORITHMS] as const;
export type Algorithm = (typeof TRAIN_ALGORITHMS)[number];

/** Which ODE a run is compared with: the gradient flow (docs/theory.md §3) or the SGD ODE (§4.2). */
export const ODE_KINDS = ['gradient-flow', 'sgd-ode'] as const;
export type OdeKind = (typeof ODE_KINDS)[number];

/** Online algorithms (τ = η·steps/N): plain 'sgd' and the '-sgd' variants. */
export function isOnline(a: Algorithm): boolean {
  return a === 'sgd' || a.endsWith('-sgd');
}

/** The constrained scheme behind a train algorithm: 'ngd-sgd' → 'ngd'; undefined for sgd and gd. */
export function constrainedBase(a: Algorithm): ConstrainedAlgorithm | undefined {
  return a === 'sgd' || a === 'gd' ? undefined : (a.replace(/-sgd$/, '') as ConstrainedAlgorithm);
}

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
  /** Steps between records (default: about TRAIN.records records over the run). */
  recordEvery?: number;
  teacher: TeacherKind;
  activation: ActivationName;
  alpha: number;
  seed: number;
  replicas: number;
  workers: number;
  backend: BackendName;
  compareOde: boolean;
  /** The ODE of --compare-ode for sgd (default: the SGD ODE when the activation has I4). */
  odeKind?: OdeKind;
  /** 2L-GD: second-layer learning-rate ratio κ. */
  kappa?: number;
  /** onGD: retraction onto W Wᵀ/N = I. */
  retraction?: Retraction;
  /** A replica whose measured ε exceeds this (or is not finite) is diverged (default MAX_LOSS_FACTOR · max(1, ε0)). */
  maxLoss?: number;
  ode?: OdeCompareOptions;
  /** Per-window statistics over every step (default: on for sgd; see windowStatsOf). */
  windowStats?: boolean;
  /** With windowStats: ε is sampled at the steps that are multiples of this (default: see lossEveryOf). */
  lossEvery?: number;
  /** sgd: exact recomputation of the tracked Q, R every this many steps (default TRAIN.recomputeEvery; 0 = never). */
  recomputeEvery?: number;
}

/** One measured row of one replica. */
export interface TrainRecord {
  step: number;
  tau: number;
  status: 'ok' | 'diverged';
  loss: number;
  Q: Float64Array;
  R: Float64Array;
  /** 2L-GD: second-layer weights. */
  v?: Float64Array;
  ode?: { loss: number; Q: Float64Array; R: Float64Array; v?: Float64Array };
  /** Statistics over every step since the previous record (windowStats). */
  window?: WindowStats;
  /** sgd: max |tracked − exact| of Q, R at the last exact recomputation. */
  drift?: number;
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

/** Total number of steps for the run: ⌈τmax·N/η⌉ (online) or ⌈τmax/Δτ⌉ (population), minus round-off. */
export function totalSteps(o: Pick<TrainOptions, 'algorithm' | 'tauMax' | 'N' | 'lr' | 'dtau'>): number {
  const x = isOnline(o.algorithm) ? (o.tauMax * o.N) / o.lr : o.tauMax / o.dtau;
  return Math.max(1, Math.ceil(x * (1 - 1e-12)));
}

/** τ after `steps` steps: η·steps/N (online) or steps·Δτ (population). */
export function tauOf(o: Pick<TrainOptions, 'algorithm' | 'N' | 'lr' | 'dtau'>, steps: number): number {
  return isOnline(o.algorithm) ? (o.lr * steps) / o.N : steps * o.dtau;
}

export function recordEveryOf(o: TrainOptions): number {
  return o.recordEvery ?? Math.max(1, Math.ceil(totalSteps(o) / TRAIN.records));
}

/**
 * Whether records carry window statistics: by default on for sgd, whose kernel tracks Q, R at
 * every step (docs/theory.md §10) so that folding a step costs O(K(K + M)); off for the other
 * algorithms, where it would need an O(K(K + M)N) measurement from the weights after every step.
 */
export function windowStatsOf(o: Pick<TrainOptions, 'algorithm' | 'windowStats'>): boolean {
  return o.windowStats ?? o.algorithm === 'sgd';
}

/** ε sampling period of the window statistics: --loss-every, default min(TRAIN.lossEvery, recordEvery). */
export function lossEveryOf(o: TrainOptions): number {
  return o.lossEvery ?? Math.min(TRAIN.lossEvery, recordEveryOf(o));
}

/** sgd: period of the exact recomputation of the tracked Q, R. */
export function recomputeEveryOf(o: Pick<TrainOptions, 'recomputeEvery'>): number {
  return o.recomputeEvery ?? TRAIN.recomputeEvery;
}

/** Which ODE --compare-ode integrates for sgd and gd (the constrained algorithms use their own flows). */
export function odeKindOf(o: Pick<TrainOptions, 'algorithm' | 'activation' | 'alpha' | 'odeKind'>): OdeKind {
  if (o.odeKind) return o.odeKind;
  return o.algorithm === 'sgd' && getActivation(o.activation, o.alpha).I4 ? 'sgd-ode' : 'gradient-flow';
}

/** A label of the ODE a run is compared with: gradient-flow, sgd-ode, or '<scheme>-flow'. */
export function odeLabelOf(o: Pick<TrainOptions, 'algorithm' | 'activation' | 'alpha' | 'odeKind'>): string {
  const base = constrainedBase(o.algorithm);
  return base ? `${base}-flow` : odeKindOf(o);
}

/** Integrator settings of the comparison: tight for the gradient flow, looser for the (costlier) SGD ODE. */
export function odeOptionsOf(o: Pick<TrainOptions, 'algorithm' | 'activation' | 'alpha' | 'ode' | 'odeKind'>): OdeCompareOptions {
  if (o.ode) return o.ode;
  return !constrainedBase(o.algorithm) && odeKindOf(o) === 'sgd-ode' ? SGD_ODE_COMPARE : GRADIENT_FLOW_COMPARE;
}

/** The shared teacher of a run. */
export function teacherOf(o: Pick<TrainOptions, 'M' | 'N' | 'teacher' | 'seed'>): Float64Array {
  return sampleTeacher(o.M, o.N, o.teacher, createRng(o.seed, 'teacher'));
}

/** The Trainer of `opts` for the given replicas (each from its own stream). */
async function makeTrainer(opts: TrainOptions, act: Activation, replicas: readonly number[], Wstar: Float64Array, T: Float64Array): Promise<Trainer> {
  const { K, M, N } = opts;
  const rngs: Rng[] = replicas.map((r) => createRng(opts.seed, 'replica', r));
  const W0 = rngs.map((rng) => sampleStudent(K, N, rng));
  const alg = constrainedBase(opts.algorithm);
  const topts: TrainerOptions = { windowStats: windowStatsOf(opts), lossEvery: lossEveryOf(opts) };
  if (opts.algorithm === 'sgd') {
    const KN = K * N;
    const W = new Float64Array(replicas.length * KN);
    W0.forEach((w, i) => W.set(w, i * KN));
    const kernel = await createSgdKernel(opts.backend, {
      activation: opts.activation, alpha: opts.alpha, K, M, N, lr: opts.lr, replicas: replicas.length,
      recomputeEvery: recomputeEveryOf(opts), windowStats: topts.windowStats,
    });
    const batch = makeBatch(W, Wstar, rngs);
    await kernel.load(batch);
    return kernelTrainer(kernel, batch, act, K, M, N, topts);
  }
  if (opts.algorithm === 'gd') {
    const step = makeGdStepper(act, K, M, N, Wstar, T, opts.dtau, opts.gdMethod);
    return replicaTrainer(replicas.length, (i, n) => {
      for (let j = 0; j < n; j++) step(W0[i]);
      return n;
    }, (i) => measure(act, W0[i], Wstar, K, M, N), topts);
  }
  const nets: NetState[] = W0.map((w) => initialNet(alg!, w, K, N));
  const secondLayer = alg === '2l';
  const measureNet = (i: number) => measure(act, nets[i].W, Wstar, K, M, N, secondLayer ? nets[i].v : undefined);
  const copts = { kappa: opts.kappa ?? TRAIN.kappa, retraction: opts.retraction ?? TRAIN.retraction };
  if (isOnline(opts.algorithm)) {
    const advance = makeOnlineStepper(alg!, act, K, M, N, Wstar, opts.lr, copts);
    return replicaTrainer(replicas.length, (i, n) => advance(nets[i], rngs[i], n), measureNet, topts);
  }
  const step = makePopulationStepper(alg!, act, K, M, N, Wstar, T, opts.dtau, opts.gdMethod, copts);
  return replicaTrainer(replicas.length, (i, n) => {
    for (let j = 0; j < n; j++) step(nets[i]);
    return n;
  }, measureNet, topts);
}

/** The ODE system a run is compared with, and its initial state from the first record. */
function comparison(opts: TrainOptions, act: Activation, T: Float64Array, first: TrainRecord): { sys: OdeSystem; y0: Float64Array } {
  const { K, M } = opts;
  const alg = constrainedBase(opts.algorithm);
  const sys: OdeSystem = alg
    ? makeAlgorithmFlow(alg, act, K, M, T, { kappa: opts.kappa ?? TRAIN.kappa })
    : odeKindOf(opts) === 'sgd-ode' ? flowSystem(makeSgdFlow(act, K, M, T, opts.lr), K, M) : makeAlgorithmFlow('gd', act, K, M, T);
  const y0 = new Float64Array(sys.size);
  y0.set(first.Q, 0);
  y0.set(first.R, K * K);
  if (alg === '2l') y0.set(first.v!, K * K + K * M);
  return { sys, y0 };
}

/** Job (mapPool): trains the listed replicas and, with compareOde, adds the ODE at each record. */
export async function trainJob(input: TrainJobInput): Promise<ReplicaResult[]> {
  const { opts, replicas } = input;
  const { K, M, N } = opts;
  const act = getActivation(opts.activation, opts.alpha);
  const Wstar = teacherOf(opts);
  const T = overlapsOf(new Float64Array(0), Wstar, 0, M, N).T;
  const t0 = performance.now();
  const records: TrainRecord[][] = replicas.map(() => []);
  const diverged = replicas.map(() => false);
  const tr = await makeTrainer(opts, act, replicas, Wstar, T);
  /** Records replica i's measurement at `step`; false (diverged) when its update or its loss blew up. */
  const limit: number[] = [];
  const record = (i: number, step: number, bad: boolean, m: ReturnType<Trainer['measure']>): boolean => {
    limit[i] ??= opts.maxLoss ?? MAX_LOSS_FACTOR * Math.max(1, Number.isFinite(m.loss) ? m.loss : 1);
    const div = bad || !(Math.abs(m.loss) <= limit[i]);
    records[i].push({
      step, tau: tauOf(opts, step), status: div ? 'diverged' : 'ok', loss: m.loss, Q: m.Q, R: m.R, v: m.v,
      window: step > 0 ? tr.window(i) : undefined, drift: opts.algorithm === 'sgd' ? tr.drift(i) : undefined,
    });
    if (div) diverged[i] = true;
    return !div;
  };
  try {
    for (let i = 0; i < replicas.length; i++) if (!record(i, 0, false, tr.measure(i))) tr.retire(i);
    await drive(tr, evenSchedule(recordEveryOf(opts), totalSteps(opts)), (i, step, bad, measured) => record(i, step, bad, measured()));
  } finally {
    tr.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  return replicas.map((replica, i) => {
    const recs = records[i];
    if (opts.compareOde) {
      const { sys, y0 } = comparison(opts, act, T, recs[0]);
      // the ODE is integrated up to the last finite record
      // up to the last record before the run diverged; a run-away ODE stops there too
      const taus = recs.filter((r) => r.status === 'ok').map((r) => r.tau);
      const sgdOde = !constrainedBase(opts.algorithm) && odeKindOf(opts) === 'sgd-ode';
      const ode = odeAt(sys, y0, taus, { maxRhs: MAX_ODE_RHS, maxLoss: sgdOde ? limit[i] : undefined, ...odeOptionsOf(opts) });
      for (const r of recs) {
        const p = ode.at.get(r.tau);
        if (p) r.ode = { loss: p.loss, Q: p.Q, R: p.R, v: p.v };
      }
    }
    return { replica, records: recs, T, diverged: diverged[i], seconds };
  });
}

export const TRAIN_JOB = jobRef(import.meta.url, trainJob);

/** Deviations of a record from its ODE point: |Δε|, max|ΔQ|, max|ΔR| (NaN without ODE). */
export function deviations(r: TrainRecord): { lossErr: number; qErr: number; rErr: number } {
  if (!r.ode) return { lossErr: NaN, qErr: NaN, rErr: NaN };
  return { lossErr: Math.abs(r.loss - r.ode.loss), qErr: maxAbsDiff(r.Q, r.ode.Q), rErr: maxAbsDiff(r.R, r.ode.R) };
}

/** Which optional column groups a `scmv train` CSV has (besides the ODE and 2L ones). */
export interface TrainColumns {
  /** qr_drift (sgd: the tracked overlaps' drift at the last exact recomputation). */
  drift?: boolean;
  /** window_steps, <overlap>_mean, <overlap>_var, loss_mean, loss_var, loss_samples. */
  window?: boolean;
}

/** The optional column groups of a run. */
export function trainColumnsOf(o: Pick<TrainOptions, 'algorithm' | 'windowStats'>): TrainColumns {
  return { drift: o.algorithm === 'sgd', window: windowStatsOf(o) };
}

/**
 * CSV header of `scmv train` (tidy: one row per replica and record). The optional groups come
 * last: qr_drift, then the window statistics over the steps (previous record, this record]:
 * window_steps, Q_k_l_mean, Q_k_l_var, …, R_k_m_mean, R_k_m_var, …, loss_mean, loss_var, loss_samples.
 */
export function trainHeader(K: number, M: number, compareOde: boolean, secondLayer = false, cols: TrainColumns = {}): string[] {
  const h = ['replica', 'step', 'tau', 'status', 'loss', ...overlapColumns(K, M)];
  if (compareOde) h.push('ode_loss', ...overlapColumns(K, M, 'ode_'), 'loss_abs_err', 'Q_max_err', 'R_max_err');
  // 2L-GD: second-layer weights v_k (and the ODE's), appended last
  if (secondLayer) h.push(...vColumns(K, ''), ...(compareOde ? [...vColumns(K, 'ode_'), 'v_max_err'] : []));
  if (cols.drift) h.push('qr_drift');
  if (cols.window) h.push('window_steps', ...overlapColumns(K, M).flatMap((c) => [`${c}_mean`, `${c}_var`]), 'loss_mean', 'loss_var', 'loss_samples');
  return h;
}

function vColumns(K: number, prefix: string): string[] {
  return Array.from({ length: K }, (_, k) => `${prefix}v_${k}`);
}

/** The CSV rows of one replica, in the order of trainHeader. */
export function trainRows(K: number, M: number, compareOde: boolean, res: ReplicaResult, secondLayer = false, cols: TrainColumns = {}): Cell[][] {
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
    if (cols.drift) row.push(r.drift ?? NaN);
    if (cols.window) {
      const w = r.window;
      if (w) {
        const means = overlapValues(K, M, w.Qmean, w.Rmean), vars = overlapValues(K, M, w.Qvar, w.Rvar);
        row.push(w.steps, ...means.flatMap((m, j) => [m, vars[j]]), w.lossMean, w.lossVar, w.lossSamples);
      } else row.push(0, ...overlapColumns(K, M).flatMap(() => [NaN, NaN]), NaN, NaN, 0);
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
export async function runTrain(opts: TrainOptions, onJob?: (done: number, total: number) => void, run: { signal?: AbortSignal; isolate?: boolean } = {}): Promise<ReplicaResult[]> {
  const chunks = jobChunks(opts);
  let finished = 0;
  const outs = await mapPool(TRAIN_JOB, chunks.map((replicas) => ({ opts, replicas })), {
    workers: opts.workers, ordered: true, onResult: () => onJob?.(++finished, chunks.length), ...run,
  });
  return outs.flat();
}

/** Bytes one job of `opts` holds: the weights of its replicas (plus RK4 stages) and its records. */
export function jobBytes(o: TrainOptions): number {
  const per = jobChunks({ ...o, replicas: Math.min(o.replicas, 1e6) })[0]?.length ?? 1;
  const weights = (per * (isOnline(o.algorithm) ? 1 : 6) * o.K + o.M) * o.N * 8;
  const recordBytes = per * (TRAIN.records + 1) * (o.K * o.K + o.K * o.M) * 8 * (o.compareOde ? 2 : 1);
  return weights + recordBytes;
}
