// bench/sgd-flow.ts — cost of the SGD ODE (docs/theory.md §4.2) relative to the gradient flow (docs/theory.md §3):
// RHS evaluations per second of makeFlow and makeSgdFlow (ReLU, Φ via I4) at K = M = 4 and 8,
// and seconds per K = M = 4 trajectory to τ = 100 (Dormand–Prince, rtol 1e-7), medians of repeats
// (at most 2 for the trajectory).
// Run: npx tsx bench/sgd-flow.ts [--repeats 3]
import { getActivation } from '../src/activations/index.js';
import { gaussianInit } from '../src/theory/init.js';
import { makeFlow } from '../src/theory/flow.js';
import { makeSgdFlow } from '../src/theory/sgd-flow.js';
import { runTrajectory } from '../src/ode/trajectory.js';
import { createRng } from '../src/random/rng.js';
import { median } from './stats.js';
import { packState } from '../src/theory/overlaps.js';
import { flowSystem } from '../src/ode/compare.js';

const i = process.argv.indexOf('--repeats');
const repeats = i > 0 ? Number(process.argv[i + 1]) : 3;
const act = getActivation('relu');

for (const K of [4, 8]) {
  const init = gaussianInit(K, K, 100, createRng(1, 'bench-sgd-flow', K));
  const dQ = new Float64Array(K * K), dR = new Float64Array(K * K);
  const rate = (f: ReturnType<typeof makeFlow>, n: number) => {
    const rates: number[] = [];
    for (let r = 0; r < repeats + 1; r++) {
      const t0 = performance.now();
      for (let j = 0; j < n; j++) f(init.Q, init.R, dQ, dR);
      if (r > 0) rates.push(n / ((performance.now() - t0) / 1000));
    }
    return median(rates);
  };
  const gf = rate(makeFlow(act, K, K, init.T), 2000);
  const sgd = rate(makeSgdFlow(act, K, K, init.T, 0.1), K === 4 ? 200 : 20);
  console.log(`K = M = ${K}: RHS/s gradient flow ${gf.toFixed(0)}, SGD ODE ${sgd.toFixed(1)}, ratio ${(gf / sgd).toFixed(0)}x`);
}

const K = 4;
const init = gaussianInit(K, K, 100, createRng(2, 'bench-sgd-flow-traj'));
const times: number[] = [];
let evals = 0;
for (let r = 0; r < Math.min(repeats, 2); r++) {
  const t0 = performance.now();
  const tr = runTrajectory(flowSystem(makeSgdFlow(act, K, K, init.T, 0.1), K, K), packState(init), { method: 'dopri5', tauMax: 100, tol: 0, rtol: 1e-7, atol: 1e-9, recordsPerDecade: 0 });
  times.push((performance.now() - t0) / 1000);
  evals = tr.rhsEvals;
}
console.log(`K = M = 4 SGD-ODE trajectory to τ = 100 (η = 0.1): ${median(times).toFixed(2)} s (${evals} RHS evaluations)`);
