// experiments/appendix-g.ts — the paper's Appendix G and Table 1 at their full range
// (docs/theory.md §7): fractions of gradient-flow runs from Gaussian initialisations
// (docs/theory.md §5) that end in the global minimum, a spurious local minimum (by family n) or
// neither, for K = M = 6 … 20, K = M + 1 for M = 8 … 19, and K = M + 2 at M = 17 (Table 1), with
// the class every run would have at the horizons τ = 100, 200, 400, 1000, 3000 (and at τ_max = 1e4).
//
// Every row is one `scmv ensemble` (runs/ensemble.ts): seed 1, runs 0 … R−1, RKC2 on the weight
// state (the ensembles' default path), exact early global exit, ε_global = 1e-3, g_tol = 1e-6.
// Runs go to results/appendix-g/runs/K<K>-M<M>.csv, resumable (the manifest beside each holds
// the row options): the script can be stopped and restarted at any time. Passes (--stages):
// every row is brought to min(stage, its target) runs, cheapest rows first, before the next pass.
//
// Part `variants` asks why K = M + 1 has fewer local minima than the paper: the same rows at
// M = 10, 12, 16 with the initialisation dimension d = M (default), 2M, K + M + 1 and 100, and with
// a Gaussian teacher (T = W*W*ᵀ/d ≠ I, at d = 2M, 100 and M: the smaller d, the further T is from
// I) instead of the orthonormal one; and, as a control, K = M at M = 10, 16 with d = 2M and 100
// and a Gaussian teacher at d = 100 and M; into results/appendix-g/variants/.
//
// Writes results/appendix-g/table.csv (ours with 95 % Wilson intervals beside the paper's numbers),
// families.csv (the family breakdown, and Table 1 at M = 17 beside the paper's), horizons.csv
// (class fractions per horizon) and variants.csv, each with a manifest.
// Run: nice npx tsx experiments/appendix-g.ts [main | variants | tables] [--workers 2] [--stages 2000,10000] [--only <regex on the row tag>]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEnsembleToFile, shardRuns, type EnsembleOptions } from '../src/runs/ensemble.js';
import { mergeRunFiles, summarizeRuns, type SummaryRow } from '../src/runs/summary.js';
import { writeCsv, type Cell } from '../src/io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../src/io/manifest.js';
import { CLASSIFY, ENSEMBLE, ENSEMBLE_METHOD } from '../src/defaults.js';
import type { TeacherKind } from '../src/network/teacher.js';

const argv = process.argv.slice(2);
const part = argv[0] && !argv[0].startsWith('--') ? argv[0] : 'main';
const num = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const workers = num('workers', 2);
const stagesArg = argv.indexOf('--stages');
const stages = stagesArg >= 0 ? argv[stagesArg + 1].split(',').map(Number) : [2000, 10000];
const outDir = 'results/appendix-g';
const HORIZONS = [100, 200, 400, 1000, 3000];

/** The paper's Appendix G (Table 3a/b): local %, global %, none % by (K, M). */
const PAPER: Record<string, [number, number, number]> = {};
const KM_LOCAL = [0.91, 5.3, 13.16, 21.15, 33.27, 43.74, 54.62, 63.87, 71.69, 77.99, 82.48, 86.79, 90.42, 92.54, 94.76];
const KM_GLOBAL = [98.82, 94.37, 86.09, 78.53, 66.38, 55.92, 45.12, 35.93, 28.08, 21.81, 17.44, 13.18, 9.51, 7.38, 5.21];
const KM_NONE = [0.27, 0.33, 0.75, 0.32, 0.35, 0.34, 0.26, 0.2, 0.23, 0.2, 0.08, 0.03, 0.07, 0.08, 0.03];
const P1_LOCAL = [0.07, 0.75, 1.93, 3.83, 5.74, 8.37, 13.5, 18.12, 28.58, 36.88, 42.25, 51.46];
const P1_GLOBAL = [99.74, 98.95, 97.26, 94.25, 91.42, 87.46, 81.16, 75.36, 65.47, 57.5, 52.62, 44.24];
const P1_NONE = [0.19, 0.3, 0.81, 1.92, 2.84, 4.17, 5.34, 6.52, 5.95, 5.62, 5.13, 4.3];
KM_LOCAL.forEach((l, i) => (PAPER[`${6 + i},${6 + i}`] = [l, KM_GLOBAL[i], KM_NONE[i]]));
P1_LOCAL.forEach((l, i) => (PAPER[`${9 + i},${8 + i}`] = [l, P1_GLOBAL[i], P1_NONE[i]]));
/** Table 1 (M = 17 inferred): global and family % for K = M, M + 1, M + 2. */
const TABLE1: Record<number, Record<string, number>> = {
  0: { global: 13.09, 'n=1': 27.52, 'n=2': 29.05, 'n=3': 18.94, 'n=4': 7.55 },
  1: { global: 59.29, 'n=1': 0, 'n=2': 2.1, 'n=3': 10.83, 'n=4': 8.99 },
  2: { global: 99.63, 'n=1': 0, 'n=2': 0.05, 'n=3': 0.31, 'n=4': 0 },
};

