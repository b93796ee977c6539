// Loss levels of the fixed-point families (docs/theory.md §6) for K = M = 2..Kmax and K = M + 1 for
// M = 2..Mmax: every family n = 1..M−1 with a real (PSD) solution whose full RHS max-norm is
// ≤ 1e-10, all branches, with the weight-space Hessian's two smallest eigenvalues. Solutions at
// K−1 seed the search at K (continuation). Rewrites results/levels.csv after every K.
// Usage: npx tsx experiments/levels.ts [KmaxEqual=20] [MmaxPlusOne=12] [out=results/levels.csv]
// (KmaxEqual = 1 skips K = M; MmaxPlusOne = 1 skips K = M + 1.)
import { getActivation } from '../src/activations/index.js';
import { writeCsv, type Cell } from '../src/io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../src/io/manifest.js';
import { familyLevels, levelCells, LEVEL_COLUMNS } from '../src/theory/levels.js';

const KmaxEqual = Number(process.argv[2] ?? 20);
const MmaxPlus = Number(process.argv[3] ?? 12);
const out = process.argv[4] ?? 'results/levels.csv';
const act = getActivation('relu', 0);
const manifest = makeManifest('experiments/levels', { KmaxEqual, MmaxPlus, out, activation: 'relu', hessianDim: 'K+M+1' });
const rows: Cell[][] = [];
const flush = () => {
  writeCsv(out, LEVEL_COLUMNS, rows);
  writeManifest(manifestPath(out), { ...manifest, rows: rows.length });
};
for (const extra of [0, 1]) {
  let previous = new Map<number, Record<string, number>[]>();
  for (let M = 2; M <= (extra ? MmaxPlus : KmaxEqual); M++) {
    const K = M + extra;
    const t0 = Date.now();
    const next = new Map<number, Record<string, number>[]>();
    for (let n = 1; n < M; n++) {
      const found = familyLevels(act, K, M, n, [...(previous.get(n) ?? []), ...(previous.get(n - 1) ?? []).slice(0, 2)]);
      next.set(n, found.map((r) => r.point.params));
      for (const r of found) rows.push(levelCells(r));
      console.error(`K=${K} M=${M} n=${n}: ${found.map((r) => `${r.point.loss.toExponential(8)}${r.stable ? '*' : ''}`).join(' ')}`);
    }
    previous = next;
    flush();
    console.error(`K=${K} M=${M} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}
