// The one training driver (docs/theory.md §4): a Trainer advances replicas of explicit-weight
// networks and measures them; `drive` takes it along a schedule of cumulative step counts and
// hands each live replica's measurement to the caller, who decides whether it goes on. Every
// finite-N computation (scmv train, validate, the studies, the benchmarks) trains through it.
//
// Window statistics (docs/theory.md §10): with `windowStats`, each advance() is one record window,
// and window(i) gives the mean and variance over EVERY step of it of each Q_kl and R_km, and of ε
// sampled at the steps that are multiples of `lossEvery`. A kernel trainer reads Q, R from the
// kernel's tracked overlaps (O(K(K + M)) per step, folded in the kernel); a replica trainer has no
// tracked overlaps and measures Q, R from the weights after every step (O(K(K + M)N) per step).
import type { Activation } from '../activations/index.js';
import type { SgdBatch, SgdKernel } from '../network/backend.js';
import type { Measurement } from '../network/measure.js';
import { foldStep, makeWindowSums, startWindow, windowMoments, type WindowMoments } from '../network/window.js';
import { overlapsOf } from '../theory/overlaps.js';
import { populationLoss } from '../theory/loss.js';
import { addLoss, clearLoss, lossMoments, makeLossSamples } from './loss-samples.js';

/** Statistics over every step of one record window. */
export interface WindowStats extends WindowMoments {
  /** ε at the window's steps that are multiples of lossEvery: mean, population variance, count. */
  lossMean: number;
  lossVar: number;
  lossSamples: number;
}

export interface TrainerOptions {
  /** Fold every step of each advance() into window statistics (default false). */
  windowStats?: boolean;
  /** With windowStats: sample ε at every step whose count is a multiple of this (0: never). */
  lossEvery?: number;
}

export interface Trainer {
  readonly replicas: number;
  /** Advances every live replica by `steps` steps (fewer for one that diverges). */
  advance(steps: number): Promise<void>;
  /** Steps replica i has actually taken. */
  stepsTaken(i: number): number;
  /** True when replica i's own update blew up (the kernel's divergence test). */
  diverged(i: number): boolean;
  /** Stops advancing replica i. */
  retire(i: number): void;
  measure(i: number): Measurement;
  /** Statistics over every step of replica i's last advance() (undefined without windowStats or before the first advance). */
  window(i: number): WindowStats | undefined;
  /** max |tracked − exact| of replica i's Q, R at the last exact recomputation (NaN when they are measured from the weights). */
  drift(i: number): number;
  dispose(): void;
}

/** Decides after a record whether replica i goes on (true) or is retired (false). */
export type RecordHook = (i: number, step: number, kernelDiverged: boolean, measured: () => Measurement) => boolean;

/** Cumulative step targets every `every` steps up to `total`: every, 2·every, …, total. */
export function evenSchedule(every: number, total: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < total; ) {
    s += Math.min(every, total - s);
    out.push(s);
  }
  return out;
}

/** Advances `tr` to each cumulative target in turn and records every live replica there. */
export async function drive(tr: Trainer, targets: readonly number[], onRecord: RecordHook): Promise<void> {
  const live = new Set(Array.from({ length: tr.replicas }, (_, i) => i).filter((i) => !tr.diverged(i)));
  let s = 0;
  for (const target of targets) {
    if (live.size === 0) break;
    await tr.advance(target - s);
    s = target;
    for (const i of [...live]) {
      let m: Measurement | undefined;
      const go = onRecord(i, tr.stepsTaken(i), tr.diverged(i), () => (m ??= tr.measure(i)));
      if (!go) {
        tr.retire(i);
        live.delete(i);
      }
    }
  }
}

/**
 * A Trainer over an online-SGD kernel and its batch (network/backend.ts). Q, R come from the
 * kernel's tracked overlaps, ε = ε(Q, R, T) (docs/theory.md §2, §10), so a record costs O(K(K + M))
 * plus the loss, not O(K(K + M)N). With windowStats the kernel must have been created with
 * spec.windowStats; each advance() is a window, split at the multiples of lossEvery to sample ε.
 */
