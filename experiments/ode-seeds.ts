// experiments/ode-seeds.ts — where `scmv ode --K 8 --M 8 --seed s` ends, for s = 1..40:
// the final loss, RHS max-norm and stop reason (the seeds quoted in the README).
// Run: npx tsx experiments/ode-seeds.ts [--K 8] [--M 8] [--seeds 40]
import { getActivation } from '../src/activations/index.js';
import { gaussianInit } from '../src/theory/init.js';
import { runTrajectory } from '../src/ode/trajectory.js';
import { createRng } from '../src/random/rng.js';
import { writeCsv } from '../src/io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../src/io/manifest.js';
import { makeAlgorithmFlow } from '../src/theory/algorithms.js';
import { packState } from '../src/theory/overlaps.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const K = arg('K', 8), M = arg('M', 8), seeds = arg('seeds', 40);
const act = getActivation('relu');
const rows: (string | number)[][] = [];
for (let seed = 1; seed <= seeds; seed++) {
  // same initial condition and defaults as `scmv ode --seed <seed>`
  const init = gaussianInit(K, M, M, createRng(seed, 'ode-init'));
  const tr = runTrajectory(makeAlgorithmFlow('gd', act, K, M, init.T), packState(init), { method: 'dopri5', tauMax: 5000, tol: 1e-10, dt: 0.05, recordsPerDecade: 0 });
  const kind = tr.loss < 1e-8 ? 'global' : tr.rhsNorm < 1e-10 ? 'spurious' : 'not-converged';
  rows.push([seed, K, M, tr.loss, tr.rhsNorm, tr.tau, tr.reason, kind]);
}
const out = `results/ode-seeds/K${K}M${M}.csv`;
writeCsv(out, ['seed', 'K', 'M', 'final_loss', 'rhs_norm', 'tau_end', 'reason', 'kind'], rows);
writeManifest(manifestPath(out), makeManifest('experiments/ode-seeds.ts', { K, M, seeds, tauMax: 5000, tol: 1e-10 }));
for (const r of rows) console.log(r.join('\t'));
