// experiments/activations.ts — the paper's Appendix E: do spurious minima with anti-aligned
// students (R_{k,π(k)} < 0) appear for leaky ReLU and for erf? Ensembles of K = M = 8 ODE runs
// (docs/theory.md §5 initial conditions, gd and ngd), each end state classified (docs/theory.md §6) and its final
// Q, R kept. The paper reports anti-aligned units for leaky ReLU (Fig. 11, nGD) and none for
// erf (Fig. 12, nGD).
//
// Writes results/activations/runs.csv (one row per run, with the final overlaps),
// results/activations/summary.csv (one row per activation × algorithm) and
// results/activations/families.csv (one row per activation × algorithm × family n), with manifests.
// "Anti-aligned" is reported two ways: docs/theory.md §6's family index (matched students with
// R_{k,π(k)} < 0), and a stricter count of students whose dominant overlap is negative and is
// with their matched teacher (|R_{k,π(k)}| = max_m |R_km|, R_{k,π(k)} < 0): ReLU's anti-aligned
// units are of that kind, while a student with small negative overlaps spread over several
// teachers is counted only by the first.
// Run: nice npx tsx experiments/activations.ts [--runs 200] [--workers 2] [--tau-max 3000] [--quick]
//      nice npx tsx experiments/activations.ts --summarize-only   (re-derive summary/families from runs.csv)
import { mapPool } from '../src/runs/pool.js';
import { type FinalState, type FinalStateSpec , FINAL_STATE_JOB } from '../src/studies/optimisers/final-state.js';
import { wilson } from '../src/stats/wilson.js';
import { overlapColumns, overlapValues } from '../src/io/columns.js';
import { writeCsv, type Cell } from '../src/io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../src/io/manifest.js';
import type { AlgorithmName } from '../src/theory/algorithms.js';
import { matchStudents } from '../src/theory/classify.js';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const quick = process.argv.includes('--quick');
const summarizeOnly = process.argv.includes('--summarize-only');
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

const started = makeManifest('experiments/activations.ts', { K, M, runs, workers, tauMax, seed, quick, summarizeOnly });

/** One finished run as stored in runs.csv. */
interface Rec {
  activation: string;
  alpha: number;
  algorithm: string;
  run: number;
  loss: number;
  cls: string;
  familyN: number;
  antiAligned: number;
  minMatchedR: number;
  tau: number;
  rhsNorm: number;
  Q: Float64Array;
  R: Float64Array;
}

const median = (xs: number[]) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Per student: matched teacher, its R, whether that R is negative and the student's dominant overlap, and R²_{kπ}/Σ_m R²_km. */
function antiUnits(r: Rec): Array<{ k: number; R: number; dominant: boolean; concentration: number; rowMin: number }> {
  const alive = Array.from({ length: K }, (_, k) => K <= M || r.Q[k * K + k] >= 1e-4);
  const match = matchStudents(K, M, r.R, alive);
  const out = [];
  for (let k = 0; k < K; k++) {
    const m = match[k];
    if (m < 0 || !(r.R[k * M + m] < 0)) continue;
    let maxAbs = 0;
    let sq = 0;
    let rowMin = Infinity;
    for (let j = 0; j < M; j++) {
      const x = r.R[k * M + j];
      maxAbs = Math.max(maxAbs, Math.abs(x));
      sq += x * x;
      rowMin = Math.min(rowMin, x);
    }
    const x = r.R[k * M + m];
    out.push({ k, R: x, dominant: Math.abs(x) >= maxAbs - 1e-12, concentration: (x * x) / sq, rowMin });
  }
  return out;
}

