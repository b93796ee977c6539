// The float32 TensorFlow.js online-SGD kernel against the float64 js kernel (docs/theory.md §4.2): both
// draw the same inputs from the same seeds, so the loss trajectories agree to float32 round-off.
import { describe, expect, it } from 'vitest';
import { createKernel as createJs } from '../src/network/sgd-js.js';
import { createTfjsKernel } from '../src/network/tfjs-backend.js';
import { makeBatch, type SgdKernel, type SgdKernelSpec } from '../src/network/backend.js';
import { measure } from '../src/network/measure.js';
import { getActivation } from '../src/activations/index.js';
import { createRng } from '../src/random/rng.js';
import { overlapsOf } from '../src/theory/overlaps.js';
import { windowMoments } from '../src/network/window.js';

function setup(K: number, M: number, N: number, replicas: number, scale: number) {
  const rng = createRng(41, 'tfjs-test', K, M, N);
  const W0 = new Float64Array(replicas * K * N);
  rng.fillNormal(W0);
  for (let i = 0; i < W0.length; i++) W0[i] *= scale;
  const Wstar = new Float64Array(M * N);
  rng.fillNormal(Wstar);
  const rngs = () => Array.from({ length: replicas }, (_, r) => createRng(9, 'sgd', r));
  return { W0, Wstar, rngs };
}

/** Losses of every replica after each of `chunks` advances of `steps`. */
async function lossTrajectory(kernel: SgdKernel, spec: SgdKernelSpec, W0: Float64Array, Wstar: Float64Array, rngs: ReturnType<typeof createRng>[], chunks: number, steps: number) {
  const { K, M, N } = spec;
  const act = getActivation(spec.activation, spec.alpha);
  const batch = makeBatch(W0, Wstar, rngs);
  await kernel.load(batch);
  const out: number[][] = [];
  for (let c = 0; c < chunks; c++) {
    await kernel.advance(batch, steps);
    await kernel.sync(batch);
    out.push(rngs.map((_, r) => measure(act, batch.W.subarray(r * K * N, (r + 1) * K * N), Wstar, K, M, N).loss));
  }
  return { out, batch };
}

describe('tfjs online-SGD kernel', () => {
  for (const [activation, alpha] of [['relu', 0], ['erf', 0]] as const) {
    it(`matches the js kernel's loss trajectory within float32 tolerance (${activation}, N = 100)`, async () => {
      const K = 3, M = 2, N = 100, replicas = 2;
      const { W0, Wstar, rngs } = setup(K, M, N, replicas, 0.5);
      const spec: SgdKernelSpec = { activation, alpha, K, M, N, lr: 0.5, replicas };
      const tfk = await createTfjsKernel(spec);
      expect(tfk.tfBackend).not.toBe('cpu'); // tfjs-node or the wasm backend must load
      expect(tfk.precision).toBe('float32');
      const ref = await lossTrajectory(createJs(spec), spec, W0, Wstar, rngs(), 4, 100);
      const got = await lossTrajectory(tfk, spec, W0, Wstar, rngs(), 4, 100);
      tfk.dispose();
      const first = ref.out[0][0], last = ref.out[3][0];
      expect(Math.abs(last - first) / first).toBeGreaterThan(0.05); // the loss really moved
      for (let c = 0; c < 4; c++)
        for (let r = 0; r < replicas; r++) expect(Math.abs(got.out[c][r] - ref.out[c][r]) / ref.out[c][r]).toBeLessThan(1e-3);
      expect(Array.from(got.batch.steps)).toEqual([400, 400]);
      expect(Array.from(got.batch.status)).toEqual([0, 0]);
    }, 20_000);
  }

  it('stops a diverging replica before the offending update, like the js kernel', async () => {
    const K = 3, M = 3, N = 50, replicas = 2;
    const { W0, Wstar, rngs } = setup(K, M, N, replicas, 1);
    const spec: SgdKernelSpec = { activation: 'relu', alpha: 0, K, M, N, lr: 40, replicas, maxDelta: 1e3 };
    const tfk = await createTfjsKernel(spec);
    const js = createJs(spec);
    const a = makeBatch(W0, Wstar, rngs());
    const b = makeBatch(W0, Wstar, rngs());
    a.status[1] = 1;
    b.status[1] = 1; // stopped by the driver: must not move
    js.advance(a, 200);
    await tfk.load(b);
    await tfk.advance(b, 200);
    await tfk.sync(b);
    tfk.dispose();
    expect(a.status[0]).toBe(1);
    expect(b.status[0]).toBe(1);
    expect(b.steps[0]).toBe(a.steps[0]);
    expect(b.steps[1]).toBe(0);
    expect(b.W.every(Number.isFinite)).toBe(true);
    let d = 0;
    for (let i = 0; i < a.W.length; i++) d = Math.max(d, Math.abs(a.W[i] - b.W[i]) / (1 + Math.abs(a.W[i])));
    expect(d).toBeLessThan(1e-3);
  }, 20_000);

  it('recomputes Q, R from its weights (drift 0) and folds every step into the window like the js kernel, to float32 tolerance', async () => {
    const K = 3, M = 2, N = 80, replicas = 2;
    const { W0, Wstar, rngs } = setup(K, M, N, replicas, 0.5);
    const spec: SgdKernelSpec = { activation: 'relu', alpha: 0, K, M, N, lr: 0.5, replicas, windowStats: true };
    const tfk = await createTfjsKernel(spec);
    expect(tfk.overlaps).toBe('recomputed');
    const js = createJs(spec);
    const a = makeBatch(W0, Wstar, rngs());
    const b = makeBatch(W0, Wstar, rngs());
    js.load(a);
    await tfk.load(b);
    for (const [k, x] of [[js, a], [tfk, b]] as const) {
      await k.advance(x, 20);
      await k.resetWindow(x);
      await k.advance(x, 60);
      await k.sync(x);
    }
    tfk.dispose();
    for (let r = 0; r < replicas; r++) {
      const o = overlapsOf(b.W.subarray(r * K * N, (r + 1) * K * N), Wstar, K, M, N);
      expect(Array.from(b.Q.subarray(r * K * K, (r + 1) * K * K))).toEqual(Array.from(o.Q));
      expect(b.drift[r]).toBe(0);
      const wa = windowMoments(a.window, r, K, M), wb = windowMoments(b.window, r, K, M);
      expect(wb.steps).toBe(60);
      for (const key of ['Qmean', 'Rmean', 'Qvar', 'Rvar'] as const) {
        const scale = Math.max(...Array.from(wa[key], Math.abs));
        expect(scale).toBeGreaterThan(key.endsWith('var') ? 1e-6 : 0.01);
        for (let i = 0; i < wa[key].length; i++) expect(Math.abs(wa[key][i] - wb[key][i])).toBeLessThan(1e-3 * scale);
      }
    }
  }, 20_000);
});
