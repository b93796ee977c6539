// The interface between the finite-N training driver and the online-SGD kernels (docs/theory.md §4.2, §10).
//
// A kernel advances a batch of independent replicas (student networks) by a number of
// online-SGD steps
//
//     x ~ N(0, I_N),  λ = W x/√N,  ν = W* x/√N,  Δ = Σ_k g(λ_k) − Σ_m g(ν_m),
//     w_k ← w_k − (η/√N) Δ g′(λ_k) x            (one fresh x per step)
//
// and keeps each replica's order parameters Q = W Wᵀ/N, R = W W*ᵀ/N current along the way
// (docs/theory.md §10), so that the driver can measure them (and ε) at every record, and fold every
// step into per-window statistics, without touching the N-dimensional weights. The driver
// (src/runs/trainer.ts) calls, per record window,
//
//     await kernel.resetWindow(batch);            // a new window starts at the current Q, R
//     await kernel.advance(batch, recordEvery);   // train (in chunks, syncing 'overlaps' to sample ε)
//     await kernel.sync(batch);                   // make batch.W, Q, R, window current
//     … read Q, R (and ε(Q, R, T)), the window sums …
//
// Contract every backend must keep:
// - `batch.W` is ONE Float64Array of length replicas·K·N, replica-major, each replica a
//   row-major K×N matrix: w_k of replica r is W[(r·K + k)·N … (r·K + k)·N + N).
//   `batch.Wstar` is the teacher, row-major M×N, shared by every replica and never modified.
// - Randomness: replica r draws its inputs from `batch.rngs[r]` only, one x per step, in
//   step order, x_i = rng.normal() for i = 0…N−1 (i.e. `rng.fillNormal(x)` with x of length N).
//   A backend that keeps exactly this stream (js, a WASM kernel fed with these normals)
//   reproduces the js backend up to floating-point summation order; a backend that cannot
//   (tfjs with its own generator) must say so in its `exactStream = false`.
// - `batch.status[r]` is 0 (ok) or 1 (diverged). A backend never advances a replica whose
//   status is 1. It sets status 1 as soon as a step produces a non-finite or huge error
//   (!(|Δ| ≤ spec.maxDelta)); the weights of that replica are then left as they were
//   BEFORE the offending update (so they stay finite), and it takes no further steps.
//   The driver may also set status[r] = 1 between calls (e.g. when the measured loss blew
//   up): `advance` must read batch.status afresh on every call.
//   `batch.steps[r]` counts the steps actually taken by replica r (it stops growing on
//   divergence), so the driver knows τ = η·steps/N of the last good state.
// - Order parameters: `batch.Q` (replicas·K·K, each K×K row-major) and `batch.R` (replicas·K·M)
//   hold each replica's Q = W Wᵀ/N and R = W W*ᵀ/N. `load` sizes them (and `batch.drift`,
//   `batch.window`) and computes them exactly from the weights. A kernel with
//   `overlaps = 'incremental'` (js, wasm) then updates them at every step by the exact increments
//   of docs/theory.md §10 (src/network/track.ts), O(K(K + M)) per step, and recomputes them exactly
//   from the weights whenever replica r's step count reaches a multiple of spec.recomputeEvery,
//   setting `batch.drift[r]` = max |tracked − exact| at that recomputation (0 after load). A kernel
//   with `overlaps = 'recomputed'` (tfjs) computes them from its weights when it syncs, and after
//   every step when spec.windowStats is on; its drift stays 0. A diverging step does not touch
//   them (like the weights).
// - Window statistics (spec.windowStats): every step taken is folded into `batch.window`
//   (src/network/window.ts: shifted sums of Q, R since the window start, and the step count
//   n[r]). `resetWindow` starts a new window for every replica at its current Q, R.
// - Replicas are independent: the result for replica r must not depend on which other
//   replicas share the batch, or on the batch size (so --workers never changes results).
// - `advance` may keep the weights, Q, R and the window sums in its own storage (WASM memory,
//   tf.Tensor). The driver calls `load(batch)` once after creating the kernel (and again
//   whenever it has written batch.W itself); `sync(batch)` must then copy the current weights
//   back into batch.W as float64 and make batch.Q, R, drift, window, status and steps current;
//   `sync(batch, 'overlaps')` need only make Q, R (and status, steps) current — it is what the
//   driver calls between records (to sample ε), so an incremental kernel must do it in O(K(K + M)).
// - Adding a backend (e.g. a hand-written WASM SIMD kernel): write src/network/sgd-<name>.ts
//   exporting `createKernel: SgdKernelFactory`, and add the name to BACKEND_NAMES and
//   BACKEND_MODULES below (that is the only edit needed; --backend picks it up).
// - Numbers are float64 for js; a float32 backend (tfjs) must declare `precision: 'float32'`.
import type { ActivationName } from '../activations/index.js';
import type { Rng } from '../random/rng.js';
import { makeWindowSums, type WindowSums } from './window.js';

