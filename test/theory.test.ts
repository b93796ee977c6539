// Population loss, its gradients and the order-parameter flow (docs/theory.md §2–3).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu'; // registers the 'cpu' backend and its kernels
// tfjs-core's main entry registers no gradient functions; the ones it ships are registered by this
// side-effect module (ES module source: vitest transforms it, plain Node could not load it).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { ACTIVATION_NAMES, getActivation } from '../src/activations/index.js';
import { populationLoss } from '../src/theory/loss.js';
import { makeLossGradients } from '../src/theory/gradients.js';
import { makeFlow, makeFlowParts } from '../src/theory/flow.js';
import { flowI3 } from './oracles/flow-i3.js';
import { overlapsOf, type Overlaps } from '../src/theory/overlaps.js';
import { runTrajectory } from '../src/ode/trajectory.js';
import { createRng } from '../src/random/rng.js';
import { identity, maxAbs } from '../src/linalg/vector.js';
import { makeAlgorithmFlow } from '../src/theory/algorithms.js';
import { packState } from '../src/theory/overlaps.js';

/** Overlaps of random Gaussian weights in dimension N (so Ω is PSD). */
function randomOverlaps(K: number, M: number, N: number, seed: number): Overlaps & { W: Float64Array; Wstar: Float64Array } {
  const rng = createRng(seed, 'random-overlaps');
  const W = new Float64Array(K * N);
  const Wstar = new Float64Array(M * N);
  rng.fillNormal(W);
  rng.fillNormal(Wstar);
  return { ...overlapsOf(W, Wstar, K, M, N), W, Wstar };
}

describe('gradient-form flow equals the I3 form', () => {
  for (const name of ACTIVATION_NAMES) {
    it(`${name}: max difference ≤ 1e-10 for random (Q, R, T), K ≠ M`, () => {
      const act = getActivation(name, 0.1);
      for (const [K, M, seed] of [[3, 2, 1], [2, 5, 2], [6, 4, 3], [4, 7, 4]]) {
        const { Q, R, T } = randomOverlaps(K, M, 40, seed);
        const dQ = new Float64Array(K * K), dR = new Float64Array(K * M);
        const dQ3 = new Float64Array(K * K), dR3 = new Float64Array(K * M);
        makeFlow(act, K, M, T)(Q, R, dQ, dR);
        flowI3(act, K, M, Q, R, T, dQ3, dR3);
        for (let i = 0; i < K * K; i++) expect(Math.abs(dQ[i] - dQ3[i])).toBeLessThan(1e-10);
        for (let i = 0; i < K * M; i++) expect(Math.abs(dR[i] - dR3[i])).toBeLessThan(1e-10);
        expect(maxAbs(dQ)).toBeGreaterThan(1e-3); // not trivially zero
      }
    });
  }
});

