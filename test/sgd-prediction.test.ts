// SGD near the stable K = M = 6, n = 1 fixed point (docs/theory.md §9): the first-order level shift
// against the SGD-ODE stationary point solved independently (Newton with a forward-difference
// Jacobian) at two small η (Richardson in η), a₁ = ¼ tr Φ at P = 0, the OU variance against the
// Wishart limit at small η and against a Monte Carlo of its noise, and instability reported.
import { describe, expect, it } from 'vitest';
import { getActivation } from '../src/activations/index.js';
import { familyLevels } from '../src/theory/levels.js';
import { makeFullResidual } from '../src/theory/fixed-points.js';
import { makePhiHat } from '../src/theory/sgd-phi-jacobian.js';
import { populationLoss } from '../src/theory/loss.js';
import { newtonSolve } from '../src/linalg/newton.js';
import { identity } from '../src/linalg/vector.js';
import { bilinear } from '../src/linalg/matrix.js';
import { makeNoiseSampler } from '../src/theory/sgd-noise-mc.js';
import { createRng } from '../src/random/rng.js';
import { prepareSgdLevel, predictSgdLevel, sgdPredictionAtN } from '../src/theory/sgd-prediction.js';

const relu = getActivation('relu');
const K = 6, M = 6;
const T = identity(M);
const level = familyLevels(relu, K, M, 1, [], false)[0];
const ctx = prepareSgdLevel(relu, K, M, level.point.Q, level.point.R, T, { samples: 20_000, meanSamples: 20_000 });

/** ε at the root of F + η Φ̂ found by the project's Newton (forward-difference Jacobian) from X*. */
function sgdOdeLevel(eta: number): { loss: number; x: Float64Array } {
  const full = makeFullResidual(relu, K, M, T);
  const ph = makePhiHat(relu, K, M, T);
  const phi = new Float64Array(full.size);
  const F = (x: Float64Array, out: Float64Array) => {
    full.residual(x, out);
    ph.phiHat(x, phi);
    for (let i = 0; i < out.length; i++) out[i] += eta * phi[i];
  };
  const sol = newtonSolve(F, full.pack(level.point.Q, level.point.R), { tol: 1e-14, maxIter: 20, valid: full.valid });
  expect(sol.norm).toBeLessThan(1e-13);
  const Q = new Float64Array(K * K), R = new Float64Array(K * M);
  full.unpack(sol.x, Q, R);
  return { loss: populationLoss(relu, K, M, Q, R, T), x: sol.x };
}

