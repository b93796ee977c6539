// A finer version of `scmv validate` for fitting the SGD exponents: the max deviation of online
// SGD from the ODE vs N (η fixed) over N = 100 … 10000, and vs η (N = 1000) over η = 0.025 … 0.4,
// 4 seeds each, K = M = 4 ReLU, τ ≤ 2. Writes results/validate/scaling/ (same files as validate).
// With --ode gradient-flow the same SGD runs are compared with the gradient flow instead of the
// SGD ODE (writes results/validate/scaling-gradient-flow/).
// Run: npx tsx experiments/validate-scaling.ts [--workers 2] [--backend wasm|js] [--ode sgd-ode|gradient-flow]
import { availableParallelism } from 'node:os';
import { runValidate, VALIDATE_DEFAULTS, type ValidateOptions } from '../src/studies/validate/validate.js';
import { writeValidateReport } from '../src/studies/validate/report.js';
import type { BackendName } from '../src/network/backend.js';
import type { OdeKind } from '../src/runs/train.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const o: ValidateOptions = {
  ...VALIDATE_DEFAULTS,
  seeds: 4,
  Ns: [100, 300, 1000, 3000, 10000],
  gdTauMax: 2,
  sgdTauMax: 2,
  lrFixed: 0.1,
  lrSweep: [0.025, 0.05, 0.1, 0.2, 0.4],
  lrSweepNs: [1000],
  records: 100,
  backend: (arg('backend') ?? 'wasm') as BackendName,
  workers: Number(arg('workers') ?? Math.min(2, availableParallelism())),
  sgdOdeKind: arg('ode') as OdeKind | undefined,
};
const dir = arg('out-dir') ?? (o.sgdOdeKind === 'gradient-flow' ? 'results/validate/scaling-gradient-flow' : 'results/validate/scaling');
const t0 = performance.now();
let done = 0;
const results = await runValidate(o, (d, n) => {
  done = d;
  process.stderr.write(`\r${done}/${n} runs`);
});
const seconds = (performance.now() - t0) / 1000;
const report = await writeValidateReport(dir, o, results, { seconds, quick: false, cliOptions: { script: 'experiments/validate-scaling.ts', ...o } });
console.log(`\n${results.length} runs in ${seconds.toFixed(1)} s`);
for (const f of report.fits) console.log(`${f.algorithm} ${f.metric} vs ${f.variable} (${f.fixed}): slope ${f.slope.toFixed(3)} over ${f.points} points`);
