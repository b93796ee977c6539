// Finite-N networks (docs/theory.md §3, §4.1, §4.2, §5): teacher sampling, the weight gradient
// N∇_W ε = S W + H W* against finite differences, the js SGD kernel against a hand-written
// step, and population GD on explicit weights against the ODE (Result 1).
import { describe, expect, it } from 'vitest';
import { getActivation } from '../src/activations/index.js';
import { createRng } from '../src/random/rng.js';
import { overlapsOf } from '../src/theory/overlaps.js';
import { populationLoss } from '../src/theory/loss.js';
import { sampleTeacher } from '../src/network/teacher.js';
import { sampleStudent } from '../src/network/student.js';
import { makeWeightGradient } from '../src/network/gradient.js';
import { makeGdStepper } from '../src/network/gd.js';
import { measure } from '../src/network/measure.js';
import { createSgdKernel, makeBatch } from '../src/network/backend.js';
import { runTrajectory } from '../src/ode/trajectory.js';
import { makeAlgorithmFlow } from '../src/theory/algorithms.js';
import { packState } from '../src/theory/overlaps.js';

describe('teacher and student sampling', () => {
  it('orthonormal teacher has T = I exactly (to round-off), Gaussian T = I + O(N^-1/2)', () => {
    const N = 300;
    const M = 5;
    const Wo = sampleTeacher(M, N, 'orthonormal', createRng(3, 'teacher'));
    const To = overlapsOf(Wo, Wo, M, M, N).T;
    for (let i = 0; i < M; i++) for (let j = 0; j < M; j++) expect(Math.abs(To[i * M + j] - (i === j ? 1 : 0))).toBeLessThan(1e-13);
    const Wg = sampleTeacher(M, N, 'gaussian', createRng(3, 'teacher'));
    const Tg = overlapsOf(Wg, Wg, M, M, N).T;
    let off = 0;
    for (let i = 0; i < M; i++) for (let j = 0; j < M; j++) off = Math.max(off, Math.abs(Tg[i * M + j] - (i === j ? 1 : 0)));
    expect(off).toBeGreaterThan(1e-3); // not exactly the identity …
    expect(off).toBeLessThan(6 / Math.sqrt(N)); // … but close, at the 1/√N scale
  });

  it('seeded: the same labels give the same weights', () => {
    expect(sampleStudent(3, 10, createRng(7, 'replica', 2))).toEqual(sampleStudent(3, 10, createRng(7, 'replica', 2)));
    expect(sampleStudent(3, 10, createRng(7, 'replica', 2))).not.toEqual(sampleStudent(3, 10, createRng(7, 'replica', 3)));
  });
});

describe('weight gradient N∇_W ε = S W + H W*', () => {
  for (const name of ['relu', 'erf', 'leaky-relu'] as const) {
    it(`matches central finite differences of ε(W) (${name})`, () => {
      const act = getActivation(name, 0.1);
      const K = 3, M = 2, N = 7;
      const Ws = sampleTeacher(M, N, 'gaussian', createRng(11, name, 'teacher'));
      const W = sampleStudent(K, N, createRng(11, name, 'student'));
      const T = overlapsOf(Ws, Ws, M, M, N).T;
      const eps = (V: Float64Array) => {
        const o = overlapsOf(V, Ws, K, M, N);
        return populationLoss(act, K, M, o.Q, o.R, T);
      };
      const grad = new Float64Array(K * N);
      const loss = makeWeightGradient(act, K, M, N, Ws, T)(W, grad);
      expect(loss).toBeCloseTo(eps(W), 14);
      const h = 1e-6;
      let worst = 0;
      for (let i = 0; i < K * N; i++) {
        const Vp = Float64Array.from(W);
        const Vm = Float64Array.from(W);
        Vp[i] += h;
        Vm[i] -= h;
        const fd = (N * (eps(Vp) - eps(Vm))) / (2 * h);
        worst = Math.max(worst, Math.abs(fd - grad[i]) / (1 + Math.abs(grad[i])));
      }
      expect(worst).toBeLessThan(1e-7);
    });
  }
});

