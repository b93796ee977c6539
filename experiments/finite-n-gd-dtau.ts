// Explicit-weight population GD (RK4 on W) against the ODE from the same finite-N network
// (study finite-n, docs/theory.md §3, §4.1): the deviation shrinks with the step as Δτ⁴, so the
// 5e-5-level differences in results/finite-n/gd-vs-ode.csv (Δτ = 0.2) are time discretisation.
// Usage: npx tsx experiments/finite-n-gd-dtau.ts [N=64] [runs=3] [tau=20]
import { finiteNGdJob } from '../src/studies/finite-n/jobs.js';
import { writeCsv, type Cell } from '../src/io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../src/io/manifest.js';

const N = Number(process.argv[2] ?? 64);
const runs = Number(process.argv[3] ?? 3);
const tau = Number(process.argv[4] ?? 20);
const out = 'results/finite-n/gd-dtau.csv';
const manifest = makeManifest('experiments/finite-n-gd-dtau', { N, runs, tau, K: 8, M: 8, seed: 1 });
const rows: Cell[][] = [];
for (const teacher of ['orthonormal', 'gaussian'] as const) {
  for (let run = 0; run < runs; run++) {
    for (const dtau of [0.4, 0.2, 0.1, 0.05]) {
      const r = await finiteNGdJob({ K: 8, M: 8, N, teacher, seed: 1, run, tauMax: tau, dtau, activation: 'relu', alpha: 0 });
      rows.push([teacher, N, run, dtau, tau, r.max_loss_err, r.max_Q_err, r.max_R_err, r.final_loss_err]);
      console.error(`${teacher} run ${run} Δτ=${dtau}: max|Δε| ${r.max_loss_err.toExponential(2)} max|ΔQ| ${r.max_Q_err.toExponential(2)}`);
    }
  }
}
writeCsv(out, ['teacher', 'N', 'run', 'dtau', 'tau', 'max_loss_err', 'max_Q_err', 'max_R_err', 'final_loss_err'], rows);
writeManifest(manifestPath(out), { ...manifest, rows: rows.length });
