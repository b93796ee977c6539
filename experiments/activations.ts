// experiments/activations.ts — the paper's Appendix E: do spurious minima with anti-aligned
// students (R_{k,π(k)} < 0) appear for leaky ReLU and for erf? Ensembles of K = M = 8 ODE runs
// (SPEC §5 initial conditions, gd and ngd), each end state classified (SPEC §6) and its final
// Q, R kept. The paper reports anti-aligned units for leaky ReLU (Fig. 11, nGD) and none for
// erf (Fig. 12, nGD).
//
// Writes results/activations/runs.csv (one row per run, with the final overlaps),
// results/activations/summary.csv (one row per activation × algorithm) and
// results/activations/families.csv (one row per activation × algorithm × family n), with manifests.
// Run: nice npx tsx experiments/activations.ts [--runs 200] [--workers 2] [--tau-max 3000] [--quick]
import { mapPool } from '../src/experiments/pool.js';
import type { FinalState, FinalStateSpec } from '../src/experiments/study-optimisers-final.js';
import { wilsonInterval } from '../src/experiments/study-optimisers.js';
import { overlapColumns, overlapValues } from '../src/io/columns.js';
import { writeCsv, type Cell } from '../src/io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../src/io/manifest.js';
import type { AlgorithmName } from '../src/theory/algorithms.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const quick = process.argv.includes('--quick');
const K = arg('K', quick ? 5 : 8);
const M = arg('M', quick ? 5 : 8);
const runs = arg('runs', quick ? 16 : 200);
const workers = arg('workers', 2);
const tauMax = arg('tau-max', quick ? 1000 : 3000);
const seed = arg('seed', 1);
const outDir = quick ? 'results/activations/quick' : 'results/activations';

const ACTIVATIONS: Array<{ activation: string; alpha: number; paper: string }> = [
  { activation: 'relu', alpha: 0, paper: 'anti-aligned families (main text)' },
  { activation: 'leaky-relu', alpha: 0.01, paper: 'anti-aligned units appear (App. E.2, Fig. 11, nGD)' },
  { activation: 'leaky-relu', alpha: 0.2, paper: '' },
  { activation: 'erf', alpha: 0, paper: 'no anti-aligned units (App. E.4, Fig. 12, nGD)' },
];
const ALGORITHMS: AlgorithmName[] = ['gd', 'ngd'];
const JOB = { module: new URL('../src/experiments/study-optimisers-final.ts', import.meta.url).href, fn: 'finalStateJob' };

const runRows: Cell[][] = [];
const summaryRows: Cell[][] = [];
const familyRows: Cell[][] = [];
const started = makeManifest('experiments/activations.ts', { K, M, runs, workers, tauMax, seed, quick });

const median = (xs: number[]) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

