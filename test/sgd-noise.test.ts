// The closed-form SGD noise of docs/theory.md §9.3 (ReLU): truncated Gaussian moments against
// exact one-dimensional values and Monte Carlo, E[f] against the flow RHS, C = Cov f against
// Monte Carlo entry by entry, and the touched-term Jacobian of Φ̂ against plain central differences.
import { describe, expect, it } from 'vitest';
import { getActivation } from '../src/activations/index.js';
import { makeOrthantMoments } from '../src/activations/orthant-moments.js';
import { noiseCovariance, reluNoiseMoments } from '../src/theory/sgd-noise.js';
import { makeNoiseSampler } from '../src/theory/sgd-noise-mc.js';
import { makeFullResidual } from '../src/theory/fixed-points.js';
import { makePhiHat } from '../src/theory/sgd-phi-jacobian.js';
import { createRng } from '../src/random/rng.js';
import { randomCovariance, randomOverlaps, cholesky } from './helpers.js';

const relu = getActivation('relu');

/** Q, R, T from a random (K+M)×(K+M) covariance. */

describe('truncated Gaussian moments E[x^μ 1(x > 0)]', () => {
  it('one variable: E[x^j 1(x>0)] = σ^j (j−1)!!/2 (j even), σ^j (j−1)!!/√(2π) (j odd)', () => {
    const s2 = 1.7, s = Math.sqrt(s2);
    const mom = makeOrthantMoments([s2], 1, 1);
    const want = [0.5, s / Math.sqrt(2 * Math.PI), s2 / 2, (2 * s2 * s) / Math.sqrt(2 * Math.PI), (3 * s2 * s2) / 2];
    for (let j = 0; j <= 4; j++) expect(mom([j])).toBeCloseTo(want[j], 14);
  });

  it('four variables: every monomial of degree ≤ 4 within 5 standard errors of Monte Carlo', () => {
    const d = 4;
    const C = randomCovariance(d, createRng(62, 'moments'));
    const mom = makeOrthantMoments(C, d, 15);
    const L = cholesky(C, d);
    const monos: number[][] = [];
    for (let a = 0; a <= 4; a++) for (let b = 0; a + b <= 4; b++) for (let c = 0; a + b + c <= 4; c++) for (let e = 0; a + b + c + e <= 4; e++) monos.push([a, b, c, e]);
    const S = 400_000;
    const rng = createRng(63, 'moments');
    const xi = new Float64Array(d), x = new Float64Array(d);
    const s1 = new Float64Array(monos.length), s2 = new Float64Array(monos.length);
    for (let t = 0; t < S; t++) {
      rng.fillNormal(xi);
      for (let i = 0; i < d; i++) {
        let v = 0;
        for (let k = 0; k <= i; k++) v += L[i * d + k] * xi[k];
        x[i] = v;
      }
      if (!(x[0] > 0 && x[1] > 0 && x[2] > 0 && x[3] > 0)) continue;
      monos.forEach((m, j) => {
        const v = x[0] ** m[0] * x[1] ** m[1] * x[2] ** m[2] * x[3] ** m[3];
        s1[j] += v;
        s2[j] += v * v;
      });
    }
    monos.forEach((m, j) => {
      const mean = s1[j] / S;
      const se = Math.sqrt((s2[j] / S - mean * mean) / S);
      expect(Math.abs(mom(m) - mean), `μ = ${m}`).toBeLessThan(5 * se);
    });
  });
});

describe('closed-form noise of one SGD step (ReLU, docs/theory.md §9.3)', () => {
  const K = 3, M = 2;
  const { Q, R, T } = randomOverlaps(K, M, createRng(61, 'noise'));
  const { mean, C } = noiseCovariance(reluNoiseMoments(K, M, Q, R, T));
  const n = mean.length;

  it('E[f] is the gradient-flow RHS F (the I3 form of docs/theory.md §3)', () => {
    const full = makeFullResidual(relu, K, M, T);
    const F = new Float64Array(full.size);
    full.residual(full.pack(Q, R), F);
    for (let i = 0; i < n; i++) expect(Math.abs(mean[i] - F[i])).toBeLessThan(1e-13);
  });

  it('C = Cov f agrees with Monte Carlo in every entry (within 5 standard errors)', () => {
    const sample = makeNoiseSampler(relu, K, M, Q, R, T, createRng(64, 'noise'));
    const f = new Float64Array(n), h = new Float64Array(n);
    const S = 400_000;
    const s1 = new Float64Array(n), s2 = new Float64Array(n * n), s4 = new Float64Array(n * n);
    for (let t = 0; t < S; t++) {
      sample(f, h);
      for (let i = 0; i < n; i++) {
        s1[i] += f[i];
        for (let j = 0; j < n; j++) {
          const v = f[i] * f[j];
          s2[i * n + j] += v;
          s4[i * n + j] += v * v;
        }
      }
    }
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const e2 = s2[i * n + j] / S;
        const cov = e2 - (s1[i] / S) * (s1[j] / S);
        const se = Math.sqrt((s4[i * n + j] / S - e2 * e2) / S);
        expect(Math.abs(cov - C[i * n + j]), `C[${i},${j}]`).toBeLessThan(5 * se);
      }
  });
});

describe('Jacobian of the SGD drift Φ̂ (docs/theory.md §8.7)', () => {
  it('the touched-term central differences equal plain central differences of Φ̂', () => {
    const K = 3, M = 2;
    const { Q, R, T } = randomOverlaps(K, M, createRng(61, 'phi-jac'));
    const ph = makePhiHat(relu, K, M, T);
    const full = makeFullResidual(relu, K, M, T);
    const x = full.pack(Q, R);
    const n = ph.size;
    const J = ph.jacobian(x);
    const fp = new Float64Array(n), fm = new Float64Array(n);
    let worst = 0;
    for (let j = 0; j < n; j++) {
      const h = 1e-5 * Math.max(1, Math.abs(x[j]));
      const xp = Float64Array.from(x), xm = Float64Array.from(x);
      xp[j] += h;
      xm[j] -= h;
      ph.phiHat(xp, fp);
      ph.phiHat(xm, fm);
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(J[i * n + j] - (fp[i] - fm[i]) / (xp[j] - xm[j])));
    }
    expect(worst).toBeLessThan(1e-8);
    let nonzero = 0;
    for (const v of J) if (Math.abs(v) > 1e-3) nonzero++;
    expect(nonzero).toBeGreaterThan(n); // not trivially zero
  });
});
