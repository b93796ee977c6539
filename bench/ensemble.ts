// bench/ensemble.ts — ensemble throughput against a peer: trajectories per second of
//   numpy   the batched numpy RK4 baseline bench/reference/ode_numpy.py (dt = 0.05, one BLAS thread,
//           its own stop rules: ε < 1e-3, max|RHS| < 1e-6, τ_max), on the initial conditions that
//           bench/reference/export-inits.ts writes;
//   dopri5  `scmv ensemble --method dopri5` (the path of every earlier runs file), 1 worker;
//   rkc2    `scmv ensemble --method rkc2` (the default for gd: weight state, RKC2, WASM products),
//           on 1 worker; and its 2-worker speed-up, measured on more runs (--worker-runs, ≈ 10 s on
//           one worker) so that the worker threads' start-up does not decide it,
// on the same runs (run i of seed 1 is gaussianInit(K, M, M, createRng(1, 'run', i))), with the
// classes compared run for run. Sizes: K = M = 8, 12, 16, 20 and K = M + 1 for M = 12, 19. Each
// repeat runs the four in a rotated order; the table gives medians over the repeats of wall and
// process CPU time (all threads; numpy: its own integration-only figures), and ratios formed within
// each repeat (then the median). The ensemble paths are timed in-process (runs/ensemble.ts, as the
// CLI runs them, minus node's start-up; 2 workers include the worker threads' start-up).
//
// Run on a quiet machine (the defaults take ≈ 30–60 min on 2 cores):
//   nice npx tsx bench/ensemble.ts [--sizes 8x8,12x12,16x16,20x20,13x12,20x19]
//     [--runs 8x8=200,12x12=100,16x16=40,20x20=24,13x12=100,20x19=24 | --runs N] [--repeats 3]
//     [--tau-max 10000] [--python /usr/bin/python3] [--skip-numpy]
//     [--worker-runs 8x8=3000,... | N]
// Needs Debian's python3-numpy and python3-scipy for the baseline (bench/reference/README.md).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEnsemble, type EnsembleOptions, type RunRow } from '../src/runs/ensemble.js';
import { ENSEMBLE, ENSEMBLE_METHOD } from '../src/defaults.js';
import { parseCsv } from '../src/io/csv.js';
import { median } from './stats.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const DEFAULT_RUNS: Record<string, number> = { '8x8': 200, '12x12': 100, '16x16': 40, '20x20': 24, '13x12': 100, '20x19': 24 };
const SIZES = arg('sizes', Object.keys(DEFAULT_RUNS).join(',')).split(',').map((s) => s.trim());
/** `--runs N` or `--runs 8x8=60,12x12=40`: the run count of a size, else its default. */
const perSize = (spec: string, dflt: Record<string, number>) => (size: string): number => {
  if (/^\d+$/.test(spec)) return Number(spec);
  const given = Object.fromEntries(spec.split(',').filter((x) => x.includes('=')).map((x) => x.split('=')).map(([k, v]) => [k.trim(), Number(v)]));
  return given[size] ?? dflt[size] ?? 24;
};
const runsOf = perSize(arg('runs', ''), DEFAULT_RUNS);
const REPEATS = Number(arg('repeats', '3'));
const TAU_MAX = Number(arg('tau-max', String(ENSEMBLE.tauMax)));
const PYTHON = arg('python', '/usr/bin/python3');
const SKIP_NUMPY = args.includes('--skip-numpy');
const SEED = 1;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

// The 2-worker speed-up is measured apart, on enough runs (≈ 10 s on one worker) that the worker
// threads' start-up (≈ 1–1.5 s under tsx) does not decide it.
const DEFAULT_WORKER_RUNS: Record<string, number> = { '8x8': 3000, '12x12': 1000, '16x16': 400, '20x20': 200, '13x12': 1000, '20x19': 200 };
const workerRunsOf = perSize(arg('worker-runs', ''), DEFAULT_WORKER_RUNS);

type Variant = 'numpy' | 'dopri5' | 'rkc2 1w' | 'rkc2 2w';
const VARIANTS: Variant[] = SKIP_NUMPY ? ['dopri5', 'rkc2 1w'] : ['numpy', 'dopri5', 'rkc2 1w'];

