// Stability of the family fixed points (SPEC §6, paper Appendix D): for K = M the lowest stable
// branch of each family n (or branch 0 if none is Hessian-stable) is perturbed in N = K + M + 1
// dimensions; for K = M + 1 both (a) that K = M point embedded with one zero unit ("embed", the
// paper's construction) and (b) the K = M + 1 ansatz solutions of family n ("ansatz": the lowest
// branch and every Hessian-stable branch). Each is perturbed `seeds` times (W → W + δZ) and
// relaxed by the ODE. Writes results/levels-stability.csv (one row per point) and
// results/levels-stability-runs.csv (one row per perturbation), with manifests.
// Usage: npx tsx experiments/levels-stability.ts [Ms=8,10,12] [seeds=4] [delta=1e-3] [tauMax=1e5]
import { getActivation } from '../src/activations/index.js';
import { familyLevels, type LevelRow } from '../src/commands/levels.js';
import { embedWithZeroUnits, perturbationTest } from '../src/theory/stability.js';
import { identity } from '../src/theory/overlaps.js';
import { writeCsv, type Cell } from '../src/io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../src/io/manifest.js';

const Ms = (process.argv[2] ?? '8,10,12').split(',').map(Number);
const seeds = Number(process.argv[3] ?? 4);
const delta = Number(process.argv[4] ?? 1e-3);
const tauMax = Number(process.argv[5] ?? 1e5);
const act = getActivation('relu', 0);
const out = 'results/levels-stability.csv';
const outRuns = 'results/levels-stability-runs.csv';
const manifest = makeManifest('experiments/levels-stability', { Ms, seeds, delta, tauMax, N: 'K+M+1', seed: 1 });
const header = ['K', 'M', 'n', 'source', 'branch', 'level', 'min_eig', 'hessian_stable', 'delta', 'seeds', 'mean_gap', 'sd_gap', 'returned', 'end_states'];
const runHeader = ['K', 'M', 'n', 'source', 'branch', 'level', 'replica', 'loss0', 'final_loss', 'gap', 'rhs_norm', 'tau', 'reason', 'cls', 'family_n', 'dropped_units'];
const rows: Cell[][] = [];
const runRows: Cell[][] = [];

function test(K: number, M: number, n: number, source: string, r: LevelRow, Q: Float64Array, R: Float64Array): void {
  const res = perturbationTest(act, K, M, Q, R, identity(M), r.point.loss, { N: K + M + 1, delta, seeds, seed: 1, tauMax });
  const ends = new Map<string, number>();
  for (const run of res.runs) {
    const key = run.cls === 'local' ? `local${run.familyN}` : run.cls;
    ends.set(key, (ends.get(key) ?? 0) + 1);
    runRows.push([K, M, n, source, r.branch, r.point.loss, run.replica, run.loss0, run.finalLoss, run.gap, run.rhsNorm, run.tau, run.reason, run.cls, run.familyN, run.dropped]);
  }
  const endStates = [...ends].map(([k, v]) => `${k}:${v}`).join(';');
  const hess = source === 'embed' ? NaN : r.minEig;
  rows.push([K, M, n, source, r.branch, r.point.loss, hess, source === 'embed' ? '' : r.stable ? 1 : 0, delta, seeds, res.meanGap, res.sdGap, res.returned, endStates]);
  console.error(`K=${K} M=${M} n=${n} ${source} b${r.branch} level=${r.point.loss.toExponential(8)} minEig=${hess.toExponential(2)} gap=${res.meanGap.toExponential(2)}±${res.sdGap.toExponential(1)} returned=${res.returned}/${seeds} ${endStates}`);
  writeCsv(out, header, rows);
  writeCsv(outRuns, runHeader, runRows);
}

for (const M of Ms) {
  for (let n = 1; n < M; n++) {
    const eq = familyLevels(act, M, M, n);
    const pick = eq.find((r) => r.stable) ?? eq[0];
    if (pick) {
      test(M, M, n, 'ansatz', pick, pick.point.Q, pick.point.R);
      const e = embedWithZeroUnits(M, M, pick.point.Q, pick.point.R, 1);
      test(M + 1, M, n, 'embed', pick, e.Q, e.R);
    }
    const plus = familyLevels(act, M + 1, M, n);
    for (const r of plus) if (r.branch === 0 || r.stable) test(M + 1, M, n, 'ansatz', r, r.point.Q, r.point.R);
  }
}
writeManifest(manifestPath(out), { ...manifest, rows: rows.length });
writeManifest(manifestPath(outRuns), { ...manifest, rows: runRows.length });
