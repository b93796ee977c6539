// The constrained and two-layer flows (docs/theory.md §4.4, §4.5) against a direct weight-space
// computation: explicit W in N dimensions, the weight gradient N∇_W ε by central finite
// differences of ε(Q(W), R(W), T), projected as each algorithm prescribes; the induced
// dQ = (dW Wᵀ + W dWᵀ)/N and dR = dW W*ᵀ/N must equal the ODE right-hand side.
import { describe, expect, it } from 'vitest';
import { getActivation, type Activation } from '../src/activations/index.js';
import { createRng } from '../src/random/rng.js';
import { overlapsOf } from '../src/theory/overlaps.js';
import { populationLoss } from '../src/theory/loss.js';
import { makeFlow } from '../src/theory/flow.js';
import { makeNgdFlow, normaliseOverlaps } from '../src/theory/flow-ngd.js';
import { makeOngdFlow, orthonormaliseOverlaps } from '../src/theory/flow-ongd.js';
import { make2LFlow } from '../src/theory/flow-2l.js';
import { makeAlgorithmFlow } from '../src/theory/algorithms.js';
import { integrate } from '../src/ode/integrate.js';
import { gaussianInit } from '../src/theory/init.js';
import { identity, maxAbs } from '../src/linalg/vector.js';

const K = 3;
const M = 2;
const N = 12;

/** Independent implementation of the v-weighted loss of docs/theory.md §4.5 from I2 alone. */
function loss2L(act: Activation, W: Float64Array, Ws: Float64Array, v: ArrayLike<number>): number {
  const { Q, R, T } = overlapsOf(W, Ws, K, M, N);
  let e = 0;
  for (let k = 0; k < K; k++) for (let l = 0; l < K; l++) e += 0.5 * v[k] * v[l] * act.I2(Q[k * K + k], Q[l * K + l], Q[k * K + l]);
  for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) e -= v[k] * act.I2(Q[k * K + k], T[m * M + m], R[k * M + m]);
  for (let m = 0; m < M; m++) for (let n = 0; n < M; n++) e += 0.5 * act.I2(T[m * M + m], T[n * M + n], T[m * M + n]);
  return e;
}

/** N ∇_W ε by central differences (step h) of a loss of W. */
function weightGradient(lossOf: (W: Float64Array) => number, W: Float64Array, h = 1e-5): Float64Array {
  const g = new Float64Array(W.length);
  const Wp = Float64Array.from(W);
  for (let i = 0; i < W.length; i++) {
    Wp[i] = W[i] + h;
    const ep = lossOf(Wp);
    Wp[i] = W[i] - h;
    const em = lossOf(Wp);
    Wp[i] = W[i];
    g[i] = (N * (ep - em)) / (2 * h);
  }
  return g;
}

/** dQ = (dW Wᵀ + W dWᵀ)/N, dR = dW W*ᵀ/N. */
function induced(dW: Float64Array, W: Float64Array, Ws: Float64Array): { dQ: Float64Array; dR: Float64Array } {
  const dot = (A: Float64Array, i: number, B: Float64Array, j: number) => {
    let s = 0;
    for (let n = 0; n < N; n++) s += A[i * N + n] * B[j * N + n];
    return s / N;
  };
  const dQ = new Float64Array(K * K);
  const dR = new Float64Array(K * M);
  for (let k = 0; k < K; k++) {
    for (let l = 0; l < K; l++) dQ[k * K + l] = dot(dW, k, W, l) + dot(W, k, dW, l);
    for (let m = 0; m < M; m++) dR[k * M + m] = dot(dW, k, Ws, m);
  }
  return { dQ, dR };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Random student and (Gaussian) teacher weights. */
function randomWeights(seed: number): { W: Float64Array; Ws: Float64Array } {
  const rng = createRng(seed, 'flows-constrained');
  const W = new Float64Array(K * N);
  const Ws = new Float64Array(M * N);
  rng.fillNormal(W);
  rng.fillNormal(Ws);
  return { W, Ws };
}

/** Rows scaled to |w_k|²/N = 1. */
function normalise(W: Float64Array): Float64Array {
  const out = Float64Array.from(W);
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let n = 0; n < N; n++) s += W[k * N + n] ** 2;
    const c = Math.sqrt(N / s);
    for (let n = 0; n < N; n++) out[k * N + n] *= c;
  }
  return out;
}

