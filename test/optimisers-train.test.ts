// Finite-N training for nGD, onGD and 2L-GD (src/network/train-constrained.ts) against the
// order-parameter ODEs of docs/theory.md §4.4–4.5 started from the network's measured (Q0, R0, T, v0).
import { describe, expect, it } from 'vitest';
import { getActivation } from '../src/activations/index.js';
import { symmetricEigenvalues } from '../src/linalg/eigen.js';
import { inverseSqrtSpd } from '../src/linalg/sqrtm.js';
import { gram } from '../src/linalg/gram.js';
import { createRng } from '../src/random/rng.js';
import { overlapsOf } from '../src/theory/overlaps.js';
import { makeAlgorithmFlow } from '../src/theory/algorithms.js';
import { integrate } from '../src/ode/integrate.js';
import {
  initialNet, makeOnlineStepper, makePopulationStepper, retractStiefel, rowNorms,
  type ConstrainedAlgorithm, type NetState,
} from '../src/network/constrained.js';
import { identity } from '../src/linalg/vector.js';

const act = getActivation('relu');
const K = 3;
const M = 2;

function setup(alg: ConstrainedAlgorithm, N: number, seed: number) {
  const rng = createRng(seed, 'optimisers-train');
  const Wstar = new Float64Array(M * N);
  rng.fillNormal(Wstar);
  const W0 = new Float64Array(K * N);
  rng.fillNormal(W0);
  const net = initialNet(alg, W0, K, N, 0.8);
  const o = overlapsOf(net.W, Wstar, K, M, N);
  return { Wstar, net, T: o.T, o };
}

/** The ODE state at the given τ, started from the measured overlaps (and v) of the network. */
function odeAt(alg: ConstrainedAlgorithm, T: Float64Array, y0: Float64Array, taus: number[], kappa = 1): Float64Array[] {
  const flow = makeAlgorithmFlow(alg, act, K, M, T, { kappa });
  const out: Float64Array[] = [];
  integrate(flow.rhs, y0, {
    method: 'dopri5', tauMax: taus[taus.length - 1], tol: 0, rtol: 1e-11, atol: 1e-13, recordTimes: taus,
    onRecord: (t, y) => { if (t > 0) out.push(Float64Array.from(y)); },
  });
  return out;
}