for (const a of ACTIVATIONS) {
  for (const algorithm of ALGORITHMS) {
    const t0 = performance.now();
    const specs: FinalStateSpec[] = Array.from({ length: runs }, (_, run) => ({
      run, seed, K, M, initDim: M, algorithm, activation: a.activation, alpha: a.alpha,
      tauMax, tol: 1e-8, rtol: 1e-7, atol: 1e-10, epsGlobal: 1e-3, gTol: 1e-6, vanishTol: 1e-4,
    }));
    const results = await mapPool<FinalStateSpec, FinalState>(JOB, specs, { workers, ordered: true });
    for (const r of results) {
      runRows.push([a.activation, a.alpha, algorithm, K, M, r.run, r.loss, r.cls, r.familyN, r.antiAligned, r.minMatchedR, r.tau, r.rhsNorm,
        ...overlapValues(K, M, r.Q, r.R)]);
    }
    const count = (c: string) => results.filter((r) => r.cls === c).length;
    const local = results.filter((r) => r.cls === 'local');
    const localAnti = local.filter((r) => r.antiAligned > 0);
    const nonGlobalAnti = results.filter((r) => r.cls !== 'global' && r.antiAligned > 0);
    const [lo, hi] = wilsonInterval(count('global'), runs);
    const [alo, ahi] = wilsonInterval(localAnti.length, local.length);
    const levels = new Map<string, number>();
    for (const r of local) levels.set(r.loss.toPrecision(4), (levels.get(r.loss.toPrecision(4)) ?? 0) + 1);
    const topLevels = [...levels.entries()].sort((x, y) => y[1] - x[1]).slice(0, 6).map(([l, c]) => `${l}×${c}`).join(' ');
    summaryRows.push([
      a.activation, a.alpha, algorithm, K, M, runs, count('global'), count('local'), count('none'), count('diverged'),
      (100 * count('global')) / runs, 100 * lo, 100 * hi, localAnti.length, local.length ? (100 * localAnti.length) / local.length : NaN, 100 * alo, 100 * ahi,
      nonGlobalAnti.length, Math.max(-1, ...local.map((r) => r.familyN)), topLevels,
      localAnti.length > 0 ? 'yes' : 'no', a.paper,
    ]);
    const families = new Map<number, FinalState[]>();
    for (const r of local) families.set(r.familyN, [...(families.get(r.familyN) ?? []), r]);
    for (const [n, members] of [...families.entries()].sort((x, y) => x[0] - y[0])) {
      const aligned: number[] = [];
      const anti: number[] = [];
      const antiQ: number[] = [];
      const alignedQ: number[] = [];
      for (const r of members)
        for (let k = 0; k < K; k++) {
          const m = r.match[k];
          if (m < 0) continue;
          const x = r.R[k * M + m];
          (x < 0 ? anti : aligned).push(x);
          (x < 0 ? antiQ : alignedQ).push(r.Q[k * K + k]);
        }
      const losses = members.map((r) => r.loss);
      familyRows.push([a.activation, a.alpha, algorithm, K, M, n, members.length, (100 * members.length) / runs,
        Math.min(...losses), median(losses), Math.max(...losses), mean(aligned), mean(alignedQ), mean(anti), mean(antiQ)]);
    }
    console.log(`${a.activation}${a.activation === 'leaky-relu' ? ` α=${a.alpha}` : ''} ${algorithm}: global ${count('global')}, local ${local.length} (with anti-aligned units: ${localAnti.length}, families n: ${[...families.keys()].sort().join(',') || '-'}), none ${count('none')}; local levels ${topLevels || '-'} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
}

const runsPath = `${outDir}/runs.csv`;
writeCsv(runsPath, ['activation', 'alpha', 'algorithm', 'K', 'M', 'run', 'final_loss', 'class', 'family_n', 'anti_aligned', 'min_matched_R', 'tau_end', 'rhs_norm', ...overlapColumns(K, M)], runRows);
const summaryPath = `${outDir}/summary.csv`;
writeCsv(summaryPath, ['activation', 'alpha', 'algorithm', 'K', 'M', 'runs', 'global', 'local', 'none', 'diverged', 'global_pct', 'global_lo_pct', 'global_hi_pct',
  'local_with_anti', 'local_with_anti_pct_of_local', 'local_with_anti_lo_pct', 'local_with_anti_hi_pct', 'not_global_with_anti', 'max_family_n', 'top_local_levels',
  'anti_aligned_appear', 'paper'], summaryRows);
const familiesPath = `${outDir}/families.csv`;
writeCsv(familiesPath, ['activation', 'alpha', 'algorithm', 'K', 'M', 'family_n', 'count', 'pct_of_runs', 'min_loss', 'median_loss', 'max_loss',
  'mean_R_aligned', 'mean_Qkk_aligned', 'mean_R_anti', 'mean_Qkk_anti'], familyRows);
const finished = new Date().toISOString();
for (const p of [runsPath, summaryPath, familiesPath]) writeManifest(manifestPath(p), { ...started, finished });
console.log(`wrote ${runsPath}, ${summaryPath}, ${familiesPath}`);