/** Gram–Schmidt on the rows, each scaled to |w_k|² = N. */
function gramSchmidt(W: Float64Array): Float64Array {
  const out = Float64Array.from(W);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let n = 0; n < N; n++) s += out[k * N + n] * out[j * N + n];
      for (let n = 0; n < N; n++) out[k * N + n] -= (s / N) * out[j * N + n];
    }
    let s = 0;
    for (let n = 0; n < N; n++) s += out[k * N + n] ** 2;
    const c = Math.sqrt(N / s);
    for (let n = 0; n < N; n++) out[k * N + n] *= c;
  }
  return out;
}

const ACTS: Array<[string, Activation]> = [
  ['relu', getActivation('relu')],
  ['leaky-relu 0.2', getActivation('leaky-relu', 0.2)],
  ['erf', getActivation('erf')],
];

describe.each(ACTS)('weight-space projected gradients, %s', (_name, act) => {
  it('GD: dW = −N∇ε induces the docs/theory.md §3 right-hand side', () => {
    const { W, Ws } = randomWeights(1);
    const { Q, R, T } = overlapsOf(W, Ws, K, M, N);
    const g = weightGradient((X) => { const o = overlapsOf(X, Ws, K, M, N); return populationLoss(act, K, M, o.Q, o.R, T); }, W);
    const dW = g.map((x) => -x);
    const ind = induced(dW, W, Ws);
    const dQ = new Float64Array(K * K);
    const dR = new Float64Array(K * M);
    makeFlow(act, K, M, T)(Q, R, dQ, dR);
    expect(maxAbs(dR)).toBeGreaterThan(1e-2);
    expect(maxDiff(ind.dQ, dQ)).toBeLessThan(1e-6);
    expect(maxDiff(ind.dR, dR)).toBeLessThan(1e-6);
  });

  it('nGD: removing each row\'s radial component induces dQ, dR of docs/theory.md §4.4 and keeps diag(Q)', () => {
    // rows of unequal norms (|w_k|²/N ≠ 1), so D = diag(A_kk/Q_kk) is tested in full
    const { W, Ws } = randomWeights(2);
    const { Q, R, T } = overlapsOf(W, Ws, K, M, N);
    const g = weightGradient((X) => { const o = overlapsOf(X, Ws, K, M, N); return populationLoss(act, K, M, o.Q, o.R, T); }, W);
    const dW = new Float64Array(K * N);
    for (let k = 0; k < K; k++) {
      let gw = 0;
      let ww = 0;
      for (let n = 0; n < N; n++) {
        gw += g[k * N + n] * W[k * N + n];
        ww += W[k * N + n] ** 2;
      }
      for (let n = 0; n < N; n++) dW[k * N + n] = -(g[k * N + n] - (gw / ww) * W[k * N + n]);
    }
    const ind = induced(dW, W, Ws);
    const dQ = new Float64Array(K * K);
    const dR = new Float64Array(K * M);
    makeNgdFlow(act, K, M, T)(Q, R, dQ, dR);
    expect(maxAbs(dQ)).toBeGreaterThan(1e-2);
    expect(maxDiff(ind.dQ, dQ)).toBeLessThan(1e-6);
    expect(maxDiff(ind.dR, dR)).toBeLessThan(1e-6);
    for (let k = 0; k < K; k++) expect(Math.abs(dQ[k * K + k])).toBeLessThan(1e-14);
  });

  it('onGD: the Stiefel projection G − ½(G Wᵀ + W Gᵀ)W/N induces dQ = 0 and dR of docs/theory.md §4.4', () => {
    const r = randomWeights(3);
    const W = gramSchmidt(r.W);
    const Ws = r.Ws;
    const { Q, R, T } = overlapsOf(W, Ws, K, M, N);
    expect(maxDiff(Q, identity(K))).toBeLessThan(1e-12);
    const g = weightGradient((X) => { const o = overlapsOf(X, Ws, K, M, N); return populationLoss(act, K, M, o.Q, o.R, T); }, W);
    // C = (G Wᵀ + W Gᵀ)/N (K×K), dW = −(G − ½ C W)
    const C = new Float64Array(K * K);
    for (let k = 0; k < K; k++)
      for (let l = 0; l < K; l++) {
        let s = 0;
        for (let n = 0; n < N; n++) s += g[k * N + n] * W[l * N + n] + W[k * N + n] * g[l * N + n];
        C[k * K + l] = s / N;
      }
    const dW = new Float64Array(K * N);
    for (let k = 0; k < K; k++)
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let j = 0; j < K; j++) s += C[k * K + j] * W[j * N + n];
        dW[k * N + n] = -(g[k * N + n] - 0.5 * s);
      }
    const ind = induced(dW, W, Ws);
    const dQ = new Float64Array(K * K).fill(NaN);
    const dR = new Float64Array(K * M);
    makeOngdFlow(act, K, M, T)(Q, R, dQ, dR);
    expect(maxAbs(dR)).toBeGreaterThan(1e-3);
    expect(maxAbs(ind.dQ)).toBeLessThan(1e-6);
    expect(maxAbs(dQ)).toBe(0);
    expect(maxDiff(ind.dR, dR)).toBeLessThan(1e-6);
  });

  it('2L-GD: dW = −N∇_W ε, dv = −κ∂ε/∂v of the v-weighted loss induce the docs/theory.md §4.5 right-hand side', () => {
    const { W, Ws } = randomWeights(4);
    const v = Float64Array.from([0.7, 1.3, -0.4]);
    const kappa = 0.6;
    const { Q, R, T } = overlapsOf(W, Ws, K, M, N);
    const g = weightGradient((X) => loss2L(act, X, Ws, v), W);
    const ind = induced(g.map((x) => -x), W, Ws);
    const h = 1e-6;
    const dvFD = Array.from({ length: K }, (_, k) => {
      const vp = Float64Array.from(v);
      const vm = Float64Array.from(v);
      vp[k] += h;
      vm[k] -= h;
      return (-kappa * (loss2L(act, W, Ws, vp) - loss2L(act, W, Ws, vm))) / (2 * h);
    });
    const dQ = new Float64Array(K * K);
    const dR = new Float64Array(K * M);
    const dv = new Float64Array(K);
    const e = make2LFlow(act, K, M, T, kappa)(Q, R, v, dQ, dR, dv);
    expect(e).toBeCloseTo(loss2L(act, W, Ws, v), 12);
    expect(maxAbs(dv)).toBeGreaterThan(1e-2);
    expect(maxDiff(ind.dQ, dQ)).toBeLessThan(1e-6);
    expect(maxDiff(ind.dR, dR)).toBeLessThan(1e-6);
    expect(maxDiff(dvFD, dv)).toBeLessThan(1e-7);
  });
});

