// The `--backend tfjs` online-SGD kernel (docs/theory.md §4.2) in float32 TensorFlow.js, all replicas of
// the batch in one tensor W: [replicas, K, N]. Each step
//   x_r ~ N(0, I_N) from batch.rngs[r] (our JS generator, rounded to float32, uploaded),
//   λ = W x/√N, ν = W* x/√N, Δ = Σ_k g(λ_k) − Σ_m g(ν_m),  w_k ← w_k − (η/√N) Δ g′(λ_k) x,
// batched with matMul. Divergence (!(|Δ| ≤ maxDelta)) is tracked in-graph by an `alive` mask,
// so the host reads the tensors back only once per advance(). The trajectory follows the js
// kernel up to float32 round-off (the inputs are the same draws).
// Order parameters (backend.ts contract, overlaps = 'recomputed'): this kernel does NOT track Q, R
// by the increments of docs/theory.md §10 (in float32 they would drift by ≈1e-7 per step). It
// computes them in float64 from its float32 weights (theory/overlaps.ts's products) at every sync,
// so batch.drift stays 0; with spec.windowStats it advances one step at a time and recomputes
// them after every step to fold it into the window, an O(K(K + M)N) host computation per step
// (tfjs is a reference backend; js and wasm fold a step in O(K(K + M))).
import type * as TF from '@tensorflow/tfjs-core';
import type { ActivationName } from '../activations/index.js';
import { DEFAULT_MAX_DELTA, sizeOverlaps, type SgdBatch, type SgdKernel, type SgdKernelSpec } from './backend.js';
import { overlapScratch, recomputeOverlaps } from './track.js';
import { foldStep, startWindow } from './window.js';
import { loadTf, type Tf, type TfBackendName } from './tfjs-loader.js';

type Fn = (z: TF.Tensor) => TF.Tensor;

/** g and g′ as tensor functions (docs/theory.md §2's activations). */
function activationOps(tf: Tf, name: ActivationName, alpha: number): { g: Fn; gPrime: Fn } {
  switch (name) {
    case 'relu':
      return { g: (z) => tf.relu(z), gPrime: (z) => tf.step(z, 0) };
    case 'leaky-relu':
      return { g: (z) => tf.leakyRelu(z, alpha), gPrime: (z) => tf.step(z, alpha) };
    case 'erf': {
      // g = erf(z/√2), g′ = √(2/π) exp(−z²/2)
      const c = Math.sqrt(2 / Math.PI);
      return { g: (z) => tf.erf(tf.mul(z, Math.SQRT1_2)), gPrime: (z) => tf.mul(tf.exp(tf.mul(tf.square(z), -0.5)), c) };
    }
    default:
      throw new RangeError(`tfjs backend: unknown activation "${name as string}"`);
  }
}

