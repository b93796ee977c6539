// bench/sgd.ts — one online-SGD replica-step (docs/theory.md §4.2) at K = M = 10, ReLU, including sampling x:
//   (a) js float64 kernel vs the WASM SIMD kernel, N = 1000 and N = 10⁴ (µs per step, ratio),
//       with the cost of sampling x alone (1000 or 10⁴ ziggurat normals, JS vs WASM);
//   (b) speed-up of 2 pool workers over 1 on 64 replicas (src/network/sgd-job.ts per replica);
//   (c) the tfjs kernel (float32) for reference: 1 replica, and 64 replicas batched in one tensor.
// Medians over --repeats (after one warm-up). Workers load dist/: run `npm run build` first.
// Run: npx tsx bench/sgd.ts [--repeats 5] [--skip-steps] [--skip-workers] [--skip-tfjs]
import { cpus, loadavg } from 'node:os';
import { createKernel as createJs } from '../src/network/sgd-js.js';
import { createKernel as createWasm } from '../src/network/sgd-wasm.js';
import { createTfjsKernel } from '../src/network/tfjs-backend.js';
import { instantiateSgdWasm, TABLE_BYTES } from '../src/network/sgd-wasm-module.js';
import { makeBatch, type SgdKernel, type SgdKernelSpec, type BackendName } from '../src/network/backend.js';
import { sampleStudent } from '../src/network/student.js';
import { sampleTeacher } from '../src/network/teacher.js';
import { mapPool } from '../src/runs/pool.js';
import { SGD_JOB, type SgdJobInput } from './sgd-job.js';
import { createRng } from '../src/random/rng.js';
import { median } from './stats.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const flag = (name: string) => process.argv.includes(`--${name}`);
const repeats = arg('repeats', 5);
const K = 10, M = 10, lr = 0.1, seed = 1;
const rows: string[][] = [];
const out = (...cells: (string | number)[]) => {
  rows.push(cells.map(String));
  console.error(cells.join(' | '));
};
const fmt = (x: number, d = 2) => x.toFixed(d);
const load0 = loadavg()[0];

function spec(N: number, replicas = 1): SgdKernelSpec {
  return { activation: 'relu', alpha: 0, K, M, N, lr, replicas };
}

/** A batch of `replicas` students on the shared teacher, input streams (seed, 'replica', r). */
function batchFor(N: number, replicas: number) {
  const Wstar = sampleTeacher(M, N, 'gaussian', createRng(seed, 'teacher'));
  const rngs = Array.from({ length: replicas }, (_, r) => createRng(seed, 'replica', r));
  const W0 = new Float64Array(replicas * K * N);
  rngs.forEach((rng, r) => W0.set(sampleStudent(K, N, rng), r * K * N));
  return makeBatch(W0, Wstar, rngs);
}

/** Process CPU time in µs (user + system): less sensitive than wall time to other load on the machine. */
const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** [wall, cpu] µs per replica-step of `kernel` over `steps` steps; throws if a replica diverged. */
async function timeKernel(kernel: SgdKernel, batch: ReturnType<typeof batchFor>, steps: number): Promise<[number, number]> {
  const t0 = performance.now(), c0 = cpuNow();
  await kernel.advance(batch, steps);
  await kernel.sync(batch);
  const n = steps * batch.rngs.length;
  const us: [number, number] = [((performance.now() - t0) * 1000) / n, (cpuNow() - c0) / n];
  if (batch.status.some((s) => s !== 0)) throw new Error(`${kernel.backend}: a replica diverged during the bench`);
  return us;
}
const wallCpu = (xs: [number, number][]) => `${fmt(median(xs.map((x) => x[0])))} (CPU ${fmt(median(xs.map((x) => x[1])))})`;
const ratio = (a: [number, number][], b: [number, number][]) =>
  `${fmt(median(a.map((x) => x[0])) / median(b.map((x) => x[0])), 1)}× (CPU ${fmt(median(a.map((x) => x[1])) / median(b.map((x) => x[1])), 1)}×)`;