export function kernelTrainer(kernel: SgdKernel, batch: SgdBatch, act: Activation, K: number, M: number, N: number, opts: TrainerOptions = {}): Trainer {
  const replicas = batch.rngs.length;
  const windows = opts.windowStats ?? false;
  const lossEvery = windows ? (opts.lossEvery ?? 0) : 0;
  const T = overlapsOf(new Float64Array(0), batch.Wstar, 0, M, N).T;
  const losses = makeLossSamples(replicas);
  /** Steps every live replica has taken (they advance in lockstep). */
  let done = replicas ? Math.max(...batch.steps) : 0;
  let folded = false;
  const lossOf = (i: number): number =>
    populationLoss(act, K, M, batch.Q.subarray(i * K * K, (i + 1) * K * K), batch.R.subarray(i * K * M, (i + 1) * K * M), T);
  return {
    replicas,
    async advance(steps) {
      if (windows) {
        await kernel.resetWindow(batch);
        for (let i = 0; i < replicas; i++) clearLoss(losses, i);
        folded = true;
      }
      for (let left = steps; left > 0; ) {
        const n = lossEvery > 0 ? Math.min(left, lossEvery - (done % lossEvery)) : left;
        await kernel.advance(batch, n);
        done += n;
        left -= n;
        if (lossEvery > 0 && done % lossEvery === 0) {
          await kernel.sync(batch, 'overlaps');
          for (let i = 0; i < replicas; i++) if (batch.status[i] === 0 && batch.steps[i] === done) addLoss(losses, i, lossOf(i));
        }
      }
      await kernel.sync(batch);
    },
    stepsTaken: (i) => batch.steps[i],
    diverged: (i) => batch.status[i] === 1,
    retire: (i) => void (batch.status[i] = 1),
    measure: (i) => ({
      K, M, T: T.slice(), loss: lossOf(i),
      Q: batch.Q.slice(i * K * K, (i + 1) * K * K), R: batch.R.slice(i * K * M, (i + 1) * K * M),
    }),
    window: (i) => {
      if (!folded) return undefined;
      const l = lossMoments(losses, i);
      return { ...windowMoments(batch.window, i, K, M), lossMean: l.mean, lossVar: l.variance, lossSamples: l.samples };
    },
    drift: (i) => batch.drift[i],
    dispose: () => kernel.dispose(),
  };
}

/**
 * A Trainer over independent replicas with a per-replica stepper: `step(i, n)` advances replica
 * i by n steps and returns the steps taken (fewer when it diverges). With windowStats it steps
 * one at a time and measures Q, R (and ε) from the weights after every step: O(K(K + M)N) a step.
 */
export function replicaTrainer(replicas: number, step: (i: number, n: number) => number, measureOne: (i: number) => Measurement, opts: TrainerOptions = {}): Trainer {
  const taken = new Float64Array(replicas);
  const status = new Uint8Array(replicas);
  const windows = opts.windowStats ?? false;
  const lossEvery = windows ? (opts.lossEvery ?? 0) : 0;
  let sums: ReturnType<typeof makeWindowSums> | undefined;
  let dims = { K: 0, M: 0 };
  const losses = makeLossSamples(replicas);
  const advanceFolding = (i: number, n: number): void => {
    const m0 = measureOne(i);
    if (!sums) {
      dims = { K: m0.K, M: m0.M };
      sums = makeWindowSums(replicas, m0.K, m0.M);
    }
    startWindow(sums, i, m0.K, m0.M, m0.Q, 0, m0.R, 0);
    clearLoss(losses, i);
    for (let t = 0; t < n; t++) {
      if (step(i, 1) < 1) {
        status[i] = 1;
        return;
      }
      taken[i] += 1;
      const m = measureOne(i);
      foldStep(sums, i, m.K, m.M, m.Q, 0, m.R, 0);
      sums.n[i] += 1;
      if (lossEvery > 0 && taken[i] % lossEvery === 0) addLoss(losses, i, m.loss);
    }
  };
  return {
    replicas,
    async advance(n) {
      for (let i = 0; i < replicas; i++) {
        if (status[i] !== 0) continue;
        if (windows) {
          advanceFolding(i, n);
          continue;
        }
        const t = step(i, n);
        taken[i] += t;
        if (t < n) status[i] = 1;
      }
    },
    stepsTaken: (i) => taken[i],
    diverged: (i) => status[i] === 1,
    retire: (i) => void (status[i] = status[i] || 2),
    measure: measureOne,
    window: (i) => {
      if (!sums) return undefined;
      const l = lossMoments(losses, i);
      return { ...windowMoments(sums, i, dims.K, dims.M), lossMean: l.mean, lossVar: l.variance, lossSamples: l.samples };
    },
    drift: () => NaN,
    dispose: () => {},
  };
}