/** Names accepted by `--backend`. */
export const BACKEND_NAMES = ['js', 'wasm', 'tfjs'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Everything that fixes a kernel: it is created once per training job. */
export interface SgdKernelSpec {
  activation: ActivationName;
  /** Leaky ReLU's negative slope (ignored by the other activations). */
  alpha: number;
  K: number;
  M: number;
  N: number;
  /** Learning rate η (the update is (η/√N) Δ g′(λ_k) x). */
  lr: number;
  /** Number of replicas in the batch (≥ 1). */
  replicas: number;
  /** A step with !(|Δ| ≤ maxDelta) marks the replica diverged. Default 1e6. */
  maxDelta?: number;
  /**
   * Incremental kernels recompute Q, R exactly from the weights whenever a replica's step count
   * reaches a multiple of this (docs/theory.md §10). Default DEFAULT_RECOMPUTE_EVERY; 0 = only at load.
   */
  recomputeEvery?: number;
  /** Fold every step into batch.window (default false). */
  windowStats?: boolean;
}

/** The training state of a batch of replicas; owned by the driver, updated by the kernel. */
export interface SgdBatch {
  /** replicas·K·N float64 weights, replica-major, each K×N row-major. */
  W: Float64Array;
  /** M×N teacher, row-major; read-only. */
  Wstar: Float64Array;
  /** rngs[r]: replica r's input stream (see the contract above). */
  rngs: Rng[];
  /** status[r]: 0 = ok, 1 = diverged. */
  status: Uint8Array;
  /** steps[r]: online-SGD steps taken so far by replica r. */
  steps: Float64Array;
  /** replicas·K·K: Q = W Wᵀ/N of each replica, K×K row-major (sized by load; see the contract). */
  Q: Float64Array;
  /** replicas·K·M: R = W W*ᵀ/N of each replica, K×M row-major. */
  R: Float64Array;
  /** drift[r]: max |tracked − exact| over Q, R at replica r's last exact recomputation (0 after load). */
  drift: Float64Array;
  /** Sums of the current statistics window (spec.windowStats; src/network/window.ts). */
  window: WindowSums;
}

export interface SgdKernel {
  readonly backend: BackendName | string;
  readonly precision: 'float64' | 'float32';
  /** True when replica r consumes rngs[r] exactly as the js reference does. */
  readonly exactStream: boolean;
  /** 'incremental': Q, R tracked step by step (docs/theory.md §10); 'recomputed': from the weights at each sync. */
  readonly overlaps: 'incremental' | 'recomputed';
  /**
   * Sizes batch.Q, R, drift, window; copies batch.W into the kernel's own storage; computes Q, R
   * exactly; starts a window.
   */
  load(batch: SgdBatch): void | Promise<void>;
  /** Advances every replica with status 0 by `steps` online-SGD steps (fewer if it diverges). */
  advance(batch: SgdBatch, steps: number): void | Promise<void>;
  /** Makes batch.W, Q, R, drift and window current ('all'), or only Q, R ('overlaps'; must not cost O(K·N)). */
  sync(batch: SgdBatch, what?: 'all' | 'overlaps'): void | Promise<void>;
  /** Starts a new statistics window for every replica at its current Q, R (n = 0). */
  resetWindow(batch: SgdBatch): void | Promise<void>;
  /** Frees backend resources (tensors, WASM memory). */
  dispose(): void;
}

/** A module that provides a backend exports `createKernel(spec)`. */
export type SgdKernelFactory = (spec: SgdKernelSpec) => SgdKernel | Promise<SgdKernel>;

/** Default divergence threshold on |Δ| for one step. */
export const DEFAULT_MAX_DELTA = 1e6;

/** Default period (in steps) of the exact recomputation of the tracked Q, R. */
export const DEFAULT_RECOMPUTE_EVERY = 10_000;

/**
 * Module (relative to this file) implementing each backend; it must export
 * `createKernel: SgdKernelFactory`. js is src/network/sgd-js.ts; tfjs is src/network/sgd-tfjs.ts
 * (the perf helper's). A missing module makes createSgdKernel throw "not available".
 */
const BACKEND_MODULES: Record<BackendName, string> = {
  js: './sgd-js.js',
  tfjs: './sgd-tfjs.js',
  // float64 WASM SIMD kernel, same stream as js (relu, leaky-relu; others fall back to js)
  wasm: './sgd-wasm.js',
};

/** Creates the kernel for `backend`; throws Error("backend … not available: …") if it cannot load. */
export async function createSgdKernel(backend: BackendName, spec: SgdKernelSpec): Promise<SgdKernel> {
  const path = BACKEND_MODULES[backend];
  if (path === undefined) throw new RangeError(`unknown backend "${backend}" (valid: ${BACKEND_NAMES.join(', ')})`);
  let mod: { createKernel?: SgdKernelFactory };
  try {
    mod = (await import(path)) as { createKernel?: SgdKernelFactory };
  } catch (e) {
    throw new Error(`backend ${backend} not available: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  if (typeof mod.createKernel !== 'function') throw new Error(`backend ${backend} not available: ${path} has no createKernel export`);
  const kernel = await mod.createKernel(spec);
  return kernel;
}

/** A fresh batch: copies W0 (replicas·K·N) and shares Wstar and the rngs; Q, R, window are sized by kernel.load. */
export function makeBatch(W0: Float64Array, Wstar: Float64Array, rngs: Rng[]): SgdBatch {
  const replicas = rngs.length;
  return {
    W: Float64Array.from(W0), Wstar, rngs, status: new Uint8Array(replicas), steps: new Float64Array(replicas),
    Q: new Float64Array(0), R: new Float64Array(0), drift: new Float64Array(replicas), window: makeWindowSums(0, 0, 0),
  };
}

/** True when batch.Q, R, drift, window have the sizes of `replicas` replicas of K students and M teachers. */
export function overlapsSized(batch: SgdBatch, K: number, M: number): boolean {
  const n = batch.rngs.length;
  return batch.Q.length === n * K * K && batch.R.length === n * K * M && batch.drift.length === n && batch.window.ref.length === n * K * (K + M);
}

/** (Re)allocates batch.Q, R, drift, window for its replica count (zeros); kernels call it in load. */
export function sizeOverlaps(batch: SgdBatch, K: number, M: number): void {
  if (overlapsSized(batch, K, M)) return;
  const n = batch.rngs.length;
  batch.Q = new Float64Array(n * K * K);
  batch.R = new Float64Array(n * K * M);
  batch.drift = new Float64Array(n);
  batch.window = makeWindowSums(n, K, M);
}
