// Stability of the family fixed points (docs/theory.md §6, paper Appendix D): for K = M the lowest stable
// branch of each family n (or branch 0 if none is Hessian-stable) is perturbed in N = K + M + 1
// dimensions; for K = M + 1 both (a) that K = M point embedded with one zero unit ("embed", the
// paper's construction) and (b) the K = M + 1 ansatz solutions of family n ("ansatz": the lowest
// branch and every Hessian-stable branch). Each is perturbed `seeds` times (W → W + δZ) and
// relaxed by the ODE. Writes results/levels-stability.csv (one row per point) and
// results/levels-stability-runs.csv (one row per perturbation), with manifests.
// Usage: npx tsx experiments/levels-stability.ts [Ms=8,10,12] [seeds=4] [delta=1e-3] [tauMax=1e5] [tag]
// With a tag, outputs go to results/levels-stability-<tag>.csv and the fixed points are read from
// results/levels*.csv (ansatz parameters → (Q, R), polished on the full system) instead of re-solved.
import { getActivation } from '../src/activations/index.js';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { expandAnsatz, familyGrouping, makeAnsatz } from '../src/theory/ansatz.js';
import { polishFixedPoint } from '../src/theory/fixed-points.js';
import { classify } from '../src/theory/classify.js';
import { writeCsv, type Cell } from '../src/io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../src/io/manifest.js';
import { embedWithZeroUnits, perturbationTest } from '../src/ode/perturbation.js';
import { identity } from '../src/linalg/vector.js';
import { familyLevels, type LevelRow } from '../src/theory/levels.js';

const Ms = (process.argv[2] ?? '8,10,12').split(',').map(Number);
const seeds = Number(process.argv[3] ?? 4);
const delta = Number(process.argv[4] ?? 1e-3);
const tauMax = Number(process.argv[5] ?? 1e5);
const act = getActivation('relu', 0);
const tag = process.argv[6];
const out = tag ? `results/levels-stability-${tag}.csv` : 'results/levels-stability.csv';
const outRuns = tag ? `results/levels-stability-runs-${tag}.csv` : 'results/levels-stability-runs.csv';
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

const csvRows: Record<string, string>[] = [];
if (tag) for (const f of ['results/levels.csv', 'results/levels-equal.csv', 'results/levels-plus1.csv'])
  if (existsSync(f)) csvRows.push(...(parse(readFileSync(f, 'utf8'), { columns: true }) as Record<string, string>[]));

/** Family-n fixed points from the levels CSVs: (Q, R) rebuilt from the ansatz parameters and polished. */
function fromCsv(K: number, M: number, n: number): LevelRow[] {
  const seen = new Set<string>();
  const a = makeAnsatz(familyGrouping(K, M, n));
  const T = identity(M);
  const out: LevelRow[] = [];
  for (const r of csvRows) {
    if (Number(r.K) !== K || Number(r.M) !== M || Number(r.n) !== n || seen.has(r.branch)) continue;
    seen.add(r.branch);
    const p = a.names.map((nm) => Number(r[nm]));
    const Q0 = new Float64Array(K * K);
    const R0 = new Float64Array(K * M);
    expandAnsatz(a, p, Q0, R0);
    const pol = polishFixedPoint(act, K, M, Q0, R0, T);
    if (!pol.ok || Math.abs(pol.loss - Number(r.loss)) > 1e-9) throw new Error(`K=${K} M=${M} n=${n} branch ${r.branch}: CSV point does not polish back`);
    const c = classify(K, M, pol.Q, pol.R, pol.loss, pol.rhsNorm);
    out.push({
      point: { K, M, n, familyN: c.familyN, loss: pol.loss, rhsNorm: pol.rhsNorm, params: {}, Q: pol.Q, R: pol.R, psd: true },
      branch: Number(r.branch), minEig: Number(r.min_eig), eig2: Number(r.eig2), stable: r.stable === '1',
    });
  }
  return out.sort((x, y) => x.branch - y.branch);
}
const levelsOf = (K: number, M: number, n: number) => (tag ? fromCsv(K, M, n) : familyLevels(act, K, M, n));

// Optional env NS=1,2,3 restricts the families tested.
const nList = process.env.NS ? process.env.NS.split(',').map(Number) : null;
for (const M of Ms) {
  for (let n = 1; n < M; n++) {
    if (nList && !nList.includes(n)) continue;
    const eq = levelsOf(M, M, n);
    const pick = eq.find((r) => r.stable) ?? eq[0];
    if (pick) {
      test(M, M, n, 'ansatz', pick, pick.point.Q, pick.point.R);
      const e = embedWithZeroUnits(M, M, pick.point.Q, pick.point.R, 1);
      test(M + 1, M, n, 'embed', pick, e.Q, e.R);
    }
    const plus = levelsOf(M + 1, M, n);
    for (const r of plus) if (r.branch === 0 || r.stable) test(M + 1, M, n, 'ansatz', r, r.point.Q, r.point.R);
  }
}
writeManifest(manifestPath(out), { ...manifest, rows: rows.length });
writeManifest(manifestPath(outRuns), { ...manifest, rows: runRows.length });
