// experiments/optimisers-finite-n.ts — explicit-weight training at finite N for nGD, onGD and
// 2L-GD (population: projected RK4 + retraction; online: projected SGD + retraction) against the
// algorithm's ODE started from the network's measured (Q0, R0, T, v0): the same check as
// Result 1 for GD. One replica per (algorithm, N), ReLU, K = M = 4, Gaussian teacher.
// Writes results/optimisers/finite-n.csv (one row per run: max deviations over the records).
// Run: nice npx tsx experiments/optimisers-finite-n.ts [--quick]
import { trainJob, type TrainOptions } from '../src/runs/train.js';
import { writeCsv, type Cell } from '../src/io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../src/io/manifest.js';

const quick = process.argv.includes('--quick');
const K = 4;
const M = 4;
const base: Omit<TrainOptions, 'algorithm' | 'N'> = {
  K, M, lr: 0.1, dtau: 0.05, gdMethod: 'rk4', tauMax: quick ? 5 : 10, teacher: 'gaussian', activation: 'relu', alpha: 0,
  seed: 1, replicas: 1, workers: 1, backend: 'js', compareOde: true, kappa: 1, retraction: 'qr',
};
const POP_N = quick ? [50] : [50, 500];
const ONLINE_N = quick ? [100] : [200, 800];
const LRS = quick ? [0.1] : [0.1, 0.025];
const jobs: Array<{ algorithm: TrainOptions['algorithm']; N: number; lr: number; retraction: 'qr' | 'polar' }> = [];
for (const a of ['ngd', 'ongd', '2l'] as const) for (const N of POP_N) jobs.push({ algorithm: a, N, lr: 0, retraction: 'qr' });
jobs.push({ algorithm: 'ongd', N: POP_N[0], lr: 0, retraction: 'polar' });
for (const a of ['ngd-sgd', 'ongd-sgd', '2l-sgd'] as const) for (const N of ONLINE_N) for (const lr of LRS) jobs.push({ algorithm: a, N, lr, retraction: 'qr' });

const rows: Cell[][] = [];
const started = makeManifest('experiments/optimisers-finite-n.ts', { ...base, POP_N, ONLINE_N, LRS, quick });
for (const j of jobs) {
  const opts: TrainOptions = { ...base, algorithm: j.algorithm, N: j.N, lr: j.lr || base.lr, retraction: j.retraction };
  const t0 = performance.now();
  const [res] = await trainJob({ opts, replicas: [0] });
  let lossErr = 0;
  let qErr = 0;
  let rErr = 0;
  let vErr = 0;
  for (const r of res.records) {
    if (!r.ode) continue;
    lossErr = Math.max(lossErr, Math.abs(r.loss - r.ode.loss));
    for (let i = 0; i < r.Q.length; i++) qErr = Math.max(qErr, Math.abs(r.Q[i] - r.ode.Q[i]));
    for (let i = 0; i < r.R.length; i++) rErr = Math.max(rErr, Math.abs(r.R[i] - r.ode.R[i]));
    if (r.v && r.ode.v) for (let i = 0; i < r.v.length; i++) vErr = Math.max(vErr, Math.abs(r.v[i] - r.ode.v[i]));
  }
  const first = res.records[0];
  const last = res.records[res.records.length - 1];
  const online = j.algorithm.endsWith('-sgd');
  rows.push([j.algorithm, online ? 'online' : 'population', j.N, online ? opts.lr : '', online ? '' : opts.dtau, j.retraction, opts.tauMax,
    res.records.length, first.loss, last.loss, last.ode?.loss ?? NaN, Math.abs(last.loss - (last.ode?.loss ?? NaN)), lossErr, qErr, rErr, j.algorithm.startsWith('2l') ? vErr : '', res.diverged]);
  console.log(`${j.algorithm} N=${j.N}${online ? ` η=${opts.lr}` : ` Δτ=${opts.dtau}`}${j.algorithm.startsWith('ongd') ? ` ${j.retraction}` : ''}: loss ${first.loss.toFixed(4)} → ${last.loss.toExponential(3)} (ODE ${last.ode?.loss.toExponential(3)}), max |Δε| ${lossErr.toExponential(2)}, |ΔQ| ${qErr.toExponential(2)}, |ΔR| ${rErr.toExponential(2)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
const path = `results/optimisers/${quick ? 'quick/' : ''}finite-n.csv`;
writeCsv(path, ['algorithm', 'mode', 'N', 'lr', 'dtau', 'retraction', 'tau_max', 'records', 'loss_start', 'loss_end', 'ode_loss_end', 'loss_end_abs_err',
  'max_loss_abs_err', 'max_Q_err', 'max_R_err', 'max_v_err', 'diverged'], rows);
writeManifest(manifestPath(path), { ...started, finished: new Date().toISOString() });
console.log(`wrote ${path}`);