describe('G = ∂ε/∂Q and H = ∂ε/∂R', () => {
  it('match central finite differences of ε in each independent entry (relu, erf)', () => {
    for (const name of ['relu', 'erf'] as const) {
      const act = getActivation(name);
      const K = 3, M = 4;
      const { Q, R, T } = randomOverlaps(K, M, 30, 7);
      const G = new Float64Array(K * K), H = new Float64Array(K * M);
      const eps = makeLossGradients(act, K, M, T)(Q, R, G, H);
      expect(eps).toBeCloseTo(populationLoss(act, K, M, Q, R, T), 13);
      // ε as a function of independent entries: perturb Q_kl alone (not Q_lk)
      const lossOf = (Qp: Float64Array, Rp: Float64Array) => {
        let e = 0;
        for (let k = 0; k < K; k++) for (let l = 0; l < K; l++) e += 0.5 * act.I2(Qp[k * K + k], Qp[l * K + l], Qp[k * K + l]);
        for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) e -= act.I2(Qp[k * K + k], T[m * M + m], Rp[k * M + m]);
        return e;
      };
      const h = 1e-6;
      for (let i = 0; i < K * K; i++) {
        const Qp = Float64Array.from(Q), Qm = Float64Array.from(Q);
        Qp[i] += h;
        Qm[i] -= h;
        expect(Math.abs(G[i] - (lossOf(Qp, R) - lossOf(Qm, R)) / (2 * h))).toBeLessThan(1e-7);
      }
      for (let i = 0; i < K * M; i++) {
        const Rp = Float64Array.from(R), Rm = Float64Array.from(R);
        Rp[i] += h;
        Rm[i] -= h;
        expect(Math.abs(H[i] - (lossOf(Q, Rp) - lossOf(Q, Rm)) / (2 * h))).toBeLessThan(1e-7);
      }
    }
  });

  it('match tfjs autodiff of ε written with tfjs ops (ReLU, float32)', async () => {
    await tf.setBackend('cpu');
    const act = getActivation('relu');
    const K = 4, M = 3;
    const { Q, R, T } = randomOverlaps(K, M, 25, 8);
    const G = new Float64Array(K * K), H = new Float64Array(K * M);
    makeLossGradients(act, K, M, T)(Q, R, G, H);
    // I2 = s (sin θ + (π − θ) ρ)/2π on tensors; ρ clipped so acos stays differentiable on the diagonal
    const I2 = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
      const s = tf.sqrt(tf.mul(a, b));
      const rho = tf.clipByValue(tf.div(c, s), -1 + 1e-6, 1 - 1e-6);
      const theta = tf.acos(rho);
      return tf.div(tf.mul(s, tf.add(tf.sqrt(tf.sub(1, tf.square(rho))), tf.mul(tf.sub(Math.PI, theta), rho))), 2 * Math.PI);
    };
    const loss = (Qt: tf.Tensor, Rt: tf.Tensor) => {
      const dQ = tf.sum(tf.mul(Qt, tf.eye(K)), 1); // diagonal of Q
      const dT = tf.tensor1d(Array.from({ length: M }, (_, m) => T[m * M + m]));
      // functional ops only: tfjs-core alone does not install the chained ones (t.tile(), t.sum(), …)
      const ss = tf.mul(tf.sum(I2(tf.tile(tf.reshape(dQ, [K, 1]), [1, K]), tf.tile(tf.reshape(dQ, [1, K]), [K, 1]), Qt)), 0.5);
      const st = tf.sum(I2(tf.tile(tf.reshape(dQ, [K, 1]), [1, M]), tf.tile(tf.reshape(dT, [1, M]), [K, 1]), Rt));
      return tf.sub(ss, st) as tf.Scalar;
    };
    const grads = tf.grads((Qt: tf.Tensor, Rt: tf.Tensor) => loss(Qt, Rt));
    const [gQ, gR] = grads([tf.tensor2d(Array.from(Q), [K, K]), tf.tensor2d(Array.from(R), [K, M])]);
    const gq = await gQ.data(), gr = await gR.data();
    for (let i = 0; i < K * K; i++) expect(Math.abs(gq[i] - G[i])).toBeLessThan(2e-4 * (1 + Math.abs(G[i])));
    for (let i = 0; i < K * M; i++) expect(Math.abs(gr[i] - H[i])).toBeLessThan(2e-4 * (1 + Math.abs(H[i])));
  });
});

describe('loss', () => {
  it('ε = 0 and RHS = 0 when the student equals the teacher (Q = R = T)', () => {
    for (const name of ACTIVATION_NAMES) {
      const act = getActivation(name, 0.1);
      const K = 5;
      const { T } = randomOverlaps(K, K, 30, 9);
      const Q = Float64Array.from(T), R = Float64Array.from(T);
      const dQ = new Float64Array(K * K), dR = new Float64Array(K * K);
      expect(Math.abs(populationLoss(act, K, K, Q, R, T))).toBeLessThan(1e-13);
      makeFlow(act, K, K, T)(Q, R, dQ, dR);
      expect(maxAbs(dQ)).toBeLessThan(1e-13);
      expect(maxAbs(dR)).toBeLessThan(1e-13);
    }
  });

  it('is invariant under a permutation of the student units', () => {
    const act = getActivation('relu');
    const K = 5, M = 3;
    const { Q, R, T } = randomOverlaps(K, M, 30, 10);
    const perm = [3, 0, 4, 1, 2];
    const Qp = new Float64Array(K * K), Rp = new Float64Array(K * M);
    for (let k = 0; k < K; k++) {
      for (let l = 0; l < K; l++) Qp[k * K + l] = Q[perm[k] * K + perm[l]];
      for (let m = 0; m < M; m++) Rp[k * M + m] = R[perm[k] * M + m];
    }
    const e = populationLoss(act, K, M, Q, R, T);
    expect(e).toBeGreaterThan(0.01);
    expect(populationLoss(act, K, M, Qp, Rp, T)).toBeCloseTo(e, 13);
  });

  it('ε = ½ E[Δ²] by Monte Carlo on explicit weights', () => {
    const act = getActivation('relu');
    const K = 3, M = 2, N = 10;
    const o = randomOverlaps(K, M, N, 11);
    const rng = createRng(11, 'mc-loss');
    const x = new Float64Array(N);
    const S = 200_000;
    let sum = 0, sum2 = 0;
    for (let s = 0; s < S; s++) {
      rng.fillNormal(x);
      let d = 0;
      for (let k = 0; k < K; k++) {
        let l = 0;
        for (let i = 0; i < N; i++) l += o.W[k * N + i] * x[i];
        d += act.g(l / Math.sqrt(N));
      }
      for (let m = 0; m < M; m++) {
        let l = 0;
        for (let i = 0; i < N; i++) l += o.Wstar[m * N + i] * x[i];
        d -= act.g(l / Math.sqrt(N));
      }
      sum += 0.5 * d * d;
      sum2 += 0.25 * d ** 4;
    }
    const mean = sum / S, se = Math.sqrt((sum2 / S - mean * mean) / S);
    expect(Math.abs(populationLoss(act, K, M, o.Q, o.R, o.T) - mean)).toBeLessThan(5 * se);
  });
});

