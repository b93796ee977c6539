// `scmv train --algorithm ngd | ongd | 2l | ngd-sgd | ongd-sgd | 2l-sgd`: finite-N training for
// the constrained and two-layer schemes (SPEC §4.4, §4.5) inside the `scmv train` driver
// (src/experiments/train.ts), with the same streams, records and --compare-ode output.
//   ngd, ongd, 2l              population GD on W (projected field, Euler or RK4, retraction), τ = steps·Δτ
//   ngd-sgd, ongd-sgd, 2l-sgd  online versions (one fresh x per step), τ = η·steps/N
// Replica r draws W0 and then its inputs from createRng(seed, 'replica', r); W0 is put on the
// constraint set first (nGD: |w_k|²/N = 1; onGD: W Wᵀ/N = I; 2L: v = 1).
// --compare-ode integrates the algorithm's ODE (src/theory/algorithms.ts) from the measured
// (Q0, R0, T, v0) and records it at the same τ.
import { getActivation } from '../activations/index.js';
import { createRng } from '../random/rng.js';
import { overlapsOf } from '../theory/overlaps.js';
import { populationLoss } from '../theory/loss.js';
import { populationLoss2L } from '../theory/flow-2l.js';
import { makeAlgorithmFlow } from '../theory/algorithms.js';
import { integrate } from '../theory/integrate.js';
import { sampleStudent } from './student.js';
import {
  initialNet, makeOnlineStepper, makePopulationStepper, type ConstrainedAlgorithm, type NetState, type Retraction,
} from './train-constrained.js';
import {
  DEFAULT_MAX_LOSS, recordEveryOf, tauOf, teacherOf, totalSteps,
  type ReplicaResult, type TrainJobInput, type TrainRecord,
} from '../experiments/train.js';

export const CONSTRAINED_TRAIN_ALGORITHMS = ['ngd', 'ongd', '2l', 'ngd-sgd', 'ongd-sgd', '2l-sgd'] as const;
export type ConstrainedTrainAlgorithm = (typeof CONSTRAINED_TRAIN_ALGORITHMS)[number];

export function isConstrainedTrain(a: string): a is ConstrainedTrainAlgorithm {
  return (CONSTRAINED_TRAIN_ALGORITHMS as readonly string[]).includes(a);
}

/** Online algorithms (τ = η·steps/N): plain 'sgd' and the '-sgd' variants. */
export function isOnlineTrain(a: string): boolean {
  return a === 'sgd' || a.endsWith('-sgd');
}

/** The scheme behind a train algorithm name: 'ngd-sgd' → 'ngd'. */
export function baseAlgorithm(a: ConstrainedTrainAlgorithm): ConstrainedAlgorithm {
  return a.replace(/-sgd$/, '') as ConstrainedAlgorithm;
}

/** ε of a network: v-weighted for 2L-GD (SPEC §4.5), plain otherwise. */
function lossOf(alg: ConstrainedAlgorithm, act: ReturnType<typeof getActivation>, K: number, M: number, Q: Float64Array, R: Float64Array, T: Float64Array, v: Float64Array): number {
  return alg === '2l' ? populationLoss2L(act, K, M, Q, R, v, T) : populationLoss(act, K, M, Q, R, T);
}

/** Job (mapPool, dispatched from trainJob): trains the listed replicas of a constrained / 2L run. */
export function trainConstrainedJob(input: TrainJobInput): ReplicaResult[] {
  const { opts, replicas } = input;
  const { K, M, N } = opts;
  const name = opts.algorithm as ConstrainedTrainAlgorithm;
  const alg = baseAlgorithm(name);
  const online = isOnlineTrain(name);
  const act = getActivation(opts.activation, opts.alpha);
  const Wstar = teacherOf(opts);
  const T = overlapsOf(new Float64Array(0), Wstar, 0, M, N).T;
  const kappa = opts.kappa ?? 1;
  const retraction: Retraction = opts.retraction ?? 'qr';
  const maxLoss = opts.maxLoss ?? DEFAULT_MAX_LOSS;
  const total = totalSteps(opts);
  const every = recordEveryOf(opts);
  const results: ReplicaResult[] = [];
  for (const replica of replicas) {
    const t0 = performance.now();
    const rng = createRng(opts.seed, 'replica', replica);
    const net: NetState = initialNet(alg, sampleStudent(K, N, rng), K, N);
    const records: TrainRecord[] = [];
    const record = (step: number, bad: boolean): boolean => {
      const o = overlapsOf(net.W, Wstar, K, M, N);
      const loss = lossOf(alg, act, K, M, o.Q, o.R, T, net.v);
      const diverged = bad || !(Math.abs(loss) <= maxLoss);
      records.push({ step, tau: tauOf(opts, step), status: diverged ? 'diverged' : 'ok', loss, Q: o.Q, R: o.R, v: Float64Array.from(net.v) });
      return !diverged;
    };
    let ok = record(0, false);
    if (online) {
      const advance = makeOnlineStepper(alg, act, K, M, N, Wstar, opts.lr, { kappa, retraction });
      for (let s = 0; ok && s < total; ) {
        const n = Math.min(every, total - s);
        const taken = advance(net, rng, n);
        s += taken;
        ok = record(s, taken < n);
      }
    } else {
      const step = makePopulationStepper(alg, act, K, M, N, Wstar, T, opts.dtau, opts.gdMethod, { kappa, retraction });
      for (let s = 0; ok && s < total; ) {
        const n = Math.min(every, total - s);
        for (let j = 0; j < n; j++) step(net);
        s += n;
        ok = record(s, false);
      }
    }
    if (opts.compareOde) addOde(alg, act, K, M, T, kappa, records);
    results.push({ replica, records, T, diverged: !ok, seconds: (performance.now() - t0) / 1000 });
  }
  return results;
}

/** Integrates the algorithm's ODE from the first record's (Q0, R0, v0) and attaches it to every finite record. */
function addOde(alg: ConstrainedAlgorithm, act: ReturnType<typeof getActivation>, K: number, M: number, T: Float64Array, kappa: number, records: TrainRecord[]): void {
  const flow = makeAlgorithmFlow(alg, act, K, M, T, { kappa });
  const y0 = new Float64Array(flow.size);
  const first = records[0];
  y0.set(first.Q, 0);
  y0.set(first.R, K * K);
  if (alg === '2l') y0.set(first.v!, K * K + K * M);
  const taus = [...new Set(records.filter((r) => Number.isFinite(r.loss) && r.tau > 0).map((r) => r.tau))].sort((a, b) => a - b);
  const at = new Map<number, Float64Array>([[0, y0]]);
  if (taus.length) {
    integrate(flow.rhs, y0, {
      method: 'dopri5', tauMax: taus[taus.length - 1], tol: 0, dt: 0.01, rtol: 1e-11, atol: 1e-13, recordTimes: taus,
      onRecord: (tau, y) => void at.set(tau, Float64Array.from(y)),
    });
  }
  for (const r of records) {
    const y = at.get(r.tau);
    if (!y) continue;
    const s = flow.views(y);
    r.ode = { loss: flow.loss(y), Q: Float64Array.from(s.Q), R: Float64Array.from(s.R), v: s.v ? Float64Array.from(s.v) : undefined };
  }
}