interface Row { K: number; M: number; target: number; initDim?: number; teacher?: TeacherKind; dir: string }
const MAIN: Row[] = [
  ...Array.from({ length: 15 }, (_, i) => 6 + i).map((m) => ({ K: m, M: m, target: 10000, dir: 'runs' })),
  ...Array.from({ length: 12 }, (_, i) => 8 + i).map((m) => ({ K: m + 1, M: m, target: 10000, dir: 'runs' })),
  { K: 19, M: 17, target: 10000, dir: 'runs' },
];
const VARIANTS: Row[] = [
  ...[10, 12, 16].flatMap((m) => {
    const K = m + 1;
    return [
      ...[m, 2 * m, K + m + 1, 100].map((d) => ({ K, M: m, initDim: d, teacher: 'orthonormal' as const, target: 2000, dir: 'variants' })),
      ...[2 * m, 100, m].map((d) => ({ K, M: m, initDim: d, teacher: 'gaussian' as const, target: 2000, dir: 'variants' })),
    ];
  }),
  // the control: does a larger d or a Gaussian teacher move K = M away from the paper's numbers?
  ...[10, 16].flatMap((m) => [
    ...[2 * m, 100].map((d) => ({ K: m, M: m, initDim: d, teacher: 'orthonormal' as const, target: 2000, dir: 'variants' })),
    ...[100, m].map((d) => ({ K: m, M: m, initDim: d, teacher: 'gaussian' as const, target: 2000, dir: 'variants' })),
  ]),
];

const tagOf = (r: Row) => `K${r.K}-M${r.M}${r.initDim ? `-d${r.initDim}` : ''}${r.teacher && r.teacher !== 'orthonormal' ? `-${r.teacher}` : ''}`;
const runsPath = (r: Row) => join(outDir, r.dir, `${tagOf(r)}.csv`);

function options(r: Row, runs: number): EnsembleOptions {
  return {
    K: r.K, M: r.M, runs, seed: 1, algorithm: 'gd', activation: 'relu', alpha: 0, initDim: r.initDim ?? r.M, workers,
    shard: { index: 0, count: 1 }, tol: ENSEMBLE.tol, tauMax: ENSEMBLE.tauMax, ...ENSEMBLE_METHOD.tolerances.rkc2,
    epsGlobal: CLASSIFY.epsGlobal, gTol: CLASSIFY.gTol, vanishTol: CLASSIFY.vanishTol, earlyGlobal: true, polishAt: ENSEMBLE.polishAt,
    method: 'rkc2', horizons: HORIZONS, teacher: r.teacher ?? 'orthonormal',
  };
}

let stopping = false;
const ac = new AbortController();
process.on('SIGINT', () => {
  stopping = true;
  ac.abort();
});

