// experiments/sgd-scaling.ts — the runs behind results/sgd-scaling (study 2: does online SGD
// follow gradient flow when η ~ 1/N?). Each part is one `scmv study sgd-scaling` invocation
// into the same --out-dir; runs.csv is keyed by (K, M, N, seed, scaling, c), so every part
// resumes, and the report (summary, fits, figures, manifest) is rewritten from all rows.
//   part const-sqrt  η = c and c/√N, c ∈ {0.5, 2}, N = 100 … 1600, 8 seeds, K×M = 4×4 and 5×4
//   part inv         η = c/N, c = 2, N = 100 … 1600, 8 seeds, both widths (every part caps runs at 2e9 steps)
//   part inv-small   η = c/N, c = 0.5, N = 100 … 400, 8 seeds, both widths
//   part inv-3200    η = c/N, c = 2, N = 3200, 4 seeds, K = M = 4 (≈ 3–5 h per run on one core, by N³ from N = 800)
//   part replicas    where the η = c/N deviation comes from: 8 input streams from each of 4 networks
//                    per N (K×M = 4×4 and 5×4, c = 2, N = 100, 200, 400; ≈ 30 core-minutes), written to
//                    results/sgd-scaling/replicas/ (`scmv study sgd-scaling --replicas 8`)
//   part replicas-800  the same at N = 800 for K×M = 5×4 (≈ 1.5 core-hours), into the same replicas.csv
//   part report      rewrite the report from the runs present, with coverage.csv: per planned
//                    (K, M, scaling, c, N) cell of the parts above, the seeds planned, present and
//                    missing (the manifest carries the totals)
// Usage: nice npx tsx experiments/sgd-scaling.ts [part …] [--workers n]
//   (no part: the first three; every part rewrites the report)
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { readRuns, SGD_SCALING_DEFAULTS, writeSgdScalingReport } from '../src/studies/sgd-scaling/study.js';
import { writeCsv } from '../src/io/csv.js';
import type { Scaling } from '../src/studies/sgd-scaling/job.js';
import { writeSgdReplicasReport, type SgdReplicasOptions } from '../src/studies/sgd-scaling/replicas.js';
import { existsSync } from 'node:fs';

const OUT = 'results/sgd-scaling';
const w = process.argv.indexOf('--workers');
const workers = w > 0 ? process.argv[w + 1] : '2';
const common = ['study', 'sgd-scaling', '--out-dir', OUT, '--workers', workers];
const PARTS: Record<string, string[]> = {
  'const-sqrt': ['--scalings', 'const,sqrt', '--cs', '0.5,2', '--Ns', '100,200,400,800,1600', '--seeds', '8', '--max-steps', '2e9'],
  inv: ['--scalings', 'inv', '--cs', '2', '--Ns', '100,200,400,800,1600', '--seeds', '8', '--max-steps', '2e9'],
  'inv-small': ['--scalings', 'inv', '--cs', '0.5', '--Ns', '100,200,400', '--seeds', '8', '--max-steps', '2e9'],
  replicas: ['--configs', '4x4,5x4', '--scalings', 'inv', '--cs', '2', '--Ns', '100,200,400', '--seeds', '4', '--replicas', '8', '--max-steps', '2e9', '--out-dir', join(OUT, 'replicas')],
  'replicas-800': ['--configs', '5x4', '--scalings', 'inv', '--cs', '2', '--Ns', '800', '--seeds', '4', '--replicas', '8', '--max-steps', '2e9', '--out-dir', join(OUT, 'replicas')],
  'inv-3200': ['--configs', '4x4', '--scalings', 'inv', '--cs', '2', '--Ns', '3200', '--seeds', '4', '--max-steps', '2e9'],
};
// the replicas parts' options as the command line gives them (for the report below; N = 800 is at 5×4 only)
const REPLICAS: SgdReplicasOptions = {
  ...SGD_SCALING_DEFAULTS, activation: 'relu', alpha: 0.01, backend: 'wasm', workers: Number(workers), maxSteps: 2e9,
  configs: [[4, 4], [5, 4]], scalings: ['inv'], cs: [2], Ns: [100, 200, 400, 800], seeds: 4, replicas: 8,
  outDir: join(OUT, 'replicas'), command: 'study sgd-scaling',
};
const given = process.argv.slice(2).filter((a, i, all) => a !== '--workers' && all[i - 1] !== '--workers');
const parts = given.length ? given : ['const-sqrt', 'inv-small', 'inv'];
for (const p of parts) {
  if (p === 'report') continue;
  if (!PARTS[p]) throw new Error(`unknown part "${p}" (${[...Object.keys(PARTS), 'report'].join(', ')})`);
  console.log(`== part ${p}`);
  await main(['node', 'scmv', ...common, ...PARTS[p]]);
}

// coverage of the plan, and the report with it
const flag = (args: string[], name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const have = new Map<string, number>();
for (const r of readRuns(join(OUT, 'runs.csv'))) {
  const k = `${r.K}|${r.M}|${r.scaling}|${Number(r.c)}|${r.N}`;
  have.set(k, (have.get(k) ?? 0) + 1);
}
const coverage: (string | number)[][] = [];
for (const [part, args] of Object.entries(PARTS)) {
  if (part.startsWith('replicas')) continue;
  const configs = flag(args, '--configs', '4x4,5x4').split(',').map((x) => x.split('x').map(Number));
  for (const [K, M] of configs)
    for (const scaling of flag(args, '--scalings', '').split(',') as Scaling[])
      for (const c of flag(args, '--cs', '').split(',').map(Number))
        for (const N of flag(args, '--Ns', '').split(',').map(Number)) {
          const planned = Number(flag(args, '--seeds', '8'));
          const present = Math.min(planned, have.get(`${K}|${M}|${scaling}|${c}|${N}`) ?? 0);
          coverage.push([K, M, scaling, c, N, planned, present, planned - present]);
        }
}
writeCsv(join(OUT, 'coverage.csv'), ['K', 'M', 'scaling', 'c', 'N', 'seeds_planned', 'seeds_present', 'seeds_missing'], coverage);
const missing = coverage.filter((r) => Number(r[7]) > 0).map((r) => `K=${r[0]} M=${r[1]} ${r[2]} c=${r[3]} N=${r[4]}: ${r[7]} of ${r[5]} seeds`);
console.log(missing.length ? `missing:\n  ${missing.join('\n  ')}` : 'every planned run is present');
await writeSgdScalingReport(
  { ...SGD_SCALING_DEFAULTS, activation: 'relu', alpha: 0.01, backend: 'wasm', workers: Number(workers), seeds: 8, cs: [0.5, 2], maxSteps: 2e9, command: 'experiments/sgd-scaling.ts' },
  { planned_runs: coverage.reduce((a, r) => a + Number(r[5]), 0), missing_runs: coverage.reduce((a, r) => a + Number(r[7]), 0), missing },
);
if (existsSync(join(REPLICAS.outDir, 'replicas.csv'))) await writeSgdReplicasReport(REPLICAS);