/** Creates the tfjs kernel; `prefer` picks the TensorFlow.js backend (see tfjs-loader.ts). */
export async function createTfjsKernel(spec: SgdKernelSpec, prefer?: TfBackendName): Promise<SgdKernel & { tfBackend: TfBackendName }> {
  const { tf, backend: tfBackend } = await loadTf(prefer);
  const { K, M, N } = spec;
  const { g, gPrime } = activationOps(tf, spec.activation, spec.alpha);
  const maxDelta = spec.maxDelta ?? DEFAULT_MAX_DELTA;
  const invSqrtN = 1 / Math.sqrt(N);
  const lrs = spec.lr * invSqrtN;
  let R = spec.replicas;
  let W: TF.Variable | undefined;
  let WstarT: TF.Tensor2D | undefined; // [N, M]
  let xbuf = new Float32Array(R * N);
  const stats = spec.windowStats ?? false;
  const scratch = overlapScratch(K, M);

  function load(batch: SgdBatch): void {
    R = batch.rngs.length;
    if (xbuf.length !== R * N) xbuf = new Float32Array(R * N);
    W?.dispose();
    WstarT?.dispose();
    W = tf.variable(tf.tensor3d(Float32Array.from(batch.W), [R, K, N], 'float32'));
    WstarT = tf.tidy(() => tf.transpose(tf.tensor2d(Float32Array.from(batch.Wstar), [M, N], 'float32')) as TF.Tensor2D);
    sizeOverlaps(batch, K, M);
    sync(batch);
    resetWindow(batch);
  }

  /** batch.W ← the float32 weights; Q, R recomputed from them in float64 (drift 0). */
  function sync(batch: SgdBatch): void {
    if (!W) return;
    batch.W.set(W.dataSync());
    for (let r = 0; r < R; r++) {
      recomputeOverlaps(batch.W, batch.Wstar, r, K, M, N, batch.Q, batch.R, scratch);
      batch.drift[r] = 0;
    }
  }

  function resetWindow(batch: SgdBatch): void {
    for (let r = 0; r < R; r++) startWindow(batch.window, r, K, M, batch.Q, r * K * K, batch.R, r * K * M);
  }

  function advance(batch: SgdBatch, steps: number): void {
    if (!W || batch.rngs.length !== R) load(batch);
    if (!stats) return advanceSteps(batch, steps);
    // fold every step: one step, recompute Q, R from the weights, fold the replicas that stepped
    const before = Float64Array.from(batch.steps);
    for (let t = 0; t < steps; t++) {
      advanceSteps(batch, 1);
      sync(batch);
      for (let r = 0; r < R; r++) {
        if (batch.steps[r] === before[r]) continue;
        before[r] = batch.steps[r];
        foldStep(batch.window, r, K, M, batch.Q, r * K * K, batch.R, r * K * M);
        batch.window.n[r] += 1;
      }
    }
  }

  function advanceSteps(batch: SgdBatch, steps: number): void {
    const Wv = W!, Ws = WstarT!;
    const { rngs, status } = batch;
    let alive: TF.Tensor = tf.tensor1d(Array.from(status, (s) => (s === 0 ? 1 : 0)), 'float32');
    let count: TF.Tensor = tf.zeros([R], 'float32');
    for (let t = 0; t < steps; t++) {
      for (let r = 0; r < R; r++) if (status[r] === 0) rngs[r].fillNormal(xbuf.subarray(r * N, (r + 1) * N));
      const [nextAlive, nextCount] = tf.tidy(() => {
        const x = tf.tensor2d(xbuf, [R, N], 'float32');
        const lambda = tf.mul(tf.reshape(tf.matMul(Wv, tf.reshape(x, [R, N, 1])), [R, K]), invSqrtN);
        const nu = tf.mul(tf.matMul(x, Ws), invSqrtN);
        const delta = tf.sub(tf.sum(g(lambda), 1), tf.sum(g(nu), 1)); // [R]
        const ok = tf.logicalAnd(tf.lessEqual(tf.abs(delta), maxDelta), tf.cast(alive, 'bool'));
        const c = tf.where(ok, tf.mul(delta, lrs), tf.zerosLike(delta)); // (η/√N) Δ, 0 when stopped
        const coef = tf.mul(tf.reshape(c, [R, 1]), gPrime(lambda)); // [R, K]
        Wv.assign(tf.sub(Wv, tf.mul(tf.reshape(coef, [R, K, 1]), tf.reshape(x, [R, 1, N]))) as TF.Tensor3D);
        const a = tf.cast(ok, 'float32');
        return [a, tf.add(count, a)];
      });
      alive.dispose();
      count.dispose();
      alive = nextAlive;
      count = nextCount;
    }
    const a = alive.dataSync(), n = count.dataSync();
    alive.dispose();
    count.dispose();
    for (let r = 0; r < R; r++) {
      if (status[r] !== 0) continue;
      batch.steps[r] += n[r];
      if (a[r] === 0) status[r] = 1;
    }
  }

  return {
    backend: 'tfjs',
    tfBackend,
    precision: 'float32',
    exactStream: true,
    overlaps: 'recomputed',
    load,
    advance,
    sync,
    resetWindow,
    dispose() {
      W?.dispose();
      WstarT?.dispose();
      W = undefined;
      WstarT = undefined;
    },
  };
}