describe('ODE against population GD on explicit weights (N = 20)', () => {
  it('loss trajectories agree to 1e-6 over τ ≤ 20', () => {
    const act = getActivation('relu');
    const K = 3, M = 3, N = 20;
    const o = randomOverlaps(K, M, N, 12);
    const dtau = 0.01, steps = 2000;
    // explicit weights: dW/dτ = −(S W + H W*), RK4 on W
    const flowParts = makeFlowParts(act, K, M, o.T);
    const deriv = (W: Float64Array, out: Float64Array) => {
      const ov = overlapsOf(W, o.Wstar, K, M, N);
      const { S, H } = flowParts(ov.Q, ov.R);
      for (let k = 0; k < K; k++)
        for (let i = 0; i < N; i++) {
          let g = 0;
          for (let l = 0; l < K; l++) g += S[k * K + l] * W[l * N + i];
          for (let m = 0; m < M; m++) g += H[k * M + m] * o.Wstar[m * N + i];
          out[k * N + i] = -g;
        }
    };
    let W = Float64Array.from(o.W);
    const k1 = new Float64Array(K * N), k2 = new Float64Array(K * N), k3 = new Float64Array(K * N), k4 = new Float64Array(K * N), tmp = new Float64Array(K * N);
    const gdLoss: number[] = [];
    const times: number[] = [];
    for (let s = 1; s <= steps; s++) {
      deriv(W, k1);
      for (let i = 0; i < W.length; i++) tmp[i] = W[i] + 0.5 * dtau * k1[i];
      deriv(tmp, k2);
      for (let i = 0; i < W.length; i++) tmp[i] = W[i] + 0.5 * dtau * k2[i];
      deriv(tmp, k3);
      for (let i = 0; i < W.length; i++) tmp[i] = W[i] + dtau * k3[i];
      deriv(tmp, k4);
      const Wn = new Float64Array(W.length);
      for (let i = 0; i < W.length; i++) Wn[i] = W[i] + (dtau / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
      W = Wn;
      if (s % 100 === 0) {
        const ov = overlapsOf(W, o.Wstar, K, M, N);
        gdLoss.push(populationLoss(act, K, M, ov.Q, ov.R, ov.T));
        times.push(Number((s * dtau).toFixed(10)));
      }
    }
    const traj = runTrajectory(makeAlgorithmFlow('gd', act, K, M, o.T), packState(o), { method: 'dopri5', tauMax: 20, tol: 0, rtol: 1e-11, atol: 1e-13, recordTimes: times });
    const odeLoss = traj.records.filter((r) => times.includes(r.tau)).map((r) => r.loss);
    expect(odeLoss.length).toBe(times.length);
    let maxErr = 0;
    for (let i = 0; i < times.length; i++) maxErr = Math.max(maxErr, Math.abs(odeLoss[i] - gdLoss[i]));
    expect(gdLoss[gdLoss.length - 1]).toBeLessThan(gdLoss[0]); // it actually trained
    expect(maxErr).toBeLessThan(1e-6);
  });
});

describe('identity helper', () => {
  it('builds T = I', () => {
    expect(Array.from(identity(2))).toEqual([1, 0, 0, 1]);
  });
});