describe('js online-SGD kernel', () => {
  it('takes exactly the step w_k ← w_k − (η/√N) Δ g′(λ_k) x with x from the replica stream', async () => {
    const act = getActivation('relu');
    const K = 3, M = 2, N = 16, lr = 0.3;
    const Ws = sampleTeacher(M, N, 'gaussian', createRng(5, 'teacher'));
    const W0 = sampleStudent(K, N, createRng(5, 'w0'));
    const kernel = await createSgdKernel('js', { activation: 'relu', alpha: 0, K, M, N, lr, replicas: 1 });
    const batch = makeBatch(W0, Ws, [createRng(5, 'inputs')]);
    await kernel.advance(batch, 2);
    // reference: two steps by hand
    const W = Float64Array.from(W0);
    const rng = createRng(5, 'inputs');
    const x = new Float64Array(N);
    for (let s = 0; s < 2; s++) {
      rng.fillNormal(x);
      const pre = (A: Float64Array, k: number) => A.subarray(k * N, k * N + N).reduce((a, w, i) => a + w * x[i], 0) / Math.sqrt(N);
      const lam = [0, 1, 2].map((k) => pre(W, k));
      const delta = lam.reduce((a, l) => a + act.g(l), 0) - [0, 1].reduce((a, m) => a + act.g(pre(Ws, m)), 0);
      for (let k = 0; k < K; k++) for (let i = 0; i < N; i++) W[k * N + i] -= (lr / Math.sqrt(N)) * delta * act.gPrime(lam[k]) * x[i];
    }
    for (let i = 0; i < K * N; i++) expect(batch.W[i]).toBeCloseTo(W[i], 13);
    expect(batch.W).not.toEqual(W0);
    expect(Array.from(batch.steps)).toEqual([2]);
    expect(Array.from(batch.status)).toEqual([0]);
  });

  it('replicas are independent of batch composition, and diverged replicas stop', async () => {
    const K = 2, M = 2, N = 10;
    const Ws = sampleTeacher(M, N, 'gaussian', createRng(2, 'teacher'));
    const W0 = new Float64Array(2 * K * N);
    W0.set(sampleStudent(K, N, createRng(2, 'a')), 0);
    W0.set(sampleStudent(K, N, createRng(2, 'b')), K * N);
    const k2 = await createSgdKernel('js', { activation: 'relu', alpha: 0, K, M, N, lr: 0.1, replicas: 2 });
    const both = makeBatch(W0, Ws, [createRng(2, 'ra'), createRng(2, 'rb')]);
    await k2.advance(both, 50);
    const k1 = await createSgdKernel('js', { activation: 'relu', alpha: 0, K, M, N, lr: 0.1, replicas: 1 });
    const single = makeBatch(W0.subarray(K * N), Ws, [createRng(2, 'rb')]);
    await k1.advance(single, 50);
    expect(both.W.subarray(K * N)).toEqual(single.W);
    // a replica the driver marked diverged is not advanced
    const frozen = Float64Array.from(both.W);
    both.status[0] = 1;
    await k2.advance(both, 10);
    expect(both.W.subarray(0, K * N)).toEqual(frozen.subarray(0, K * N));
    expect(Array.from(both.steps)).toEqual([50, 60]);
    // a huge learning rate blows up |Δ| and the kernel flags it, leaving finite weights
    const kBig = await createSgdKernel('js', { activation: 'relu', alpha: 0, K, M, N, lr: 1e4, replicas: 1, maxDelta: 1e3 });
    const big = makeBatch(W0.subarray(0, K * N), Ws, [createRng(2, 'big')]);
    await kBig.advance(big, 100);
    expect(big.status[0]).toBe(1);
    expect(big.steps[0]).toBeLessThan(100);
    expect(big.W.every(Number.isFinite)).toBe(true);
  });
});

describe('population GD on explicit weights follows the ODE (Result 1)', () => {
  const act = getActivation('relu');
  const K = 3, M = 3, N = 50;
  const Ws = sampleTeacher(M, N, 'gaussian', createRng(8, 'teacher'));
  const W0 = sampleStudent(K, N, createRng(8, 'replica', 0));
  const start = measure(act, W0, Ws, K, M, N);
  const tauMax = 30;
  const ode = runTrajectory(makeAlgorithmFlow('gd', act, start.K, start.M, start.T), packState(start), { method: 'dopri5', tauMax, tol: 0, rtol: 1e-12, atol: 1e-14, recordTimes: [5, 10, 20, 30] });
  const odeLoss = new Map(ode.records.map((r) => [r.tau, r.loss]));
  function gdError(dtau: number, method: 'euler' | 'rk4'): number {
    const W = Float64Array.from(W0);
    const step = makeGdStepper(act, K, M, N, Ws, start.T, dtau, method);
    let err = 0;
    const n = Math.round(tauMax / dtau);
    for (let s = 1; s <= n; s++) {
      step(W);
      const tau = [5, 10, 20, 30].find((t) => Math.abs(t - s * dtau) < 1e-9);
      if (tau !== undefined) err = Math.max(err, Math.abs(measure(act, W, Ws, K, M, N).loss - odeLoss.get(tau)!));
    }
    return err;
  }

  it('RK4 with Δτ = 0.01: max |ε_GD − ε_ODE| ≤ 1e-6 at N = 50', () => {
    expect(ode.loss).toBeLessThan(start.loss * 0.5); // it actually learns
    expect(gdError(0.01, 'rk4')).toBeLessThan(1e-6);
  });

  it('Euler converges at first order in Δτ, RK4 at about fourth', () => {
    const e1 = gdError(0.1, 'euler');
    const e2 = gdError(0.05, 'euler');
    expect(e1 / e2).toBeGreaterThan(1.7);
    expect(e1 / e2).toBeLessThan(2.3);
    const r1 = gdError(0.2, 'rk4');
    const r2 = gdError(0.1, 'rk4');
    expect(r1 / r2).toBeGreaterThan(10);
  });
});
