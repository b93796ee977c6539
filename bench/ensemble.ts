// Ensemble throughput (issue 5): trajectories per second at K = M = 8 and 10 on the same seeds,
// three ways, and run-for-run agreement of the classifications:
//  (a) reference: fixed-step RK4, dt = 0.05, until max|RHS| < tol or τ = 1500, classified at the end;
//  (b) the ensemble path (dopri5 + early global exit + Newton polishing) on 1 worker;
//  (c) the same on 2 workers (worker_threads through mapPool).
// Usage: npx tsx bench/ensemble.ts [--runs 200] [--sizes 8,10] [--skip-ref]
// Needs dist/ built (npx tsc -p tsconfig.build.json) for the worker threads.
import { loadavg } from 'node:os';
import { getActivation } from '../src/activations/index.js';
import { gaussianInit } from '../src/theory/init.js';
import { createRng } from '../src/random/rng.js';
import { makeFlow } from '../src/theory/flow.js';
import { integrate } from '../src/ode/integrate.js';
import { packState } from '../src/theory/overlaps.js';
import { classify, DEFAULT_CLASSIFY } from '../src/theory/classify.js';
import { runEnsemble, shardRuns, type EnsembleOptions, type RunRow } from '../src/runs/ensemble.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Number(arg('runs', '200'));
const SIZES = arg('sizes', '8,10').split(',').map(Number);
const SKIP_REF = args.includes('--skip-ref');
const TAU_MAX = 1500;
const TOL = 1e-7;
const SEED = 1;
const act = getActivation('relu', 0);

interface Outcome { cls: string; familyN: number; evals: number }

/** (a) RK4, dt = 0.05, stop rule max|RHS| < tol or τ = 1500. */
function referenceRun(K: number, M: number, run: number): Outcome {
  const init = gaussianInit(K, M, M, createRng(SEED, 'run', run));
  const flow = makeFlow(act, K, M, init.T);
  const nQ = K * K;
  const rhs = (_t: number, y: Float64Array, dy: Float64Array) => {
    flow(y.subarray(0, nQ), y.subarray(nQ), dy.subarray(0, nQ), dy.subarray(nQ));
  };
  const res = integrate(rhs, packState(init), { method: 'rk4', dt: 0.05, tauMax: TAU_MAX, tol: TOL });
  const Q = res.y.subarray(0, nQ);
  const R = res.y.subarray(nQ);
  const loss = flow(Q, R, new Float64Array(nQ), new Float64Array(K * M));
  const c = classify(K, M, Q, R, loss, res.rhsNorm, DEFAULT_CLASSIFY);
  return { cls: c.cls, familyN: c.familyN, evals: res.rhsEvals };
}

function options(K: number, M: number, workers: number): EnsembleOptions {
  return {
    K, M, runs: RUNS, seed: SEED, algorithm: 'gd', activation: 'relu', alpha: 0, initDim: M, workers,
    shard: { index: 0, count: 1 }, tol: TOL, tauMax: TAU_MAX, rtol: 1e-6, atol: 1e-9,
    epsGlobal: DEFAULT_CLASSIFY.epsGlobal, gTol: DEFAULT_CLASSIFY.gTol, vanishTol: DEFAULT_CLASSIFY.vanishTol,
    earlyGlobal: true, polishAt: 1e-4,
  };
}

const fmt = (x: number, d = 1) => x.toFixed(d);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
};
const counts = (xs: { cls: string; familyN: number }[]) => {
  const c: Record<string, number> = {};
  for (const x of xs) {
    const k = x.cls === 'local' ? `n=${x.familyN}` : x.cls;
    c[k] = (c[k] ?? 0) + 1;
  }
  return Object.entries(c).sort().map(([k, v]) => `${k}:${v}`).join(' ');
};

console.log(`bench/ensemble.ts: ${RUNS} seeds per size, seed ${SEED}, tol ${TOL}, τ_max ${TAU_MAX}, node ${process.version}`);
for (const K of SIZES) {
  const M = K;
  const runs = shardRuns(RUNS, { index: 0, count: 1 });
  let ref: Outcome[] | null = null;
  let tRef = NaN;
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  let cRef = NaN;
  if (!SKIP_REF) {
    const t0 = performance.now();
    const c0 = cpu();
    ref = runs.map((i) => referenceRun(K, M, i));
    tRef = (performance.now() - t0) / 1000;
    cRef = cpu() - c0;
  }
  const t1 = performance.now();
  const c1 = cpu();
  const one: RunRow[] = await runEnsemble(options(K, M, 1), runs);
  const tOne = (performance.now() - t1) / 1000;
  const cOne = cpu() - c1;
  const t2 = performance.now();
  const c2 = cpu();
  const two: RunRow[] = await runEnsemble(options(K, M, 2), runs);
  const tTwo = (performance.now() - t2) / 1000;
  const cTwo = cpu() - c2;
  const same12 = one.every((r, i) => r.class === two[i].class && r.family_n === two[i].family_n && r.final_loss === two[i].final_loss);
  console.log(`\nK = M = ${K}`);
  if (ref) {
    const agree = ref.filter((r, i) => r.cls === one[i].class && r.familyN === one[i].family_n).length;
    console.log(`  (a) RK4 dt=0.05      ${fmt(RUNS / tRef, 2).padStart(8)} traj/s  (${fmt(tRef)} s wall, ${fmt(cRef)} s CPU, median ${median(ref.map((r) => r.evals))} RHS evals)  ${counts(ref)}`);
    console.log(`  agreement (a) vs (b): ${agree}/${RUNS} runs same class and family`);
    ref.forEach((r, i) => {
      if (r.cls !== one[i].class || r.familyN !== one[i].family_n)
        console.log(`    run ${i}: reference ${r.cls} n=${r.familyN}, ensemble ${one[i].class} n=${one[i].family_n} (${one[i].stop}, loss ${one[i].final_loss.toExponential(3)})`);
    });
  }
  console.log(`  (b) ensemble, 1 worker ${fmt(RUNS / tOne, 2).padStart(8)} traj/s  (${fmt(tOne)} s wall, ${fmt(cOne)} s CPU, median ${median(one.map((r) => r.rhs_evals))} RHS evals)  ${counts(one.map((r) => ({ cls: r.class, familyN: r.family_n })))}`);
  console.log(`  (c) ensemble, 2 workers ${fmt(RUNS / tTwo, 2).padStart(7)} traj/s  (${fmt(tTwo)} s wall, ${fmt(cTwo)} s CPU)  rows identical to (b): ${same12}`);
  if (ref) console.log(`  speed-up (b)/(a) = ${fmt(tRef / tOne)}× wall, ${fmt(cRef / cOne)}× CPU; (c)/(a) = ${fmt(tRef / tTwo)}× wall`);
  console.log(`  10,000 runs projected: ${fmt((10000 / RUNS) * tTwo / 60)} min at (c)'s measured rate; ${fmt((10000 / RUNS) * cOne / 2 / 60)} min from (b)'s CPU time on 2 free cores`);
  console.log(`  load average during the bench: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const stops: Record<string, number> = {};
  for (const r of one) stops[r.stop] = (stops[r.stop] ?? 0) + 1;
  console.log(`  ensemble exits: ${Object.entries(stops).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