function netState(alg: ConstrainedAlgorithm, net: NetState, Wstar: Float64Array, N: number): Float64Array {
  const o = overlapsOf(net.W, Wstar, K, M, N);
  const y = new Float64Array(K * K + K * M + (alg === '2l' ? K : 0));
  y.set(o.Q, 0);
  y.set(o.R, K * K);
  if (alg === '2l') y.set(net.v, K * K + K * M);
  return y;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe.each(['ngd', 'ongd', '2l'] as const)('population %s on explicit weights follows its ODE', (alg) => {
  it('RK4, Δτ = 0.02, N = 30, to τ = 4: |Δy| < 1e-7', () => {
    const N = 30;
    const { Wstar, net, T } = setup(alg, N, 11);
    const y0 = netState(alg, net, Wstar, N);
    const taus = [1, 2, 4];
    const ode = odeAt(alg, T, y0, taus, 0.7);
    const step = makePopulationStepper(alg, act, K, M, N, Wstar, T, 0.02, 'rk4', { kappa: 0.7 });
    let s = 0;
    const errs: number[] = [];
    for (const [i, tau] of taus.entries()) {
      for (; s < Math.round(tau / 0.02); s++) step(net);
      errs.push(maxDiff(netState(alg, net, Wstar, N), ode[i]));
    }
    // the trajectory actually moves
    expect(maxDiff(ode[2], y0)).toBeGreaterThan(0.05);
    expect(Math.max(...errs)).toBeLessThan(1e-7);
    if (alg === 'ngd') expect(maxDiff(rowNorms(net.W, K, N), [1, 1, 1])).toBeLessThan(1e-14);
    if (alg === 'ongd') expect(maxDiff(overlapsOf(net.W, Wstar, K, M, N).Q, identity(K))).toBeLessThan(1e-14);
  });

  it('Euler error shrinks ~linearly in Δτ', () => {
    const N = 20;
    const errAt = (dtau: number) => {
      const { Wstar, net, T } = setup(alg, N, 12);
      const y0 = netState(alg, net, Wstar, N);
      const [ref] = odeAt(alg, T, y0, [1]);
      const step = makePopulationStepper(alg, act, K, M, N, Wstar, T, dtau, 'euler');
      for (let s = 0; s < Math.round(1 / dtau); s++) step(net);
      return maxDiff(netState(alg, net, Wstar, N), ref);
    };
    const e1 = errAt(0.02);
    const e2 = errAt(0.01);
    expect(e1).toBeGreaterThan(1e-6);
    expect(e1 / e2).toBeGreaterThan(1.7);
    expect(e1 / e2).toBeLessThan(2.3);
  });
});

describe.each(['ngd', 'ongd', '2l'] as const)('online %s at small η follows its ODE', (alg) => {
  it('N = 200, η = 0.05, τ = 2: overlaps within 0.05, constraint kept', () => {
    const N = 200;
    const lr = 0.05;
    const { Wstar, net, T } = setup(alg, N, 13);
    const y0 = netState(alg, net, Wstar, N);
    const [ref] = odeAt(alg, T, y0, [2]);
    const advance = makeOnlineStepper(alg, act, K, M, N, Wstar, lr);
    const steps = Math.round((2 * N) / lr);
    expect(advance(net, createRng(13, 'optimisers-train', 'x'), steps)).toBe(steps);
    const y = netState(alg, net, Wstar, N);
    expect(maxDiff(y0, ref)).toBeGreaterThan(0.1);
    expect(maxDiff(y, ref)).toBeLessThan(0.05);
    if (alg === 'ngd') expect(maxDiff(rowNorms(net.W, K, N), [1, 1, 1])).toBeLessThan(1e-12);
    if (alg === 'ongd') expect(maxDiff(overlapsOf(net.W, Wstar, K, M, N).Q, identity(K))).toBeLessThan(1e-12);
  });
});

describe('retractions', () => {
  it('polar retraction is (W Wᵀ/N)^{-½} W; QR and polar both give Q = I and span the same rows', () => {
    const N = 15;
    const rng = createRng(3, 'optimisers-train', 'retract');
    const W = new Float64Array(K * N);
    rng.fillNormal(W);
    const Wq = Float64Array.from(W);
    const Wp = Float64Array.from(W);
    retractStiefel(Wq, K, N, 'qr');
    retractStiefel(Wp, K, N, 'polar');
    const Z = new Float64Array(M * N);
    expect(maxDiff(overlapsOf(Wq, Z, K, M, N).Q, identity(K))).toBeLessThan(1e-14);
    expect(maxDiff(overlapsOf(Wp, Z, K, M, N).Q, identity(K))).toBeLessThan(1e-13);
    // polar: P = Wp Wᵀ/N must be symmetric positive definite (= Q^{½}), unlike the QR factor
    const P = new Float64Array(K * K);
    const Pq = new Float64Array(K * K);
    for (let k = 0; k < K; k++)
      for (let l = 0; l < K; l++) {
        let s = 0;
        let sq = 0;
        for (let i = 0; i < N; i++) {
          s += Wp[k * N + i] * W[l * N + i];
          sq += Wq[k * N + i] * W[l * N + i];
        }
        P[k * K + l] = s / N;
        Pq[k * K + l] = sq / N;
      }
    let asym = 0;
    let asymQ = 0;
    for (let k = 0; k < K; k++)
      for (let l = 0; l < K; l++) {
        asym = Math.max(asym, Math.abs(P[k * K + l] - P[l * K + k]));
        asymQ = Math.max(asymQ, Math.abs(Pq[k * K + l] - Pq[l * K + k]));
      }
    expect(asym).toBeLessThan(1e-13);
    expect(asymQ).toBeGreaterThan(1e-3);
    expect(symmetricEigenvalues(P, K)[0]).toBeGreaterThan(0);
  });

  it('inverseSqrtSpd gives Z with Z A Z = I for a random SPD matrix', () => {
    const n = 6;
    const rng = createRng(4, 'optimisers-train', 'eigen');
    const B = new Float64Array(n * n);
    rng.fillNormal(B);
    const A = gram(B, n, B, n, n, new Float64Array(n * n), true);
    for (let i = 0; i < n; i++) A[i * n + i] += 0.05;
    const Z = inverseSqrtSpd(A, n);
    let err = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) for (let l = 0; l < n; l++) s += Z[i * n + k] * A[k * n + l] * Z[l * n + j];
        err = Math.max(err, Math.abs(s - (i === j ? 1 : 0)));
      }
    expect(err).toBeLessThan(1e-12);
    expect(() => inverseSqrtSpd(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(RangeError);
  });
});

describe('scmv train integration (trainJob dispatch, in-process)', () => {
  it('population ngd/ongd/2l match their ODE to 1e-8 and online versions to 0.05; 2L rows carry v', async () => {
    const { trainJob, trainHeader, trainRows } = await import('../src/runs/train.js');
    const base = {
      K: 3, M: 2, N: 60, lr: 0.05, dtau: 0.02, gdMethod: 'rk4' as const, tauMax: 2, teacher: 'gaussian' as const,
      activation: 'relu' as const, alpha: 0.01, seed: 5, replicas: 1, workers: 1, backend: 'js' as const, compareOde: true, kappa: 0.5,
    };
    for (const algorithm of ['ngd', 'ongd', '2l', 'ngd-sgd', 'ongd-sgd', '2l-sgd'] as const) {
      const [res] = await trainJob({ opts: { ...base, algorithm }, replicas: [0] });
      const last = res.records[res.records.length - 1];
      expect(last.tau).toBeCloseTo(2, 12);
      expect(last.ode).toBeDefined();
      const err = Math.max(...res.records.map((r) => Math.abs(r.loss - r.ode!.loss)));
      expect(err).toBeLessThan(algorithm.endsWith('-sgd') ? 0.05 : 1e-8);
      expect(Math.abs(last.loss - res.records[0].loss)).toBeGreaterThan(0.02);
      const secondLayer = algorithm.startsWith('2l');
      const header = trainHeader(3, 2, true, secondLayer);
      const rows = trainRows(3, 2, true, res, secondLayer);
      expect(rows[0].length).toBe(header.length);
      if (secondLayer) {
        const iv = header.indexOf('v_0');
        expect(rows[0][iv]).toBe(1);
        expect(Math.abs(Number(rows[rows.length - 1][iv]) - 1)).toBeGreaterThan(1e-3);
      }
    }
  });
});
