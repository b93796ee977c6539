// The interface between the finite-N training driver and the online-SGD kernels (docs/theory.md §4.2).
//
// A kernel advances a batch of independent replicas (student networks) by a number of
// online-SGD steps
//
//     x ~ N(0, I_N),  λ = W x/√N,  ν = W* x/√N,  Δ = Σ_k g(λ_k) − Σ_m g(ν_m),
//     w_k ← w_k − (η/√N) Δ g′(λ_k) x            (one fresh x per step)
//
// and nothing else: measuring Q, R, T and the loss happens outside, on the Float64 weights
// (src/network/measure.ts). The driver (src/experiments/train.ts) calls, per record interval,
//
//     await kernel.advance(batch, recordEvery);   // train
//     await kernel.sync(batch);                   // make batch.W current (no-op for js)
//     … measure Q, R, T, ε from batch.W …
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
// - Replicas are independent: the result for replica r must not depend on which other
//   replicas share the batch, or on the batch size (so --workers never changes results).
// - `advance` may keep the weights in its own storage (WASM memory, tf.Tensor). The driver
//   calls `load(batch)` once after creating the kernel (and again whenever it has written
//   batch.W itself); `sync(batch)` must then copy the current weights back into batch.W as
//   float64 (and make batch.status / batch.steps current). Kernels that work on batch.W
//   directly make both no-ops.
// - Adding a backend (e.g. a hand-written WASM SIMD kernel): write src/network/sgd-<name>.ts
//   exporting `createKernel: SgdKernelFactory`, and add the name to BACKEND_NAMES and
//   BACKEND_MODULES below (that is the only edit needed; --backend picks it up).
// - Numbers are float64 for js; a float32 backend (tfjs) must declare `precision: 'float32'`.
import type { ActivationName } from '../activations/index.js';
import type { Rng } from '../random/rng.js';

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
}

export interface SgdKernel {
  readonly backend: BackendName | string;
  readonly precision: 'float64' | 'float32';
  /** True when replica r consumes rngs[r] exactly as the js reference does. */
  readonly exactStream: boolean;
  /** Copies batch.W into the kernel's own storage (no-op for kernels that work on batch.W). */
  load(batch: SgdBatch): void | Promise<void>;
  /** Advances every replica with status 0 by `steps` online-SGD steps (fewer if it diverges). */
  advance(batch: SgdBatch, steps: number): void | Promise<void>;
  /** Makes batch.W hold the current weights (no-op for kernels that work on batch.W). */
  sync(batch: SgdBatch): void | Promise<void>;
  /** Frees backend resources (tensors, WASM memory). */
  dispose(): void;
}

/** A module that provides a backend exports `createKernel(spec)`. */
export type SgdKernelFactory = (spec: SgdKernelSpec) => SgdKernel | Promise<SgdKernel>;

/** Default divergence threshold on |Δ| for one step. */
export const DEFAULT_MAX_DELTA = 1e6;

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

/** A fresh batch: copies W0 (replicas·K·N) and shares Wstar and the rngs. */
export function makeBatch(W0: Float64Array, Wstar: Float64Array, rngs: Rng[]): SgdBatch {
  const replicas = rngs.length;
  return { W: Float64Array.from(W0), Wstar, rngs, status: new Uint8Array(replicas), steps: new Float64Array(replicas) };
}