// (a) js vs wasm, one replica, including sampling
for (const N of flag('skip-steps') ? [] : [1000, 10_000]) {
  const steps = Math.round(1e7 / N);
  const js = createJs(spec(N));
  const wasm = await createWasm(spec(N));
  const bj = batchFor(N, 1), bw = batchFor(N, 1);
  await wasm.load(bw);
  const tj: [number, number][] = [], tw: [number, number][] = [];
  for (let r = 0; r <= repeats; r++) {
    const a = await timeKernel(js, bj, steps);
    const b = await timeKernel(wasm, bw, steps);
    if (r > 0) (tj.push(a), tw.push(b));
  }
  // the two kernels consumed the same stream: weights agree to round-off
  let d = 0;
  for (let i = 0; i < bj.W.length; i++) d = Math.max(d, Math.abs(bj.W[i] - bw.W[i]));
  // sampling x alone
  const x = new Float64Array(N);
  const rng = createRng(seed, 'sampling');
  const ex = await instantiateSgdWasm(TABLE_BYTES + 16 + 8 * N);
  new Int32Array(ex.memory.buffer).set(rng.getState!(), TABLE_BYTES / 4);
  const sj: [number, number][] = [], sw: [number, number][] = [];
  const reps = Math.round(2e6 / N);
  for (let r = 0; r <= repeats; r++) {
    let t0 = performance.now(), c0 = cpuNow();
    for (let i = 0; i < reps; i++) rng.fillNormal(x);
    const a: [number, number] = [((performance.now() - t0) * 1000) / reps, (cpuNow() - c0) / reps];
    t0 = performance.now();
    c0 = cpuNow();
    // K = M = 0: `run` only samples x (and finds Δ = 0)
    for (let i = 0; i < reps; i++) ex.run(TABLE_BYTES, TABLE_BYTES + 16, 0, 0, 0, 0, N, N, 1, 1, 0, 1, 0, 1);
    const b: [number, number] = [((performance.now() - t0) * 1000) / reps, (cpuNow() - c0) / reps];
    if (r > 0) (sj.push(a), sw.push(b));
  }
  out(`(a) N = ${N}: js kernel, µs/step`, wallCpu(tj), `sampling x alone: ${wallCpu(sj)}`);
  out(`(a) N = ${N}: wasm SIMD kernel, µs/step`, wallCpu(tw), `sampling x alone: ${wallCpu(sw)}`);
  out(`(a) N = ${N}: speed-up wasm / js`, ratio(tj, tw), `max abs(W_js − W_wasm) = ${d.toExponential(1)} after ${(repeats + 1) * steps} steps`);
  wasm.dispose();
}

// (b) --workers 2 vs 1 on 64 replicas
if (!flag('skip-workers')) {
  const N = 1000, replicas = 64;
  for (const backend of ['wasm', 'js'] as BackendName[]) {
    const steps = backend === 'wasm' ? 16_000 : 2000;
    const inputs: SgdJobInput[] = Array.from({ length: replicas }, (_, r) => ({
      backend, activation: 'relu', alpha: 0, K, M, N, lr, seed, replica: r, steps,
    }));
    const job = SGD_JOB;
    const t: Record<number, number[]> = { 1: [], 2: [] };
    const losses: Record<number, number[]> = {};
    for (let r = 0; r < Math.max(3, Math.ceil(repeats / 2)); r++) {
      for (const workers of [1, 2]) {
        const t0 = performance.now();
        const res = await mapPool(job, inputs, { workers });
        t[workers].push((performance.now() - t0) / 1000);
        losses[workers] = res.map((o) => o.loss);
      }
    }
    const same = losses[1].every((l, i) => l === losses[2][i]);
    const s1 = median(t[1]), s2 = median(t[2]);
    out(`(b) 64 replicas × ${steps} steps, ${backend} kernel: seconds with 1 / 2 workers`, `${fmt(s1)} / ${fmt(s2)}`, `speed-up ${fmt(s1 / s2)}× (results identical: ${same ? 'yes' : 'NO'})`);
  }
}

// (c) tfjs (float32), for reference
if (!flag('skip-tfjs')) {
  const N = 1000;
  for (const replicas of [1, 64]) {
    const steps = replicas === 1 ? 400 : 100;
    const k = await createTfjsKernel(spec(N, replicas));
    const b = batchFor(N, replicas);
    await k.load(b);
    const ts: [number, number][] = [];
    for (let r = 0; r <= Math.min(repeats, 3); r++) {
      const us = await timeKernel(k, b, steps);
      if (r > 0) ts.push(us);
    }
    out(`(c) N = ${N}: tfjs (${k.tfBackend} backend, float32), ${replicas} replica${replicas > 1 ? 's batched' : ''}, µs per replica-step`, wallCpu(ts), '');
    k.dispose();
  }
}

console.log(`K = M = ${K}, ReLU, η = ${lr}; medians of ${repeats} repeats (wall time; process CPU time in brackets); ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); load average ${fmt(load0)} at start, ${fmt(loadavg()[0])} at end\n`);
console.log('| measure | value | note |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
