// The one training driver (docs/theory.md §4): a Trainer advances replicas of explicit-weight
// networks and measures them; `drive` takes it along a schedule of cumulative step counts and
// hands each live replica's measurement to the caller, who decides whether it goes on. Every
// finite-N computation (scmv train, validate, the studies, the benchmarks) trains through it.
import type { Activation } from '../activations/index.js';
import type { SgdBatch, SgdKernel } from '../network/backend.js';
import { measure, type Measurement } from '../network/measure.js';

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

/** A Trainer over an online-SGD kernel and its batch (network/backend.ts). */
export function kernelTrainer(kernel: SgdKernel, batch: SgdBatch, act: Activation, K: number, M: number, N: number): Trainer {
  const KN = K * N;
  return {
    replicas: batch.rngs.length,
    async advance(steps) {
      await kernel.advance(batch, steps);
      await kernel.sync(batch);
    },
    stepsTaken: (i) => batch.steps[i],
    diverged: (i) => batch.status[i] === 1,
    retire: (i) => void (batch.status[i] = 1),
    measure: (i) => measure(act, batch.W.subarray(i * KN, (i + 1) * KN), batch.Wstar, K, M, N),
    dispose: () => kernel.dispose(),
  };
}

/**
 * A Trainer over independent replicas with a per-replica stepper: `step(i, n)` advances replica
 * i by n steps and returns the steps taken (fewer when it diverges).
 */
export function replicaTrainer(replicas: number, step: (i: number, n: number) => number, measureOne: (i: number) => Measurement): Trainer {
  const taken = new Float64Array(replicas);
  const status = new Uint8Array(replicas);
  return {
    replicas,
    async advance(n) {
      for (let i = 0; i < replicas; i++) {
        if (status[i] !== 0) continue;
        const t = step(i, n);
        taken[i] += t;
        if (t < n) status[i] = 1;
      }
    },
    stepsTaken: (i) => taken[i],
    diverged: (i) => status[i] === 1,
    retire: (i) => void (status[i] = status[i] || 2),
    measure: measureOne,
    dispose: () => {},
  };
}
