// bench/record-every.ts — what it costs to see every online-SGD step (docs/theory.md §10), through the
// same path as `scmv train` (trainJob → trainRows → CSV file), one replica, ReLU, seed 1,
// K = M = 10, N = 1000, η = 0.1, in one thread:
//   (a) window statistics: every step folded into the per-window mean/variance of each Q_kl, R_km
//       (in the kernel), ε sampled every --loss-every steps (default min(100, record-every)), a row
//       every 1000 steps;
//   (b) no window statistics, a row every 1000 steps (measuring only there);
//   ratio (a)/(b) — the target is ≤ 1.2× — for each backend (wasm, js), 10⁵ steps;
//   (c) --record-every 1 (every step a CSV row, window statistics off as they would be redundant,
//       and on, the CLI default for sgd): rows/s and MB written, over --steps-c steps.
// (a) and (b) alternate within each repeat; medians over --repeats after one warm-up, wall time
// and process CPU time. Ratios measured within one run tolerate other load on the machine better
// than absolute times.
// Run: npx tsx bench/record-every.ts [--repeats 5] [--steps 100000] [--steps-c 10000] [--backends wasm,js]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainColumnsOf, trainHeader, trainJob, trainRows, type TrainOptions } from '../src/runs/train.js';
import { writeCsv } from '../src/io/csv.js';
import { median } from './stats.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const repeats = Number(arg('repeats', '5'));
const steps = Number(arg('steps', '100000'));
const stepsC = Number(arg('steps-c', '10000'));
const backends = arg('backends', 'wasm,js').split(',') as TrainOptions['backend'][];
const K = 10, M = 10, N = 1000, lr = 0.1;
const dir = mkdtempSync(join(tmpdir(), 'scmv-bench-record-every-'));
const load0 = loadavg()[0];
const rows: string[][] = [];
const out = (...cells: (string | number)[]) => {
  rows.push(cells.map(String));
  console.error(cells.join(' | '));
};
const fmt = (x: number, d = 2) => x.toFixed(d);

const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

function options(backend: TrainOptions['backend'], n: number, recordEvery: number, windowStats: boolean): TrainOptions {
  return {
    K, M, N, algorithm: 'sgd', lr, dtau: 0.01, gdMethod: 'rk4', tauMax: (lr * n) / N, recordEvery, teacher: 'gaussian',
    activation: 'relu', alpha: 0, seed: 1, replicas: 1, workers: 1, backend, compareOde: false, windowStats,
  };
}

interface Run {
  wall: number;
  cpu: number;
  rows: number;
  bytes: number;
}

/** One `scmv train` run in-process: train, format the rows, write the CSV. */
async function run(o: TrainOptions): Promise<Run> {
  const path = join(dir, 'run.csv');
  const t0 = performance.now(), c0 = cpuNow();
  const res = await trainJob({ opts: o, replicas: [0] });
  const cols = trainColumnsOf(o);
  const body = res.flatMap((r) => trainRows(K, M, false, r, false, cols));
  writeCsv(path, trainHeader(K, M, false, false, cols), body);
  const r: Run = { wall: (performance.now() - t0) / 1000, cpu: (cpuNow() - c0) / 1e6, rows: body.length, bytes: statSync(path).size };
  if (res.some((x) => x.diverged)) throw new Error('a replica diverged during the bench');
  return r;
}

const med = (xs: Run[], f: (r: Run) => number) => median(xs.map(f));

for (const backend of backends) {
  const a: Run[] = [], b: Run[] = [];
  for (let rep = 0; rep <= repeats; rep++) {
    const ra = await run(options(backend, steps, 1000, true));
    const rb = await run(options(backend, steps, 1000, false));
    if (rep > 0) (a.push(ra), b.push(rb));
  }
  const ratios = a.map((x, i) => x.wall / b[i].wall), cpuRatios = a.map((x, i) => x.cpu / b[i].cpu);
  out(`(a) ${backend}: window statistics, row every 1000 steps, ${steps} steps: s`, `${fmt(med(a, (x) => x.wall), 3)} (CPU ${fmt(med(a, (x) => x.cpu), 3)})`, `${a[0].rows} rows, ${fmt(a[0].bytes / 1e6, 3)} MB`);
  out(`(b) ${backend}: measure every 1000 steps only, ${steps} steps: s`, `${fmt(med(b, (x) => x.wall), 3)} (CPU ${fmt(med(b, (x) => x.cpu), 3)})`, `${b[0].rows} rows, ${fmt(b[0].bytes / 1e6, 3)} MB`);
  out(`(a)/(b) ${backend}: cost of folding every step (target ≤ 1.2×)`, `${fmt(median(ratios), 3)}× (CPU ${fmt(median(cpuRatios), 3)}×)`, `median of per-repeat ratios; ${fmt(med(a, (x) => x.wall) / med(b, (x) => x.wall), 3)}× from the medians`);
}

for (const backend of backends) {
  for (const windowStats of [false, true]) {
    const c: Run[] = [];
    for (let rep = 0; rep <= Math.min(repeats, 3); rep++) {
      const r = await run(options(backend, stepsC, 1, windowStats));
      if (rep > 0) c.push(r);
    }
    const wall = med(c, (x) => x.wall);
    out(`(c) ${backend}: --record-every 1${windowStats ? ' (window statistics on)' : ' --no-window-stats'}, ${stepsC} steps`,
      `${fmt(c[0].rows / wall, 0)} rows/s, ${fmt(c[0].bytes / 1e6 / wall, 1)} MB/s (CPU ${fmt(med(c, (x) => x.cpu), 2)} s, wall ${fmt(wall, 2)} s)`,
      `${c[0].rows} rows, ${fmt(c[0].bytes / 1e6, 1)} MB written, ${fmt(c[0].bytes / c[0].rows, 0)} bytes/row`);
  }
}

rmSync(dir, { recursive: true, force: true });
console.log(`K = M = ${K}, N = ${N}, ReLU, η = ${lr}, 1 replica; medians of ${repeats} repeats (wall; process CPU in brackets); ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); load average ${fmt(load0)} at start, ${fmt(loadavg()[0])} at end\n`);
console.log('| measure | value | note |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
