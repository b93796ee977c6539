// experiments/sgd-scaling.ts — the runs behind results/sgd-scaling (study 2: does online SGD
// follow gradient flow when η ~ 1/N?). Each part is one `scmv study sgd-scaling` invocation
// into the same --out-dir; runs.csv is keyed by (K, M, N, seed, scaling, c), so every part
// resumes, and the report (summary, fits, figures, manifest) is rewritten from all rows.
//   part const-sqrt  η = c and c/√N, c ∈ {0.5, 2}, N = 100 … 1600, 8 seeds, K×M = 4×4 and 5×4
//   part inv         η = c/N, c = 2, N = 100 … 1600, 8 seeds, both widths (every part caps runs at 2e9 steps)
//   part inv-small   η = c/N, c = 0.5, N = 100 … 400, 8 seeds, both widths
//   part inv-3200    η = c/N, c = 2, N = 3200, 4 seeds, K = M = 4 (≈ 2 h per run on one core)
// Usage: nice npx tsx experiments/sgd-scaling.ts [part …]   (no part: the first three, then report)
import { main } from '../src/cli/main.js';

const common = ['study', 'sgd-scaling', '--out-dir', 'results/sgd-scaling', '--workers', '2'];
const PARTS: Record<string, string[]> = {
  'const-sqrt': ['--scalings', 'const,sqrt', '--cs', '0.5,2', '--Ns', '100,200,400,800,1600', '--seeds', '8', '--max-steps', '2e9'],
  inv: ['--scalings', 'inv', '--cs', '2', '--Ns', '100,200,400,800,1600', '--seeds', '8', '--max-steps', '2e9'],
  'inv-small': ['--scalings', 'inv', '--cs', '0.5', '--Ns', '100,200,400', '--seeds', '8', '--max-steps', '2e9'],
  'inv-3200': ['--configs', '4x4', '--scalings', 'inv', '--cs', '2', '--Ns', '3200', '--seeds', '4', '--max-steps', '2e9'],
};
const parts = process.argv.slice(2).length ? process.argv.slice(2) : ['const-sqrt', 'inv-small', 'inv'];
for (const p of parts) {
  if (!PARTS[p]) throw new Error(`unknown part "${p}" (${Object.keys(PARTS).join(', ')})`);
  console.log(`== part ${p}`);
  await main(['node', 'scmv', ...common, ...PARTS[p]]);
}
