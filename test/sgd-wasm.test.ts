// The WASM SIMD online-SGD kernel against the js reference kernel (docs/theory.md §4.2): with the same
// seeds both draw the same inputs, so the weights must agree to round-off, step for step.
import { describe, expect, it } from 'vitest';
import { createKernel as createJs } from '../src/network/sgd-js.js';
import { createKernel as createWasm } from '../src/network/sgd-wasm.js';
import { makeBatch, type SgdKernelSpec } from '../src/network/backend.js';
import { createRng, type Rng } from '../src/random/rng.js';
import { sgdWasmModule } from '../src/network/sgd-wasm-module.js';
import { assembleWat } from '../src/wasm/module.js';
import { SGD_WAT, sgdWat } from '../src/network/wasm/sgd-wat.js';

function setup(K: number, M: number, N: number, replicas: number, scale: number) {
  const rng = createRng(31, 'sgd-wasm-test', K, M, N);
  const W0 = new Float64Array(replicas * K * N);
  rng.fillNormal(W0);
  for (let i = 0; i < W0.length; i++) W0[i] *= scale;
  const Wstar = new Float64Array(M * N);
  rng.fillNormal(Wstar);
  const rngs = () => Array.from({ length: replicas }, (_, r) => createRng(5, 'sgd', r));
  return { W0, Wstar, rngs };
}

const maxAbsDiff = (a: Float64Array, b: Float64Array): number => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

/** A generator without getState/setState: the kernel must sample in JS then. */
function opaque(rng: Rng): Rng {
  return { nextU32: rng.nextU32, uniform: rng.uniform, normal: rng.normal, fillNormal: rng.fillNormal };
}

describe('wasm online-SGD kernel', () => {
  for (const [activation, alpha] of [['relu', 0], ['leaky-relu', 0.2]] as const) {
    it(`follows the js kernel's trajectory to round-off (${activation}, K=3, M=2, odd N)`, async () => {
      // K + M = 5 rows exercises both the 4-row block and the single-row tail; N = 203 the padding.
      const K = 3, M = 2, N = 203, replicas = 3;
      const { W0, Wstar, rngs } = setup(K, M, N, replicas, 0.3);
      const spec: SgdKernelSpec = { activation, alpha, K, M, N, lr: 0.5, replicas };
      const js = createJs(spec);
      const wasm = await createWasm(spec);
      expect(wasm.backend).toBe('wasm');
      expect(wasm.exactStream).toBe(true);
      const a = makeBatch(W0, Wstar, rngs());
      const b = makeBatch(W0, Wstar, rngs());
      await wasm.load(b);
      let moved = 0;
      for (let chunk = 0; chunk < 4; chunk++) {
        js.advance(a, 1500);
        await wasm.advance(b, 1500);
        await wasm.sync(b);
        moved = maxAbsDiff(a.W, W0);
        expect(maxAbsDiff(a.W, b.W)).toBeLessThan(1e-11);
      }
      expect(moved).toBeGreaterThan(0.1); // the weights really moved
      expect(Array.from(b.steps)).toEqual([6000, 6000, 6000]);
      expect(Array.from(b.status)).toEqual([0, 0, 0]);
      // both consumed exactly the same stream
      for (let r = 0; r < replicas; r++) expect(b.rngs[r].nextU32()).toBe(a.rngs[r].nextU32());
    });
  }

  it('marks divergence like the js kernel (weights before the offending step, same step count)', async () => {
    const K = 4, M = 4, N = 64, replicas = 2;
    const { W0, Wstar, rngs } = setup(K, M, N, replicas, 1);
    const spec: SgdKernelSpec = { activation: 'relu', alpha: 0, K, M, N, lr: 40, replicas, maxDelta: 1e3 };
    const js = createJs(spec);
    const wasm = await createWasm(spec);
    const a = makeBatch(W0, Wstar, rngs());
    const b = makeBatch(W0, Wstar, rngs());
    b.status[1] = 1; // the driver stopped replica 1: it must not move
    a.status[1] = 1;
    await wasm.load(b);
    js.advance(a, 500);
    await wasm.advance(b, 500);
    await wasm.sync(b);
    expect(a.status[0]).toBe(1);
    expect(b.status[0]).toBe(1);
    expect(b.steps[0]).toBe(a.steps[0]);
    expect(b.steps[0]).toBeLessThan(500);
    expect(b.steps[1]).toBe(0);
    expect(maxAbsDiff(a.W, b.W)).toBeLessThan(1e-9);
    expect(b.W.every(Number.isFinite)).toBe(true);
  });

  it('samples in JS for generators without state access, with the same result', async () => {
    const K = 5, M = 4, N = 50, replicas = 1;
    const { W0, Wstar, rngs } = setup(K, M, N, replicas, 0.3);
    const spec: SgdKernelSpec = { activation: 'relu', alpha: 0, K, M, N, lr: 0.3, replicas };
    const wasm = await createWasm(spec);
    const a = makeBatch(W0, Wstar, rngs());
    const b = makeBatch(W0, Wstar, rngs().map(opaque));
    await wasm.advance(a, 300);
    await wasm.sync(a);
    const wasm2 = await createWasm(spec);
    await wasm2.advance(b, 300);
    await wasm2.sync(b);
    expect(b.steps[0]).toBe(300);
    expect(maxAbsDiff(a.W, b.W)).toBe(0);
    expect(maxAbsDiff(a.W, W0)).toBeGreaterThan(0.01);
  });

  it('assembles the WAT (and other projection shapes) to valid SIMD modules', async () => {
    const bytes = await assembleWat('sgd.wat', SGD_WAT);
    expect(WebAssembly.validate(bytes)).toBe(true);
    const exports = WebAssembly.Module.exports(await sgdWasmModule()).map((e) => e.name).sort();
    expect(exports).toEqual(['exact', 'fill', 'memory', 'run', 'runq']);
    expect(WebAssembly.validate(await assembleWat('x.wat', sgdWat({ rowsPerBlock: 3, accPerRow: 2 })))).toBe(true);
  });

  it('falls back to the js kernel for erf', async () => {
    const k = await createWasm({ activation: 'erf', alpha: 0, K: 2, M: 2, N: 10, lr: 0.1, replicas: 1 });
    expect(k.backend).toBe('js');
  });
});
