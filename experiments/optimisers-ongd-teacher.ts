// experiments/optimisers-ongd-teacher.ts — why onGD "never converges" in the paper (Table 2,
// App. F.4) but reaches ε = 0 in our Table 2 run at K = M: with an orthonormal teacher (T = I,
// docs/theory.md §5) the global minimum W = W* lies on the Stiefel manifold {W Wᵀ/N = I}; with a
// Gaussian teacher in dimension d, T = W* W*ᵀ/d ≠ I and no orthonormal student can reproduce
// it, so onGD stops at a loss floor that shrinks as T → I (d → ∞). GD is the control.
// K = M = 8 ODE runs from the same seeds as `scmv ensemble`.
// Writes results/optimisers/ongd-teacher.csv (one row per config) and ongd-teacher-runs.csv.
// Run: nice npx tsx experiments/optimisers-ongd-teacher.ts [--runs 50] [--workers 2] [--quick]
import { mapPool } from '../src/runs/pool.js';
import { gaussianPair, type FinalState, type FinalStateSpec , FINAL_STATE_JOB } from '../src/studies/optimisers/final-state.js';
import { wilson } from '../src/stats/wilson.js';
import { createRng } from '../src/random/rng.js';
import { writeCsv, type Cell } from '../src/io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../src/io/manifest.js';
import type { AlgorithmName } from '../src/theory/algorithms.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const quick = process.argv.includes('--quick');
const K = arg('K', quick ? 4 : 8);
const M = K;
const runs = arg('runs', quick ? 8 : 50);
const workers = arg('workers', 2);
const tauMax = arg('tau-max', quick ? 1000 : 3000);
const seed = arg('seed', 1);
const outDir = quick ? 'results/optimisers/quick' : 'results/optimisers';

const CONFIGS: Array<{ algorithm: AlgorithmName; teacher: 'orthonormal' | 'gaussian'; d: number }> = [
  { algorithm: 'ongd', teacher: 'orthonormal', d: M },
  { algorithm: 'ongd', teacher: 'orthonormal', d: 8 * M },
  ...[2 * M, 8 * M, 32 * M, 128 * M].map((d) => ({ algorithm: 'ongd' as const, teacher: 'gaussian' as const, d })),
  { algorithm: 'gd', teacher: 'gaussian', d: 8 * M },
  { algorithm: 'ngd', teacher: 'gaussian', d: 8 * M },
];

/** max_{m≠n} |T_mn| and max_m |T_mm − 1| of the Gaussian teacher of run i (same stream as the job). */
function teacherDeviation(run: number, d: number): { off: number; diag: number } {
  const o = gaussianPair(K, M, d, createRng(seed, 'run', run));
  let off = 0;
  let diag = 0;
  for (let m = 0; m < M; m++)
    for (let n = 0; n < M; n++) {
      const x = o.T[m * M + n];
      if (m === n) diag = Math.max(diag, Math.abs(x - 1));
      else off = Math.max(off, Math.abs(x));
    }
  return { off, diag };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const started = makeManifest('experiments/optimisers-ongd-teacher.ts', { K, M, runs, workers, tauMax, seed, quick });
const rows: Cell[][] = [];
const runRows: Cell[][] = [];
for (const c of CONFIGS) {
  const t0 = performance.now();
  const specs: FinalStateSpec[] = Array.from({ length: runs }, (_, run) => ({
    run, seed, K, M, initDim: c.d, algorithm: c.algorithm, activation: 'relu', alpha: 0,
    tauMax, tol: 1e-8, rtol: 1e-7, atol: 1e-10, epsGlobal: 1e-3, gTol: 1e-6, vanishTol: 1e-4, gaussianTeacher: c.teacher === 'gaussian',
  }));
  const res = await mapPool(FINAL_STATE_JOB, specs, { workers, ordered: true });
  const dev = specs.map((s) => (c.teacher === 'gaussian' ? teacherDeviation(s.run, c.d) : { off: 0, diag: 0 }));
  res.forEach((r, i) => runRows.push([c.algorithm, c.teacher, c.d, K, M, r.run, r.loss, r.cls, r.tau, r.rhsNorm, dev[i].off, dev[i].diag]));
  const g = res.filter((r) => r.cls === 'global').length;
  const [lo, hi] = wilson(g, runs);
  const losses = res.map((r) => r.loss);
  rows.push([c.algorithm, c.teacher, c.d, K, M, runs, g, res.filter((r) => r.cls === 'local').length, res.filter((r) => r.cls === 'none').length,
    (100 * g) / runs, 100 * lo, 100 * hi, Math.min(...losses), median(losses), Math.max(...losses),
    median(dev.map((x) => x.off)), median(dev.map((x) => x.diag))]);
  console.log(`${c.algorithm} ${c.teacher} d=${c.d}: global ${g}/${runs}, loss min ${Math.min(...losses).toExponential(3)} median ${median(losses).toExponential(3)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
const path = `${outDir}/ongd-teacher.csv`;
writeCsv(path, ['algorithm', 'teacher', 'init_dim', 'K', 'M', 'runs', 'global', 'local', 'none', 'global_pct', 'global_lo_pct', 'global_hi_pct',
  'min_loss', 'median_loss', 'max_loss', 'median_max_offdiag_T', 'median_max_diag_dev_T'], rows);
const runsPath = `${outDir}/ongd-teacher-runs.csv`;
writeCsv(runsPath, ['algorithm', 'teacher', 'init_dim', 'K', 'M', 'run', 'final_loss', 'class', 'tau_end', 'rhs_norm', 'max_offdiag_T', 'max_diag_dev_T'], runRows);
const finished = new Date().toISOString();
for (const p of [path, runsPath]) writeManifest(manifestPath(p), { ...started, finished });
console.log(`wrote ${path}, ${runsPath}`);
