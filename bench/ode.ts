// bench/ode.ts — RHS evaluations per second and seconds per trajectory at K = M = 10:
// adaptive Dormand–Prince 5(4) against fixed-step RK4 (dt = 0.05), same initial conditions.
// Run: npx tsx bench/ode.ts [--seeds 5] [--repeats 3]
import { getActivation } from '../src/activations/index.js';
import { gaussianInit } from '../src/theory/init.js';
import { makeFlow } from '../src/theory/flow.js';
import { runTrajectory } from '../src/ode/trajectory.js';
import { createRng } from '../src/random/rng.js';
import { median } from './stats.js';
import { makeAlgorithmFlow } from '../src/theory/algorithms.js';
import { packState } from '../src/theory/overlaps.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const K = 10, M = 10;
const seeds = arg('seeds', 5), repeats = arg('repeats', 3);
const act = getActivation('relu');
const inits = Array.from({ length: seeds }, (_, s) => gaussianInit(K, M, M, createRng(s + 1, 'ode-init')));

// 1. Raw RHS throughput.
const flow = makeFlow(act, K, M, inits[0].T);
const dQ = new Float64Array(K * K), dR = new Float64Array(K * M);
const evalRates: number[] = [];
for (let r = 0; r < repeats + 1; r++) {
  const n = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) flow(inits[0].Q, inits[0].R, dQ, dR);
  if (r > 0) evalRates.push(n / ((performance.now() - t0) / 1000)); // first pass is warm-up
}

// 2. Whole trajectories to max|RHS| < 1e-10 or τ = 5000.
const tauMax = 5000, tol = 1e-10;
function timeAll(method: 'dopri5' | 'rk4') {
  const times: number[] = [];
  let evals = 0;
  const losses: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    evals = 0;
    losses.length = 0;
    for (const init of inits) {
      const tr = runTrajectory(makeAlgorithmFlow('gd', act, init.K, init.M, init.T), packState(init), { method, dt: 0.05, tauMax, tol, recordsPerDecade: 0 });
      evals += tr.rhsEvals;
      losses.push(tr.loss);
    }
    times.push((performance.now() - t0) / 1000 / inits.length);
  }
  return { secPerTraj: median(times), evalsPerTraj: evals / inits.length, losses };
}
timeAll('dopri5'); // warm-up
const ad = timeAll('dopri5');
const rk = timeAll('rk4');
const agree = ad.losses.every((l, i) => Math.abs(l - rk.losses[i]) < 1e-6);

console.log(`K = M = ${K}, ${seeds} seeds, median of ${repeats} repeats, node ${process.version}`);
console.log(`RHS evaluations per second (gradient form): ${median(evalRates).toFixed(0)}`);
console.log(`dopri5 (rtol 1e-9): ${ad.secPerTraj.toFixed(3)} s/trajectory, ${ad.evalsPerTraj.toFixed(0)} RHS evals/trajectory`);
console.log(`rk4 dt=0.05:        ${rk.secPerTraj.toFixed(3)} s/trajectory, ${rk.evalsPerTraj.toFixed(0)} RHS evals/trajectory`);
console.log(`speed-up dopri5 / rk4: ${(rk.secPerTraj / ad.secPerTraj).toFixed(2)}×; final losses agree to 1e-6: ${agree}`);
console.log(`final losses (dopri5): ${ad.losses.map((l) => l.toExponential(3)).join(', ')}`);
