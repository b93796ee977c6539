// Exact tracking of Q = W Wᵀ/N and R = W W*ᵀ/N along online SGD (docs/theory.md §10) in the js and
// wasm kernels, their exact recomputation and drift, and the per-window statistics over every step
// (kernel sums, and `scmv train`'s window columns against its own --record-every 1 output).
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { createKernel as createJs } from '../src/network/sgd-js.js';
import { createKernel as createWasm } from '../src/network/sgd-wasm.js';
import { makeBatch, type SgdBatch, type SgdKernel, type SgdKernelSpec } from '../src/network/backend.js';
import { windowMoments } from '../src/network/window.js';
import { overlapsOf } from '../src/theory/overlaps.js';
import { createRng, type Rng } from '../src/random/rng.js';

function setup(K: number, M: number, N: number, replicas: number, scale: number) {
  const rng = createRng(17, 'qr-tracking-test', K, M, N);
  const W0 = new Float64Array(replicas * K * N);
  rng.fillNormal(W0);
  for (let i = 0; i < W0.length; i++) W0[i] *= scale;
  const Wstar = new Float64Array(M * N);
  rng.fillNormal(Wstar);
  const rngs = () => Array.from({ length: replicas }, (_, r) => createRng(23, 'qr-sgd', r));
  return { W0, Wstar, rngs };
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

/** max |tracked − recomputed from batch.W| over every replica's Q and R. */
function trackingError(batch: SgdBatch, K: number, M: number, N: number): number {
  let d = 0;
  for (let r = 0; r < batch.rngs.length; r++) {
    const o = overlapsOf(batch.W.subarray(r * K * N, (r + 1) * K * N), batch.Wstar, K, M, N);
    d = Math.max(d, maxAbsDiff(batch.Q.subarray(r * K * K, (r + 1) * K * K), o.Q), maxAbsDiff(batch.R.subarray(r * K * M, (r + 1) * K * M), o.R));
  }
  return d;
}

/** A generator without getState/setState: the wasm kernel samples in JS then. */
function opaque(rng: Rng): Rng {
  return { nextU32: rng.nextU32, uniform: rng.uniform, normal: rng.normal, fillNormal: rng.fillNormal };
}

const kernels: [string, (s: SgdKernelSpec) => SgdKernel | Promise<SgdKernel>][] = [['js', createJs], ['wasm', createWasm]];

describe('tracked Q and R along online SGD (docs/theory.md §10)', () => {
  it('equal a full recomputation from the weights to 1e-10 after 10⁵ steps (N = 500, K = M = 4), js and wasm agree to 1e-12', async () => {
    const K = 4, M = 4, N = 500;
    const { W0, Wstar, rngs } = setup(K, M, N, 1, 0.5);
    // recomputeEvery 0: nothing but the increments for all 10⁵ steps
    const spec: SgdKernelSpec = { activation: 'relu', alpha: 0, K, M, N, lr: 0.2, replicas: 1, recomputeEvery: 0 };
    const out: SgdBatch[] = [];
    for (const [name, create] of kernels) {
      const kernel = await create(spec);
      expect(kernel.backend).toBe(name);
      expect(kernel.overlaps).toBe('incremental');
      const batch = makeBatch(W0, Wstar, rngs());
      await kernel.load(batch);
      const Q0 = batch.Q.slice();
      for (let chunk = 0; chunk < 4; chunk++) await kernel.advance(batch, 25_000);
      await kernel.sync(batch);
      expect(batch.steps[0]).toBe(100_000);
      expect(batch.status[0]).toBe(0);
      expect(maxAbsDiff(batch.Q, Q0)).toBeGreaterThan(0.1); // the overlaps really moved
      expect(trackingError(batch, K, M, N)).toBeLessThan(1e-10);
      expect(batch.drift[0]).toBe(0); // never recomputed
      kernel.dispose();
      out.push(batch);
    }
    expect(maxAbsDiff(out[0].Q, out[1].Q)).toBeLessThan(1e-12);
    expect(maxAbsDiff(out[0].R, out[1].R)).toBeLessThan(1e-12);
  }, 60_000);

  for (const [name, create] of kernels) {
    it(`${name}: leaky ReLU, several replicas, odd K + M: tracking, exact recomputation every 700 steps and its drift`, async () => {
      const K = 3, M = 2, N = 203, replicas = 3;
      const { W0, Wstar, rngs } = setup(K, M, N, replicas, 0.4);
      const spec: SgdKernelSpec = { activation: 'leaky-relu', alpha: 0.2, K, M, N, lr: 0.5, replicas, recomputeEvery: 700 };
      const kernel = await create(spec);
      const batch = makeBatch(W0, Wstar, rngs());
      await kernel.load(batch);
      expect(trackingError(batch, K, M, N)).toBeLessThan(1e-15); // load computes them exactly
      await kernel.advance(batch, 1000);
      await kernel.sync(batch);
      expect(trackingError(batch, K, M, N)).toBeLessThan(1e-12);
      // recomputed at step 700: round-off was found (tiny, not zero) and removed
      for (let r = 0; r < replicas; r++) {
        expect(batch.drift[r]).toBeGreaterThan(0);
        expect(batch.drift[r]).toBeLessThan(1e-13);
      }
      await kernel.advance(batch, 400); // to step 1400, a recomputation
      await kernel.sync(batch);
      expect(trackingError(batch, K, M, N)).toBeLessThan(name === 'js' ? 1e-300 : 1e-15);
      expect(Array.from(batch.steps)).toEqual([1400, 1400, 1400]);
    });
  }

  it('wasm tracks the same overlaps when x is sampled in JS (generator without state access)', async () => {
    const K = 2, M = 3, N = 60;
    const { W0, Wstar, rngs } = setup(K, M, N, 1, 0.5);
    const spec: SgdKernelSpec = { activation: 'relu', alpha: 0, K, M, N, lr: 0.3, replicas: 1, recomputeEvery: 150, windowStats: true };
    const a = makeBatch(W0, Wstar, rngs());
    const b = makeBatch(W0, Wstar, rngs().map(opaque));
    const ka = await createWasm(spec), kb = await createWasm(spec);
    await ka.load(a);
    await kb.load(b);
    await ka.advance(a, 400);
    await kb.advance(b, 400);
    await ka.sync(a);
    await kb.sync(b);
    expect(maxAbsDiff(a.Q, b.Q)).toBe(0);
    expect(maxAbsDiff(a.window.sumSq, b.window.sumSq)).toBe(0);
    expect(a.drift[0]).toBe(b.drift[0]);
    expect(a.window.n[0]).toBe(400);
  });

  it('a diverging step leaves the tracked overlaps of the weights before it', async () => {
    const K = 4, M = 4, N = 64, replicas = 2;
    const { W0, Wstar, rngs } = setup(K, M, N, replicas, 1);
    for (const [, create] of kernels) {
      const kernel = await create({ activation: 'relu', alpha: 0, K, M, N, lr: 40, replicas, maxDelta: 1e3, recomputeEvery: 0 });
      const batch = makeBatch(W0, Wstar, rngs());
      await kernel.load(batch);
      await kernel.advance(batch, 500);
      await kernel.sync(batch);
      expect(batch.status[0]).toBe(1);
      expect(batch.steps[0]).toBeLessThan(500);
      const scale = Math.max(...Array.from(batch.Q, Math.abs));
      expect(Number.isFinite(scale)).toBe(true);
      expect(trackingError(batch, K, M, N)).toBeLessThan(1e-13 * scale);
    }
  });
});

describe('window statistics folded in the kernel', () => {
  for (const [name, create] of kernels) {
    it(`${name}: mean and variance over every step of a window equal a direct computation from the per-step overlaps`, async () => {
      const K = 3, M = 2, N = 101, replicas = 2, steps = 300;
      const { W0, Wstar, rngs } = setup(K, M, N, replicas, 0.5);
      const spec: SgdKernelSpec = { activation: 'relu', alpha: 0, K, M, N, lr: 0.4, replicas, recomputeEvery: 128, windowStats: true };
      // reference: the same kernel stepped one step at a time, Q and R read after every step
      const one = await create(spec);
      const a = makeBatch(W0, Wstar, rngs());
      await one.load(a);
      await one.advance(a, 50); // the window starts mid-run
      await one.sync(a, 'overlaps');
      const seen: Float64Array[] = [];
      for (let t = 0; t < steps; t++) {
        await one.advance(a, 1);
        await one.sync(a, 'overlaps');
        seen.push(Float64Array.from([...a.Q, ...a.R]));
      }
      // the kernel's own window over the same 300 steps in one call
      const kernel = await create(spec);
      const b = makeBatch(W0, Wstar, rngs());
      await kernel.load(b);
      await kernel.advance(b, 50);
      await kernel.resetWindow(b);
      await kernel.advance(b, steps);
      await kernel.sync(b);
      expect(maxAbsDiff(b.Q, a.Q)).toBe(0); // chunking changes nothing
      for (let r = 0; r < replicas; r++) {
        const w = windowMoments(b.window, r, K, M);
        expect(w.steps).toBe(steps);
        const idx = [
          ...Array.from({ length: K * K }, (_, i) => ({ at: r * K * K + i, mean: w.Qmean[i], v: w.Qvar[i] })),
          ...Array.from({ length: K * M }, (_, i) => ({ at: replicas * K * K + r * K * M + i, mean: w.Rmean[i], v: w.Rvar[i] })),
        ];
        for (const { at, mean, v } of idx) {
          const xs = seen.map((s) => s[at]);
          const mu = xs.reduce((p, q) => p + q, 0) / steps;
          const vr = xs.reduce((p, q) => p + (q - mu) ** 2, 0) / steps;
          expect(vr).toBeGreaterThan(1e-8); // the entries really fluctuate
          expect(Math.abs(mean - mu)).toBeLessThan(1e-14);
          expect(Math.abs(v - vr)).toBeLessThan(1e-12 * vr);
        }
      }
      expect(name).toBe(kernel.backend);
    });
  }
});

describe('scmv train window columns', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scmv-qr-'));
  const cli = (args: string[]) => runCli(['train', ...args]);
  const readRows = (path: string) => parse(readFileSync(path, 'utf8'), { columns: true, cast: false }) as Record<string, string>[];
  const overlapCols = ['Q_0_0', 'Q_0_1', 'Q_1_1', 'R_0_0', 'R_0_1', 'R_1_0', 'R_1_1'];

  for (const [backend, extra] of [['js', []], ['wasm', []], ['js', ['--algorithm', 'ngd-sgd', '--window-stats']]] as const) {
    const label = extra.length ? extra.join(' ') : `sgd --backend ${backend}`;
    it(`${label}: the window mean/variance columns equal a direct computation from --record-every 1 output`, async () => {
      // 1000 steps; records every 125 steps against every step; recomputation mid-window
      const args = ['--K', '2', '--M', '2', '--N', '100', '--lr', '0.2', '--tau-max', '2', '--replicas', '2', '--seed', '3',
        ...(extra.length ? [] : ['--backend', backend]), '--loss-every', '10', ...(extra.length ? [] : ['--recompute-every', '300']), ...extra];
      const win = join(dir, `win-${label.replace(/\W+/g, '_')}.csv`), all = join(dir, `all-${label.replace(/\W+/g, '_')}.csv`);
      const rw = await cli([...args, '--record-every', '125', '--out', win]);
      expect(rw.status, rw.stderr).toBe(0);
      const ra = await cli([...args, '--record-every', '1', '--out', all]);
      expect(ra.status, ra.stderr).toBe(0);
      const W = readRows(win), A = readRows(all);
      expect(A.length).toBe(2 * 1001); // --record-every 1 writes every step
      expect(Object.keys(W[0])).toEqual(expect.arrayContaining(['window_steps', 'Q_0_1_mean', 'Q_0_1_var', 'R_1_0_mean', 'R_1_0_var', 'loss_mean', 'loss_var', 'loss_samples']));
      let windows = 0;
      for (const replica of ['0', '1']) {
        const w = W.filter((x) => x.replica === replica), a = A.filter((x) => x.replica === replica);
        expect(w[0].window_steps).toBe('0');
        for (let i = 1; i < w.length; i++) {
          const lo = Number(w[i - 1].step), hi = Number(w[i].step);
          const rows = a.filter((x) => Number(x.step) > lo && Number(x.step) <= hi);
          expect(Number(w[i].window_steps)).toBe(rows.length);
          expect(rows.length).toBe(125);
          // the record itself is the same state in both runs
          const same = a.find((x) => Number(x.step) === hi)!;
          for (const c of ['loss', ...overlapCols]) expect(w[i][c]).toBe(same[c]);
          for (const c of overlapCols) {
            const xs = rows.map((x) => Number(x[c]));
            const mu = xs.reduce((p, q) => p + q, 0) / xs.length;
            const vr = xs.reduce((p, q) => p + (q - mu) ** 2, 0) / xs.length;
            // (nGD keeps Q_kk = 1: its diagonal does not fluctuate)
            if (!(extra.length && (c === 'Q_0_0' || c === 'Q_1_1'))) expect(vr).toBeGreaterThan(1e-9);
            expect(Math.abs(Number(w[i][`${c}_mean`]) - mu)).toBeLessThan(1e-14);
            expect(Math.abs(Number(w[i][`${c}_var`]) - vr)).toBeLessThan(1e-11 * vr + 1e-28);
          }
          const ls = rows.filter((x) => Number(x.step) % 10 === 0).map((x) => Number(x.loss));
          const lmu = ls.reduce((p, q) => p + q, 0) / ls.length;
          const lvr = ls.reduce((p, q) => p + (q - lmu) ** 2, 0) / ls.length;
          expect(Number(w[i].loss_samples)).toBe(ls.length);
          expect(Math.abs(Number(w[i].loss_mean) - lmu)).toBeLessThan(1e-14);
          expect(Math.abs(Number(w[i].loss_var) - lvr)).toBeLessThan(1e-10 * lvr);
          windows++;
        }
        if (extra.length === 0) {
          // sgd: drift reported from the first recomputation (step 300) on
          expect(Number(w.find((x) => x.step === '250')!.qr_drift)).toBe(0);
          const d = Number(w[w.length - 1].qr_drift);
          expect(d).toBeGreaterThan(0);
          expect(d).toBeLessThan(1e-13);
        }
      }
      expect(windows).toBe(16);
    });
  }

  it('window statistics are on by default for sgd only, and --no-window-stats drops them', async () => {
    const base = ['--K', '2', '--M', '2', '--N', '40', '--tau-max', '0.5', '--record-every', '20'];
    const cols = async (args: string[]) => {
      const out = join(dir, `cols-${args.join('_')}.csv`);
      expect((await cli([...base, ...args, '--out', out])).status).toBe(0);
      return Object.keys(readRows(out)[0]);
    };
    expect(await cols([])).toEqual(expect.arrayContaining(['qr_drift', 'window_steps', 'Q_0_0_mean', 'loss_samples']));
    expect(await cols(['--no-window-stats'])).not.toContain('window_steps');
    expect(await cols(['--no-window-stats'])).toContain('qr_drift');
    expect(await cols(['--algorithm', 'gd', '--dtau', '0.05'])).not.toContain('window_steps');
    expect(await cols(['--algorithm', 'gd', '--dtau', '0.05'])).not.toContain('qr_drift');
  });
});