interface Timing {
  wall: number;
  cpu: number;
  /** "class n" per run, in run order. */
  labels: string[];
  rows?: RunRow[];
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function options(K: number, M: number, runs: number, method: 'rkc2' | 'dopri5', workers: number): EnsembleOptions {
  return {
    K, M, runs, seed: SEED, algorithm: 'gd', activation: 'relu', alpha: 0, initDim: M, workers, shard: { index: 0, count: 1 },
    tol: ENSEMBLE.tol, tauMax: TAU_MAX, ...ENSEMBLE_METHOD.tolerances[method], epsGlobal: ENSEMBLE.epsGlobal, gTol: ENSEMBLE.gTol,
    vanishTol: ENSEMBLE.vanishTol, earlyGlobal: true, polishAt: ENSEMBLE.polishAt, method,
  };
}

/** One ensemble path in-process: wall and process CPU seconds, and the rows. */
async function ours(K: number, M: number, runs: number, method: 'rkc2' | 'dopri5', workers: number): Promise<Timing> {
  const t0 = performance.now();
  const c0 = cpuNow();
  const rows = await runEnsemble(options(K, M, runs, method, workers), Array.from({ length: runs }, (_, i) => i), { isolate: workers > 1 });
  return { wall: (performance.now() - t0) / 1000, cpu: cpuNow() - c0, labels: rows.map((r) => `${r.class} ${r.family_n}`), rows };
}

/** The numpy baseline on the exported initial conditions; its own integration-only wall and CPU seconds. */
function numpy(inits: string, out: string): Timing {
  const r = spawnSync(PYTHON, [join(ROOT, 'bench/reference/ode_numpy.py'), inits, '--threads', '1', '--tau-max', String(TAU_MAX), '--out', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ode_numpy.py failed (${PYTHON}): ${r.stderr || r.error}`);
  const m = /wall ([\d.]+) s \(integration only, CPU ([\d.]+) s\)/.exec(r.stderr);
  if (!m) throw new Error(`ode_numpy.py: no timing line in ${r.stderr}`);
  const rows = parseCsv(readFileSync(out, 'utf8'));
  return { wall: Number(m[1]), cpu: Number(m[2]), labels: rows.map((x) => `${x.class} ${x.family_n}`) };
}

/** run-for-run agreement "k/n" of two label lists. */
const agree = (a: string[], b: string[]) => `${a.filter((x, i) => x === b[i]).length}/${a.length}`;
const fmt = (x: number, d = 2) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3)) : '—');
const strip = (r: RunRow) => ({ ...r, wall_ms: 0 });

const dir = mkdtempSync(join(tmpdir(), 'scmv-bench-ensemble-'));
const table: string[][] = [];
console.log(`bench/ensemble.ts: seed ${SEED}, τ_max ${TAU_MAX}, ${REPEATS} repeats, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
try {
  for (const size of SIZES) {
    const [K, M] = size.split('x').map(Number);
    const runs = runsOf(size);
    const inits = join(dir, `inits-${size}.json`);
    if (!SKIP_NUMPY) {
      const e = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/reference/export-inits.ts'), '--K', String(K), '--M', String(M), '--seed', String(SEED), '--runs', String(runs), '--no-rhs', '--out', inits], { encoding: 'utf8', cwd: ROOT });
      if (e.status !== 0) throw new Error(`export-inits.ts failed: ${e.stderr}`);
    }
    const t: Record<Variant, Timing[]> = { numpy: [], dopri5: [], 'rkc2 1w': [], 'rkc2 2w': [] };
    for (let rep = 0; rep < REPEATS; rep++) {
      // rotate the order so that a change of load hits every variant alike
      const order = VARIANTS.map((_, i) => VARIANTS[(i + rep) % VARIANTS.length]);
      for (const v of order) {
        const x = v === 'numpy' ? numpy(inits, join(dir, `np-${size}.csv`))
          : v === 'dopri5' ? await ours(K, M, runs, 'dopri5', 1)
          : await ours(K, M, runs, 'rkc2', v === 'rkc2 1w' ? 1 : 2);
        t[v].push(x);
        console.log(`  K=${K} M=${M} repeat ${rep + 1}: ${v.padEnd(8)} ${fmt(runs / x.wall)} traj/s (${x.wall.toFixed(2)} s wall, ${x.cpu.toFixed(2)} s CPU)`);
      }
    }
    // worker scaling: rkc2 on 1 and 2 workers, the same (larger) set of runs, alternating
    const wRuns = workerRunsOf(size);
    const w1: Timing[] = [];
    for (let rep = 0; rep < REPEATS; rep++) {
      for (const workers of rep % 2 === 0 ? [1, 2] : [2, 1]) {
        const x = await ours(K, M, wRuns, 'rkc2', workers);
        (workers === 1 ? w1 : t['rkc2 2w']).push(x);
        console.log(`  K=${K} M=${M} repeat ${rep + 1}: rkc2 ${workers}w  ${fmt(wRuns / x.wall)} traj/s on ${wRuns} runs (${x.wall.toFixed(2)} s wall, ${x.cpu.toFixed(2)} s CPU)`);
      }
    }
    // rows do not depend on the repeat or the worker count
    const first = t['rkc2 1w'][0].rows!.map(strip);
    const firstW = w1[0].rows!.map(strip);
    const stable = t['rkc2 1w'].every((x) => JSON.stringify(x.rows!.map(strip)) === JSON.stringify(first))
      && [...w1, ...t['rkc2 2w']].every((x) => JSON.stringify(x.rows!.map(strip)) === JSON.stringify(firstW))
      && JSON.stringify(firstW.slice(0, runs)) === JSON.stringify(first)
      && t.dopri5.every((x) => JSON.stringify(x.rows!.map(strip)) === JSON.stringify(t.dopri5[0].rows!.map(strip)));
    const rate = (v: Variant) => median(t[v].map((x) => runs / x.wall));
    const cpuPer = (v: Variant) => median(t[v].map((x) => x.cpu / runs));
    /** median over repeats of a ratio formed within each repeat */
    const ratio = (f: (i: number) => number) => median(Array.from({ length: REPEATS }, (_, i) => f(i)));
    const lab = (v: Variant) => t[v][0]?.labels ?? [];
    const hasNp = !SKIP_NUMPY;
    const row = [
      String(K), String(M), String(runs),
      hasNp ? fmt(rate('numpy')) : '—', hasNp ? fmt(cpuPer('numpy'), 3) : '—',
      fmt(rate('dopri5')), fmt(cpuPer('dopri5'), 3),
      fmt(rate('rkc2 1w')), fmt(cpuPer('rkc2 1w'), 3), `${fmt(median(t['rkc2 2w'].map((x) => wRuns / x.wall)))} (${wRuns} runs)`,
      fmt(ratio((i) => t.dopri5[i].wall / t['rkc2 1w'][i].wall)) + '×',
      fmt(ratio((i) => t.dopri5[i].cpu / t['rkc2 1w'][i].cpu)) + '×',
      hasNp ? fmt(ratio((i) => t.numpy[i].wall / t['rkc2 1w'][i].wall)) + '×' : '—',
      hasNp ? fmt(ratio((i) => t.numpy[i].cpu / t['rkc2 1w'][i].cpu)) + '×' : '—',
      fmt(ratio((i) => w1[i].wall / t['rkc2 2w'][i].wall)) + '×',
      agree(lab('rkc2 1w'), lab('dopri5')),
      hasNp ? agree(lab('rkc2 1w'), lab('numpy')) : '—',
      hasNp ? agree(lab('dopri5'), lab('numpy')) : '—',
      stable ? 'yes' : 'NO',
    ];
    table.push(row);
    lab('rkc2 1w').forEach((x, i) => {
      if (x !== lab('dopri5')[i]) console.log(`    run ${i}: rkc2 ${x}, dopri5 ${lab('dopri5')[i]}${hasNp ? `, numpy ${lab('numpy')[i]}` : ''}`);
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const header = [
  'K', 'M', 'runs', 'numpy traj/s', 'numpy CPU s/traj', 'dopri5 traj/s', 'dopri5 CPU s/traj', 'rkc2 traj/s (1 worker)', 'rkc2 CPU s/traj',
  'rkc2 traj/s (2 workers)', 'rkc2/dopri5 wall', 'rkc2/dopri5 CPU', 'rkc2/numpy wall', 'rkc2/numpy CPU (per core)', '2/1 workers',
  'same class+n rkc2 = dopri5', 'rkc2 = numpy', 'dopri5 = numpy', 'rows stable',
];
console.log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const r of table) console.log(`| ${r.join(' | ')} |`);