describe('integrated constrained flows (ReLU, K = 4, M = 3)', () => {
  const act = getActivation('relu');
  const K4 = 4;
  const M3 = 3;
  const T = identity(M3);
  const init = gaussianInit(K4, M3, K4 + M3, createRng(7, 'flows-constrained', 'init'));

  function run(name: 'gd' | 'ngd' | 'ongd' | '2l', kappa = 1, method: 'dopri5' | 'rk4' = 'dopri5') {
    const flow = makeAlgorithmFlow(name, act, K4, M3, T, { kappa });
    const y0 = flow.initialState(init);
    const losses: number[] = [];
    const diagDev: number[] = [];
    const res = integrate(flow.rhs, y0, {
      method, dt: 0.05, tauMax: 200, tol: 1e-9, rtol: 1e-10, atol: 1e-12,
      recordTimes: [1, 2, 5, 10, 20, 50, 100],
      onRecord: (_t, y) => {
        losses.push(flow.loss(y));
        const { Q } = flow.views(y);
        const Q0 = flow.views(y0).Q;
        diagDev.push(name === 'ongd' ? maxDiff(Q, identity(K4)) : Math.max(...Array.from({ length: K4 }, (_, k) => Math.abs(Q[k * K4 + k] - Q0[k * K4 + k]))));
      },
    });
    return { flow, y0, res, losses, diagDev };
  }

  it('nGD keeps diag(Q) at its initial value 1 while the loss decreases', () => {
    const { flow, y0, losses, diagDev } = run('ngd');
    const Q0 = flow.views(y0).Q;
    for (let k = 0; k < K4; k++) expect(Q0[k * K4 + k]).toBeCloseTo(1, 14);
    expect(Math.max(...diagDev)).toBeLessThan(1e-9);
    for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThanOrEqual(losses[i - 1] + 1e-12);
    expect(losses[losses.length - 1]).toBeLessThan(0.5 * losses[0]);
  });

  it('onGD keeps Q = I while the loss decreases', () => {
    const { flow, y0, losses, diagDev } = run('ongd');
    expect(maxDiff(flow.views(y0).Q, identity(K4))).toBe(0);
    expect(Math.max(...diagDev)).toBe(0);
    for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThanOrEqual(losses[i - 1] + 1e-12);
    expect(losses[losses.length - 1]).toBeLessThan(0.9 * losses[0]);
  });

  it('2L-GD with κ = 0 (v = 1) follows plain GD exactly (same RK4 steps)', () => {
    const gd = run('gd', 1, 'rk4');
    const l2 = run('2l', 0, 'rk4');
    expect(l2.res.steps).toBe(gd.res.steps);
    const v = l2.flow.views(l2.res.y).v!;
    expect(maxDiff(v, new Float64Array(K4).fill(1))).toBe(0);
    expect(maxDiff(l2.res.y.subarray(0, K4 * K4 + K4 * M3), gd.res.y)).toBeLessThan(1e-13);
    expect(maxDiff(l2.losses, gd.losses)).toBeLessThan(1e-13);
  });

  it('2L-GD with κ = 1 decreases the loss and moves v', () => {
    const { flow, res, losses } = run('2l', 1);
    for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThanOrEqual(losses[i - 1] + 1e-12);
    expect(maxAbs(flow.views(res.y).v!.map((x) => x - 1))).toBeGreaterThan(1e-2);
  });
});