const recs: Rec[] = [];
const runsPath = `${outDir}/runs.csv`;
const RUN_HEADER = ['activation', 'alpha', 'algorithm', 'K', 'M', 'run', 'final_loss', 'class', 'family_n', 'anti_aligned', 'min_matched_R', 'tau_end', 'rhs_norm', ...overlapColumns(K, M)];
if (summarizeOnly) {
  const rows = parse(readFileSync(runsPath, 'utf8'), { columns: true }) as Record<string, string>[];
  for (const row of rows) {
    const Q = new Float64Array(K * K);
    const R = new Float64Array(K * M);
    for (let k = 0; k < K; k++) {
      for (let l = k; l < K; l++) Q[k * K + l] = Q[l * K + k] = Number(row[`Q_${k}_${l}`]);
      for (let m = 0; m < M; m++) R[k * M + m] = Number(row[`R_${k}_${m}`]);
    }
    recs.push({ activation: row.activation, alpha: Number(row.alpha), algorithm: row.algorithm, run: Number(row.run), loss: Number(row.final_loss), cls: row.class,
      familyN: Number(row.family_n), antiAligned: Number(row.anti_aligned), minMatchedR: Number(row.min_matched_R), tau: Number(row.tau_end), rhsNorm: Number(row.rhs_norm), Q, R });
  }
} else {
  for (const a of ACTIVATIONS) {
    for (const algorithm of ALGORITHMS) {
      const t0 = performance.now();
      const specs: FinalStateSpec[] = Array.from({ length: runs }, (_, run) => ({
        run, seed, K, M, initDim: M, algorithm, activation: a.activation, alpha: a.alpha,
        tauMax, tol: 1e-8, rtol: 1e-7, atol: 1e-10, epsGlobal: 1e-3, gTol: 1e-6, vanishTol: 1e-4,
      }));
      const results = await mapPool(FINAL_STATE_JOB, specs, { workers, ordered: true });
      for (const r of results)
        recs.push({ activation: a.activation, alpha: a.alpha, algorithm, run: r.run, loss: r.loss, cls: r.cls, familyN: r.familyN, antiAligned: r.antiAligned,
          minMatchedR: r.minMatchedR, tau: r.tau, rhsNorm: r.rhsNorm, Q: Float64Array.from(r.Q), R: Float64Array.from(r.R) });
      console.log(`${a.activation}${a.activation === 'leaky-relu' ? ` α=${a.alpha}` : ''} ${algorithm}: ${runs} runs (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
  }
  writeCsv(runsPath, RUN_HEADER, recs.map((r) => [r.activation, r.alpha, r.algorithm, K, M, r.run, r.loss, r.cls, r.familyN, r.antiAligned, r.minMatchedR, r.tau, r.rhsNorm,
    ...overlapValues(K, M, r.Q, r.R)]));
}

const summaryRows: Cell[][] = [];
const familyRows: Cell[][] = [];
for (const a of ACTIVATIONS) {
  for (const algorithm of ALGORITHMS) {
    const results = recs.filter((r) => r.activation === a.activation && r.alpha === a.alpha && r.algorithm === algorithm);
    if (!results.length) continue;
    const n = results.length;
    const count = (c: string) => results.filter((r) => r.cls === c).length;
    const local = results.filter((r) => r.cls === 'local');
    const localAnti = local.filter((r) => r.familyN > 0);
    const localDominant = local.filter((r) => antiUnits(r).some((u) => u.dominant));
    const notGlobalAnti = results.filter((r) => r.cls !== 'global' && r.antiAligned > 0);
    const [lo, hi] = wilson(count('global'), n);
    const [dlo, dhi] = wilson(localDominant.length, n);
    const levels = new Map<string, number>();
    for (const r of local) levels.set(r.loss.toPrecision(4), (levels.get(r.loss.toPrecision(4)) ?? 0) + 1);
    const topLevels = [...levels.entries()].sort((x, y) => y[1] - x[1]).slice(0, 6).map(([l, c]) => `${l}x${c}`).join(' ');
    const units = local.flatMap(antiUnits);
    summaryRows.push([
      a.activation, a.alpha, algorithm, K, M, n, count('global'), count('local'), count('none'), count('diverged'),
      (100 * count('global')) / n, 100 * lo, 100 * hi,
      localAnti.length, localDominant.length, (100 * localDominant.length) / n, 100 * dlo, 100 * dhi, notGlobalAnti.length,
      Math.max(-1, ...local.map((r) => r.familyN)), mean(units.map((u) => u.R)), mean(units.map((u) => u.concentration)), mean(units.map((u) => u.rowMin)), topLevels,
      localDominant.length > 0 ? 'yes' : 'no', a.paper,
    ]);
    const families = new Map<number, Rec[]>();
    for (const r of local) families.set(r.familyN, [...(families.get(r.familyN) ?? []), r]);
    for (const [fn, members] of [...families.entries()].sort((x, y) => x[0] - y[0])) {
      const aligned: number[] = [];
      const alignedQ: number[] = [];
      for (const r of members) {
        const antiK = new Set(antiUnits(r).map((u) => u.k));
        const match = matchStudents(K, M, r.R);
        for (let k = 0; k < K; k++) {
          if (antiK.has(k) || match[k] < 0) continue;
          aligned.push(r.R[k * M + match[k]]);
          alignedQ.push(r.Q[k * K + k]);
        }
      }
      const u = members.flatMap(antiUnits);
      const antiQ = members.flatMap((r) => antiUnits(r).map((x) => r.Q[x.k * K + x.k]));
      const losses = members.map((r) => r.loss);
      familyRows.push([a.activation, a.alpha, algorithm, K, M, fn, members.length, (100 * members.length) / n,
        Math.min(...losses), median(losses), Math.max(...losses), mean(aligned), mean(alignedQ),
        mean(u.map((x) => x.R)), mean(antiQ), mean(u.map((x) => x.rowMin)), mean(u.map((x) => x.concentration)), u.filter((x) => x.dominant).length, u.length]);
    }
    console.log(`${a.activation}${a.activation === 'leaky-relu' ? ` α=${a.alpha}` : ''} ${algorithm}: global ${count('global')}, local ${local.length} (n > 0: ${localAnti.length}; with a dominant anti-aligned unit: ${localDominant.length}), none ${count('none')}; local levels ${topLevels || '-'}; anti units: mean matched R ${mean(units.map((x) => x.R)).toFixed(3)}, concentration ${mean(units.map((x) => x.concentration)).toFixed(3)}`);
  }
}

const summaryPath = `${outDir}/summary.csv`;
writeCsv(summaryPath, ['activation', 'alpha', 'algorithm', 'K', 'M', 'runs', 'global', 'local', 'none', 'diverged', 'global_pct', 'global_lo_pct', 'global_hi_pct',
  'local_family_n_pos', 'local_dominant_anti', 'local_dominant_anti_pct', 'local_dominant_anti_lo_pct', 'local_dominant_anti_hi_pct', 'not_global_with_anti',
  'max_family_n', 'anti_mean_matched_R', 'anti_mean_concentration', 'anti_mean_row_min_R', 'top_local_levels', 'anti_aligned_appear', 'paper'], summaryRows);
const familiesPath = `${outDir}/families.csv`;
writeCsv(familiesPath, ['activation', 'alpha', 'algorithm', 'K', 'M', 'family_n', 'count', 'pct_of_runs', 'min_loss', 'median_loss', 'max_loss',
  'mean_R_aligned', 'mean_Qkk_aligned', 'mean_R_anti', 'mean_Qkk_anti', 'mean_row_min_R_anti', 'mean_concentration_anti', 'anti_units_dominant', 'anti_units'], familyRows);
const finished = new Date().toISOString();
for (const p of summarizeOnly ? [summaryPath, familiesPath] : [runsPath, summaryPath, familiesPath]) writeManifest(manifestPath(p), { ...started, finished });
console.log(`wrote ${summarizeOnly ? '' : `${runsPath}, `}${summaryPath}, ${familiesPath}`);