describe('SGD at the K = M = 6, n = 1 level (docs/theory.md §9)', () => {
  it('is a P = 0 fixed point, where a₁ = −∇ε·J⁻¹Φ̂ equals ¼ tr Φ (docs/theory.md §9.2)', () => {
    expect(ctx.rhsNorm).toBeLessThan(1e-10);
    expect(ctx.pNorm).toBeLessThan(1e-12);
    expect(Math.abs(ctx.coef - ctx.quarterTracePhi)).toBeLessThan(1e-9 * ctx.quarterTracePhi);
  });

  it('the first-order shift is dε(X_η)/dη at η = 0 (independent Newton solves, Richardson in η), to 1e-3', () => {
    const h = 1e-3;
    const e1 = sgdOdeLevel(h);
    const e2 = sgdOdeLevel(2 * h);
    const d1 = (e1.loss - ctx.level) / h;
    const d2 = (e2.loss - ctx.level) / (2 * h);
    const slope = 2 * d1 - d2; // = a₁ + O(h²)
    expect(Math.abs(slope - ctx.coef) / ctx.coef).toBeLessThan(1e-3);
    // the second-order term is visible: without Richardson the first difference is off by ~a₂h
    expect(Math.abs(d1 - ctx.coef)).toBeGreaterThan(Math.abs(slope - ctx.coef));
    // the library's own stationary point (chord Newton) is the same root
    const p = predictSgdLevel(ctx, h);
    expect(Math.abs(p.levelOde - e1.loss)).toBeLessThan(1e-13);
    expect(p.etaResidual).toBeLessThan(1e-12);
  });

  it('at small η the OU variance of ε is the Wishart term of docs/theory.md §9.4', () => {
    const eta = 1e-3;
    const p = predictSgdLevel(ctx, eta);
    expect(p.stable).toBe(true);
    expect(p.lyapunovResidual).toBeLessThan(1e-12);
    // Var ε = (η/N) varCoef → (η²/N) · ½ tr((S P₁)²) as η → 0 (relative O(η) corrections, ~10η here)
    expect(Math.abs(p.varCoefLeading / eta - ctx.wishartCoef) / ctx.wishartCoef).toBeLessThan(0.03);
    const at = sgdPredictionAtN(p, 1000);
    expect(at.sd).toBeGreaterThan(0);
    expect(at.levelFirst).toBeCloseTo(ctx.level + eta * ctx.coef, 15);
    expect(p.tauInt).toBeGreaterThan(0);
  });

  it('∇εᵀΣ∇ε with the closed-form C equals a Monte Carlo of E[(f − F)ᵀ Y (f − F)] at X_η (within 4 SE)', () => {
    const eta = 0.05;
    const p = predictSgdLevel(ctx, eta);
    const n = ctx.size;
    const Q = new Float64Array(K * K), R = new Float64Array(K * M);
    ctx.unpack(p.xEta!, Q, R);
    // duality: gᵀ Σ g = tr(C Y) is what the closed form gives; sample the right-hand side
    const F = new Float64Array(n);
    ctx.residual(p.xEta!, F);
    const sample = makeNoiseSampler(relu, K, M, Q, R, T, createRng(71, 'ou'));
    const f = new Float64Array(n), hh = new Float64Array(n);
    const S = 100_000;
    let s1 = 0, s2 = 0;
    for (let t = 0; t < S; t++) {
      sample(f, hh);
      for (let i = 0; i < n; i++) f[i] -= F[i];
      const v = bilinear(f, p.dual!, f, n);
      s1 += v;
      s2 += v * v;
    }
    const mean = s1 / S;
    const se = Math.sqrt((s2 / S - mean * mean) / S);
    expect(Math.abs(p.varCoefLeading - mean)).toBeLessThan(4 * se);
    expect(se).toBeLessThan(0.02 * mean);
  });
});

describe('the Monte-Carlo noise covariance (the path for activations without a closed form)', () => {
  it('gives the same variance coefficient as the closed form plus sampled η h part (within 4 SE)', () => {
    const eta = 0.05;
    const closed = predictSgdLevel(ctx, eta);
    const mcCtx = prepareSgdLevel(relu, K, M, level.point.Q, level.point.R, T, { samples: 40_000, meanSamples: 1000, noise: 'monte-carlo', seed: 5 });
    const mc = predictSgdLevel(mcCtx, eta);
    expect(closed.cMethod).toBe('closed-form');
    expect(mc.cMethod).toBe('monte-carlo');
    expect(Math.abs(mc.varCoef - closed.varCoef)).toBeLessThan(4 * Math.hypot(mc.varCoefSe, closed.varCoefSe));
    expect(mc.varCoefSe).toBeLessThan(0.05 * mc.varCoef);
  });
});

describe('SGD predictions at an unstable level', () => {
  it('report no stationary covariance (K = M = 6, n = 2, a saddle)', () => {
    const saddle = familyLevels(relu, K, M, 2, [], true)[0];
    expect(saddle.stable).toBe(false);
    const c = prepareSgdLevel(relu, K, M, saddle.point.Q, saddle.point.R, T, { samples: 1000, meanSamples: 1000 });
    const p = predictSgdLevel(c, 0.01);
    expect(p.stable).toBe(false);
    expect(p.sigma).toBeNull();
    expect(Number.isNaN(sgdPredictionAtN(p, 1000).sd)).toBe(true);
  });
});
