// Result 1 at full size: population GD on explicit weights (RK4 on W, Δτ = 0.01) against the
// ODE from the same measured (Q0, R0, T), τ ≤ 200, N = 50, 500, 5000, K = M = 4 ReLU.
// Writes results/train/gd-vs-ode.csv (one row per run) and gd-vs-ode-trajectories.csv.
// Run: npx tsx experiments/train-gd-vs-ode.ts
import { writeCsv } from '../src/io/csv.js';
import { makeManifest, writeManifest } from '../src/io/manifest.js';
import { deviations, runTrain, type TrainOptions } from '../src/runs/train.js';

const Ns = [50, 500, 5000];
const seeds = [1, 2];
const rows: (string | number)[][] = [];
const traj: (string | number)[][] = [];
const t0 = performance.now();
for (const N of Ns) {
  const opts: TrainOptions = {
    K: 4, M: 4, N, algorithm: 'gd', lr: 1, dtau: 0.01, gdMethod: 'rk4', tauMax: 200, recordEvery: 100, teacher: 'gaussian',
    activation: 'relu', alpha: 0, seed: 0, replicas: 1, workers: 1, backend: 'js', compareOde: true,
  };
  for (const seed of seeds) {
    const t = performance.now();
    const [res] = await runTrain({ ...opts, seed });
    const d = res.records.map(deviations);
    const max = (f: (x: (typeof d)[number]) => number) => Math.max(...d.map(f));
    const last = res.records[res.records.length - 1];
    const row = [N, seed, opts.dtau, opts.tauMax, res.records[0].loss, last.loss, last.ode!.loss, max((x) => x.lossErr), max((x) => x.qErr), max((x) => x.rErr), (performance.now() - t) / 1000];
    rows.push(row);
    for (const [i, r] of res.records.entries()) traj.push([N, seed, r.step, r.tau, r.loss, r.ode!.loss, d[i].lossErr, d[i].qErr, d[i].rErr]);
    console.log(row.map((v) => (typeof v === 'number' ? v.toPrecision(4) : v)).join('  '));
  }
}
writeCsv('results/train/gd-vs-ode.csv', ['N', 'seed', 'dtau', 'tau_max', 'loss0', 'final_loss', 'ode_final_loss', 'max_loss_abs_err', 'max_Q_err', 'max_R_err', 'seconds'], rows);
writeCsv('results/train/gd-vs-ode-trajectories.csv', ['N', 'seed', 'step', 'tau', 'loss', 'ode_loss', 'loss_abs_err', 'Q_max_err', 'R_max_err'], traj);
writeManifest('results/train/gd-vs-ode.manifest.json', makeManifest('experiments/train-gd-vs-ode.ts', { Ns, seeds, K: 4, M: 4, dtau: 0.01, tauMax: 200, method: 'rk4' }, { seconds: (performance.now() - t0) / 1000 }));
