// Checkpoints of a long online-SGD run (docs/reliability.md, "Interrupts"): the weights of every
// replica, its generator state, steps and status, and whatever the caller has recorded so far,
// together with the inputs that made them. A run resumed from one must continue bit for bit as
// if it had never stopped. Take them where the kernel has just recomputed the tracked Q and R
// from the weights (steps a multiple of its recomputeEvery): loading the batch recomputes them
// the same way, and the weights and the stream are restored exactly. JSON keeps every float64
// exactly (shortest round-trip form); NaN and ±Infinity are written as strings.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { SgdBatch } from '../network/backend.js';
import { writeFileAtomic } from '../io/files.js';

export interface Checkpoint<T> {
  /** The run's inputs (a checkpoint for other inputs is ignored). */
  input: unknown;
  steps: number[];
  status: number[];
  /** Each replica's 128-bit generator state. */
  rng: number[][];
  W: number[];
  /** The caller's records so far. */
  data: T;
  /** Wall time spent before the checkpoint, ms. */
  wallMs: number;
}

const VERSION = 1;
const encode = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);
const decode = (_k: string, v: unknown) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);
/** `input` as it is compared: plain JSON, undefined fields dropped. */
const canonical = (input: unknown) => JSON.stringify(input, encode);

/** Writes the checkpoint of `batch` (weights synced from the kernel) atomically to `path`. */
export function writeCheckpoint<T>(path: string, input: unknown, batch: SgdBatch, data: T, wallMs: number): void {
  const rng = batch.rngs.map((r) => {
    if (!r.getState) throw new Error('checkpoint: a generator without state access');
    return Array.from(r.getState());
  });
  const c: Checkpoint<T> & { version: number } = {
    version: VERSION, input: JSON.parse(canonical(input)), steps: Array.from(batch.steps), status: Array.from(batch.status), rng, W: Array.from(batch.W), data, wallMs,
  };
  writeFileAtomic(path, JSON.stringify(c, encode));
}

/** The checkpoint at `path` if there is one for these inputs and this batch's shape; otherwise undefined. */
export function readCheckpoint<T>(path: string, input: unknown, batch: SgdBatch): Checkpoint<T> | undefined {
  if (!existsSync(path)) return undefined;
  let c: Checkpoint<T> & { version?: number };
  try {
    c = JSON.parse(readFileSync(path, 'utf8'), decode);
  } catch {
    return undefined;
  }
  const fits = c.version === VERSION && canonical(c.input) === canonical(input) && c.W?.length === batch.W.length && c.rng?.length === batch.rngs.length;
  return fits ? c : undefined;
}

/** Puts a checkpoint's weights, steps, status and generator states into `batch` (load the kernel after). */
export function restoreBatch(batch: SgdBatch, c: Checkpoint<unknown>): void {
  batch.W.set(c.W);
  batch.steps.set(c.steps);
  batch.status.set(c.status);
  c.rng.forEach((s, r) => batch.rngs[r].setState!(s));
}

/** Removes a checkpoint once its run's result is safely written. */
export function removeCheckpoint(path: string): void {
  rmSync(path, { force: true });
}
