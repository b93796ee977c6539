// The SGD ODE of docs/theory.md §4.2: Φ_kl = E[Δ² g′(λ_k) g′(λ_l)] + σ² E[g′ g′] against plain Monte
// Carlo at random (Q, R, T), and dQ/dτ = F_Q + η Φ reducing to the gradient flow as η → 0.
import { describe, expect, it } from 'vitest';
import { getActivation } from '../src/activations/index.js';
import { makeFlow } from '../src/theory/flow.js';
import { makePhi, makeSgdFlow } from '../src/theory/sgd-flow.js';
import { runTrajectory } from '../src/ode/trajectory.js';
import { gaussianInit } from '../src/theory/init.js';
import { createRng } from '../src/random/rng.js';
import { randomCovariance, randomOverlaps, cholesky } from './helpers.js';
import { makeAlgorithmFlow } from '../src/theory/algorithms.js';
import { packState } from '../src/theory/overlaps.js';
import { flowSystem } from '../src/ode/compare.js';

const CASES: [string, number][] = [['relu', 0], ['leaky-relu', 0.2], ['erf', 0]];

/** Splits a random (K+M)×(K+M) covariance into Q, R, T. */

describe.each(CASES)('%s SGD ODE', (name, alpha) => {
  const act = getActivation(name, alpha);
  const K = 3, M = 2, P = K + M;

  it('Φ (with label noise σ² = 0.3) matches Monte Carlo within 5 standard errors', () => {
    const { Om, Q, R, T } = randomOverlaps(K, M, createRng(51, name));
    const sigma2 = 0.3;
    const Phi = new Float64Array(K * K);
    makePhi(act, K, M, T, sigma2)(Q, R, Phi);
    const L = cholesky(Om, P);
    const rng = createRng(52, name);
    const S = 300_000;
    const z = new Float64Array(P), x = new Float64Array(P);
    const sum = new Float64Array(K * K), sum2 = new Float64Array(K * K);
    for (let s = 0; s < S; s++) {
      rng.fillNormal(z);
      for (let i = 0; i < P; i++) {
        let v = 0;
        for (let k = 0; k <= i; k++) v += L[i * P + k] * z[k];
        x[i] = v;
      }
      let delta = 0;
      for (let p = 0; p < P; p++) delta += (p < K ? 1 : -1) * act.g(x[p]);
      delta -= Math.sqrt(sigma2) * rng.normal(); // label noise y = Σ g(ν) + σ ξ
      for (let k = 0; k < K; k++)
        for (let l = k; l < K; l++) {
          const f = delta * delta * act.gPrime(x[k]) * act.gPrime(x[l]);
          sum[k * K + l] += f;
          sum2[k * K + l] += f * f;
        }
    }
    for (let k = 0; k < K; k++)
      for (let l = k; l < K; l++) {
        const mean = sum[k * K + l] / S;
        const se = Math.sqrt((sum2[k * K + l] / S - mean * mean) / S);
        expect(Math.abs(Phi[k * K + l] - mean)).toBeLessThan(5 * se);
        expect(Phi[l * K + k]).toBe(Phi[k * K + l]);
      }
  });

  it('dQ/dτ = F_Q + η Φ and dR/dτ = F_R; η = 0 is the gradient flow', () => {
    const { Q, R, T } = randomOverlaps(K, M, createRng(51, name + '2'));
    const dQ0 = new Float64Array(K * K), dR0 = new Float64Array(K * M);
    const dQ = new Float64Array(K * K), dR = new Float64Array(K * M);
    const Phi = new Float64Array(K * K);
    const loss0 = makeFlow(act, K, M, T)(Q, R, dQ0, dR0);
    makePhi(act, K, M, T)(Q, R, Phi);
    for (const eta of [0, 1e-6, 0.5]) {
      const loss = makeSgdFlow(act, K, M, T, eta)(Q, R, dQ, dR);
      expect(loss).toBe(loss0);
      for (let i = 0; i < K * M; i++) expect(dR[i]).toBe(dR0[i]);
      for (let i = 0; i < K * K; i++) expect(Math.abs(dQ[i] - dQ0[i] - eta * Phi[i])).toBeLessThan(1e-13);
    }
    // Φ_kk > 0 away from the global minimum (a test of sign, not only of consistency)
    for (let k = 0; k < K; k++) expect(Phi[k * K + k]).toBeGreaterThan(0);
  });
});

describe('SGD ODE trajectories (relu, K = M = 3)', () => {
  it('converge to the gradient-flow trajectory as η → 0, with the O(η) gap shrinking linearly', () => {
    const act = getActivation('relu');
    const init = gaussianInit(3, 3, 50, createRng(53, 'traj'));
    const opts = { method: 'dopri5' as const, tauMax: 20, tol: 0, rtol: 1e-8, atol: 1e-10, recordTimes: [5, 10, 20] };
    const gf = runTrajectory(makeAlgorithmFlow('gd', act, 3, 3, init.T), packState(init), opts);
    const gaps: number[] = [];
    for (const eta of [0.02, 0.01]) {
      const sgd = runTrajectory(flowSystem(makeSgdFlow(act, 3, 3, init.T, eta), 3, 3), packState(init), opts);
      let gap = 0;
      for (let i = 0; i < gf.records.length; i++) gap = Math.max(gap, Math.abs(sgd.records[i].loss - gf.records[i].loss));
      gaps.push(gap);
    }
    expect(gaps[0]).toBeGreaterThan(1e-5);
    expect(gaps[1] / gaps[0]).toBeGreaterThan(0.4);
    expect(gaps[1] / gaps[0]).toBeLessThan(0.6);
  });
});
