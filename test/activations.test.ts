// Closed-form Gaussian integrals against Monte Carlo, and I2 partials against finite differences.
import { describe, expect, it } from 'vitest';
import { getActivation, ACTIVATION_NAMES } from '../src/activations/index.js';
import { createRng } from '../src/random/rng.js';
import { randomCovariance, cholesky } from './helpers.js';

const activations = ACTIVATION_NAMES.map((n) => getActivation(n, 0.2));

describe.each(activations)('$name', (act) => {
  it('I2 matches Monte Carlo within 5 standard errors on 20 random covariances', () => {
    const rng = createRng(11, act.name, 'I2');
    const S = 200_000;
    for (let trial = 0; trial < 20; trial++) {
      const C = randomCovariance(2, rng);
      const L = cholesky(C, 2);
      let sum = 0, sum2 = 0;
      for (let s = 0; s < S; s++) {
        const z0 = rng.normal(), z1 = rng.normal();
        const u = L[0] * z0, v = L[2] * z0 + L[3] * z1;
        const f = act.g(u) * act.g(v);
        sum += f;
        sum2 += f * f;
      }
      const mean = sum / S;
      const se = Math.sqrt((sum2 / S - mean * mean) / S);
      expect(Math.abs(act.I2(C[0], C[3], C[1]) - mean)).toBeLessThan(5 * se + 1e-12);
    }
  });

  it('I3 matches Monte Carlo within 5 standard errors on 20 random covariances', () => {
    const rng = createRng(12, act.name, 'I3');
    const S = 200_000;
    for (let trial = 0; trial < 20; trial++) {
      const C = randomCovariance(3, rng);
      const L = cholesky(C, 3);
      let sum = 0, sum2 = 0;
      for (let s = 0; s < S; s++) {
        const z0 = rng.normal(), z1 = rng.normal(), z2 = rng.normal();
        const u = L[0] * z0;
        const v = L[3] * z0 + L[4] * z1;
        const w = L[6] * z0 + L[7] * z1 + L[8] * z2;
        const f = act.gPrime(u) * v * act.g(w);
        sum += f;
        sum2 += f * f;
      }
      const mean = sum / S;
      const se = Math.sqrt((sum2 / S - mean * mean) / S);
      const I3 = act.I3(C[0], C[1], C[2], C[5], C[8]);
      expect(Math.abs(I3 - mean)).toBeLessThan(5 * se + 1e-12);
    }
  });

  it('I2 partials match central finite differences', () => {
    const rng = createRng(13, act.name, 'fd');
    const p = new Float64Array(4);
    for (let trial = 0; trial < 50; trial++) {
      const C = randomCovariance(2, rng);
      const [a, c, , b] = C;
      act.I2Partials(a, b, c, p);
      expect(p[0]).toBeCloseTo(act.I2(a, b, c), 14);
      const h = 1e-6;
      const fa = (act.I2(a + h, b, c) - act.I2(a - h, b, c)) / (2 * h);
      const fb = (act.I2(a, b + h, c) - act.I2(a, b - h, c)) / (2 * h);
      const fc = (act.I2(a, b, c + h) - act.I2(a, b, c - h)) / (2 * h);
      expect(Math.abs(p[1] - fa)).toBeLessThan(1e-7 * (1 + Math.abs(fa)));
      expect(Math.abs(p[2] - fb)).toBeLessThan(1e-7 * (1 + Math.abs(fb)));
      expect(Math.abs(p[3] - fc)).toBeLessThan(1e-7 * (1 + Math.abs(fc)));
    }
  });

  it('handles a zero-norm unit and |ρ| = 1 on the diagonal without NaN', () => {
    const p = new Float64Array(4);
    for (const [a, b, c] of [[0, 1, 0], [1, 0, 0], [2, 2, 2], [2, 2, 2 * (1 + 1e-15)], [1, 1, -1]]) {
      act.I2Partials(a, b, c, p);
      for (const x of p) expect(Number.isFinite(x)).toBe(true);
      expect(Number.isFinite(act.I3(a, c, c, c, b))).toBe(true);
    }
  });
});

describe('relu closed forms', () => {
  const relu = getActivation('relu');
  it('I2(a, a, a) = a/2 and I3 with u = w gives C_uv/2', () => {
    expect(relu.I2(3, 3, 3)).toBeCloseTo(1.5, 14);
    expect(relu.I3(2, 0.7, 2, 0.7, 2)).toBeCloseTo(0.35, 14);
  });
  it('∂I2/∂c at the diagonal is ½ = P(u > 0)', () => {
    const p = new Float64Array(4);
    relu.I2Partials(2, 2, 2, p);
    expect(p[3]).toBeCloseTo(0.5, 12);
  });
});