async function fill(r: Row, runs: number): Promise<void> {
  const opts = options(r, runs);
  const t0 = Date.now();
  const res = await runEnsembleToFile(runsPath(r), opts, shardRuns(runs, opts.shard), makeManifest('experiments/appendix-g.ts', { ...opts }), { signal: ac.signal });
  if (res.rows.length) console.log(`${tagOf(r)}: ${res.rows.length} new runs towards ${runs} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

// --only <regex>: just the rows whose tag (K<K>-M<M>[-d<d>][-gaussian]) matches
const onlyArg = argv.indexOf('--only');
const only = onlyArg >= 0 ? new RegExp(argv[onlyArg + 1]) : undefined;

async function run(rows: Row[]): Promise<void> {
  const order = rows.filter((r) => !only || only.test(tagOf(r))).sort((a, b) => a.K * (a.K + a.M) - b.K * (b.K + b.M));
  for (const stage of stages) for (const r of order) if (!stopping) await fill(r, Math.min(stage, r.target));
}

if (part === 'main') await run(MAIN);
if (part === 'variants') await run(VARIANTS);

// tables
const pct = (x: number | undefined) => (x === undefined ? '' : Math.round(x * 1e4) / 100);
const summaries = (rows: Row[]) => rows.flatMap((r) => {
  const path = runsPath(r);
  if (!existsSync(path)) return [];
  const merged = mergeRunFiles([path]);
  return merged.rows.length ? [{ r, n: merged.rows.length, s: summarizeRuns(merged.rows) }] : [];
});
const get = (s: SummaryRow[], cat: string, n: number | '' = '', horizon = ''): SummaryRow | undefined =>
  s.find((x) => x.category === cat && x.family_n === n && String(x.horizon ?? '') === horizon);
const cls = (s: SummaryRow[], c: string, horizon = '') => {
  const x = get(s, c, '', horizon);
  return x ? [pct(x.fraction), pct(x.ci_low), pct(x.ci_high)] : ['', '', ''];
};

const tableRows: Cell[][] = [];
const familyRows: Cell[][] = [];
const horizonRows: Cell[][] = [];
const counts: Record<string, number> = {};
for (const { r, n, s } of summaries(MAIN)) {
  const paper = PAPER[`${r.K},${r.M}`] ?? ['', '', ''];
  counts[tagOf(r)] = n;
  const regime = r.K === r.M ? 'K=M' : `K=M+${r.K - r.M}`;
  tableRows.push([r.K, r.M, regime, n, ...cls(s, 'local'), paper[0], ...cls(s, 'global'), paper[1], ...cls(s, 'none'), paper[2], get(s, 'diverged')?.count ?? 0, n < r.target ? `${n} of the planned ${r.target} runs` : '']);
  for (const x of s.filter((y) => y.category === 'family' && String(y.horizon ?? '') === '')) {
    const name = x.family_n === 0 ? 'global' : `n=${x.family_n}`;
    const t1 = r.M === 17 ? TABLE1[r.K - r.M]?.[name] : undefined;
    familyRows.push([r.K, r.M, name, x.family_n, x.count, n, pct(x.fraction), pct(x.ci_low), pct(x.ci_high), x.family_n === 0 ? '' : x.mean_loss, t1 ?? '']);
  }
  for (const h of [...HORIZONS.map(String), '']) horizonRows.push([r.K, r.M, regime, n, h === '' ? ENSEMBLE.tauMax : Number(h), ...cls(s, 'local', h), ...cls(s, 'global', h), ...cls(s, 'none', h), paper[0], paper[2]]);
}
const variantRows: Cell[][] = [];
for (const { r, n, s } of summaries(VARIANTS)) {
  const paper = PAPER[`${r.K},${r.M}`] ?? ['', '', ''];
  for (const h of [...HORIZONS.map(String), '']) variantRows.push([r.K, r.M, r.initDim ?? r.M, r.teacher ?? 'orthonormal', n, h === '' ? ENSEMBLE.tauMax : Number(h), ...cls(s, 'local', h), ...cls(s, 'none', h), paper[0], paper[2]]);
}

const settings = { ...options(MAIN[0], 0), K: 'per row', M: 'per row', runs: 'per row', initDim: 'M (variants: per row)', teacher: 'orthonormal (variants: per row)', workers };
const done = (rows: Row[]) => Object.fromEntries(rows.map((r) => [tagOf(r), { planned: r.target, done: counts[tagOf(r)] ?? (existsSync(runsPath(r)) ? mergeRunFiles([runsPath(r)]).rows.length : 0) }]));
const write = (name: string, header: string[], rows: Cell[][], extra: Record<string, unknown>) => {
  writeCsv(join(outDir, name), header, rows);
  writeManifest(manifestPath(join(outDir, name)), makeManifest('experiments/appendix-g.ts', { ...settings, stages }, {
    percentages: 'all *_pct columns are percentages; CIs are 95 % Wilson score intervals', ...extra,
  }));
};
write('table.csv', ['K', 'M', 'regime', 'runs', 'local_pct', 'local_ci_low', 'local_ci_high', 'paper_local_pct', 'global_pct', 'global_ci_low', 'global_ci_high', 'paper_global_pct', 'none_pct', 'none_ci_low', 'none_ci_high', 'paper_none_pct', 'diverged', 'note'], tableRows,
  { rows: done(MAIN), paper: 'Appendix G, Table 3(a) K = M and 3(b) K = M + 1, 10,000 runs per row, thresholds chosen by eye (docs/theory.md §7)' });
write('families.csv', ['K', 'M', 'family', 'family_n', 'count', 'runs', 'pct', 'ci_low_pct', 'ci_high_pct', 'mean_loss', 'paper_table1_pct'], familyRows,
  { rows: done(MAIN), table1: 'paper_table1_pct: the paper\'s Table 1, whose M is not printed; its global fractions match Appendix G at M = 17 (docs/theory.md §7)' });
write('horizons.csv', ['K', 'M', 'regime', 'runs', 'horizon', 'local_pct', 'local_ci_low', 'local_ci_high', 'global_pct', 'global_ci_low', 'global_ci_high', 'none_pct', 'none_ci_low', 'none_ci_high', 'paper_local_pct', 'paper_none_pct'], horizonRows,
  { rows: done(MAIN), horizons: 'the class each run would get if its integration stopped at τ = horizon (the last row of each (K, M) is the end of the run, τ ≤ 1e4)' });
write('variants.csv', ['K', 'M', 'init_dim', 'teacher', 'runs', 'horizon', 'local_pct', 'local_ci_low', 'local_ci_high', 'none_pct', 'none_ci_low', 'none_ci_high', 'paper_local_pct', 'paper_none_pct'], variantRows,
  { rows: done(VARIANTS) });
if (existsSync(join(outDir, 'table.csv'))) console.log(readFileSync(join(outDir, 'table.csv'), 'utf8'));
if (stopping) process.exit(130);