describe('constraint projections of initial overlaps', () => {
  it('normaliseRows and orthonormaliseOverlaps match explicit row normalisation / Gram–Schmidt', () => {
    const { W, Ws } = randomWeights(5);
    const o = overlapsOf(W, Ws, K, M, N);
    const n1 = normaliseOverlaps(K, M, o.Q, o.R);
    const n2 = overlapsOf(normalise(W), Ws, K, M, N);
    expect(maxDiff(n1.Q, n2.Q)).toBeLessThan(1e-13);
    expect(maxDiff(n1.R, n2.R)).toBeLessThan(1e-13);
    const o1 = orthonormaliseOverlaps(K, M, o.Q, o.R);
    const o2 = overlapsOf(gramSchmidt(W), Ws, K, M, N);
    expect(maxDiff(o1.Q, o2.Q)).toBeLessThan(1e-12);
    expect(maxDiff(o1.R, o2.R)).toBeLessThan(1e-12);
  });

  it('orthonormaliseOverlaps rejects a rank-deficient Q (K > init dimension)', () => {
    const init = gaussianInit(4, 2, 2, createRng(1, 'flows-constrained', 'rank'));
    expect(() => orthonormaliseOverlaps(4, 2, init.Q, init.R)).toThrow(RangeError);
  });
});
