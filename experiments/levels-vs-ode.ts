// Compares the infinite-N loss levels of the fixed-point families (docs/theory.md §6) with the final
// losses of `scmv ode` runs (same initialisation and defaults as the CLI: d = M, dopri5,
// tau-max 5000, tol 1e-10) that end at a local minimum. Each end state is also polished by
// Newton on the full system. Writes results/levels-vs-ode.csv (+ manifest).
// Usage: npx tsx experiments/levels-vs-ode.ts [seeds=150] [K list=8,10]
import { getActivation } from '../src/activations/index.js';
import { gaussianInit } from '../src/theory/init.js';
import { runTrajectory } from '../src/ode/trajectory.js';
import { createRng } from '../src/random/rng.js';
import { classify } from '../src/theory/classify.js';
import { polishFixedPoint, solveFamily, type FixedPoint } from '../src/theory/fixed-points.js';
import { writeCsv } from '../src/io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../src/io/manifest.js';
import { makeAlgorithmFlow } from '../src/theory/algorithms.js';
import { packState } from '../src/theory/overlaps.js';

const seeds = Number(process.argv[2] ?? 150);
const Ks = (process.argv[3] ?? '8,10').split(',').map(Number);
const out = 'results/levels-vs-ode.csv';
const act = getActivation('relu', 0);
const header = ['K', 'M', 'seed', 'cls', 'n', 'ode_loss', 'ode_rhs_norm', 'level', 'level_branch', 'diff', 'polished_loss', 'polished_rhs_norm', 'matched'];
const rows: (string | number | boolean)[][] = [];
const manifest = makeManifest('experiments/levels-vs-ode', { seeds, Ks, tauMax: 5000, tol: 1e-10, initDim: 'M' });
for (const K of Ks) {
  const M = K;
  const levels = new Map<number, FixedPoint[]>();
  for (let n = 1; n < M; n++) levels.set(n, solveFamily(act, K, M, n).filter((s) => s.familyN === n));
  for (let seed = 1; seed <= seeds; seed++) {
    const init = gaussianInit(K, M, M, createRng(seed, 'ode-init'));
    const tr = runTrajectory(makeAlgorithmFlow('gd', act, init.K, init.M, init.T), packState(init), { method: 'dopri5', tauMax: 5000, tol: 1e-10, recordsPerDecade: 0 });
    const c = classify(K, M, tr.Q, tr.R, tr.loss, tr.rhsNorm);
    if (c.cls !== 'local') continue;
    const cands = levels.get(c.familyN) ?? [];
    let best = -1;
    cands.forEach((s, i) => { if (best < 0 || Math.abs(s.loss - tr.loss) < Math.abs(cands[best].loss - tr.loss)) best = i; });
    const level = best >= 0 ? cands[best].loss : NaN;
    const pol = polishFixedPoint(act, K, M, tr.Q, tr.R, init.T);
    const diff = tr.loss - level;
    rows.push([K, M, seed, c.cls, c.familyN, tr.loss, tr.rhsNorm, level, best, diff, pol.loss, pol.rhsNorm, Math.abs(diff) <= 1e-6 ? 1 : 0]);
    console.error(`K=${K} seed=${seed} n=${c.familyN} ode=${tr.loss.toExponential(10)} level=${level.toExponential(10)} diff=${diff.toExponential(2)} polished=${pol.loss.toExponential(10)} (${pol.rhsNorm.toExponential(1)})`);
  }
}
writeCsv(out, header, rows);
writeManifest(manifestPath(out), { ...manifest, rows: rows.length });
