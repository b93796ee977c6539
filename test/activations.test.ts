// Closed-form Gaussian integrals against Monte Carlo, and I2 partials against finite differences.
import { describe, expect, it } from 'vitest';
import { getActivation, ACTIVATION_NAMES, type Activation } from '../src/activations/index.js';
import { createRng } from '../src/random/rng.js';
import { randomCovariance, cholesky } from './helpers.js';
import { D_AA, D_AB, D_AC, D_BB, D_BC, D_CC, i2SecondOf, selfSecondOf } from '../src/activations/second.js';

const activations = ACTIVATION_NAMES.map((n) => getActivation(n, 0.2));

/**
 * The activation × integral table: every closed form against plain Monte Carlo on random
 * covariances of its dimension (docs/theory.md §2, §4.2). `f` is the integrand at a Gaussian
 * sample z with covariance C; `closed` the closed form at C.
 */
interface IntegralCase {
  name: string;
  dim: number;
  trials: number;
  samples: number;
  f: (act: Activation, z: Float64Array) => number;
  closed: (act: Activation, C: Float64Array) => number | undefined;
}
const INTEGRALS: IntegralCase[] = [
  { name: 'I2 = E[g(u) g(v)]', dim: 2, trials: 20, samples: 200_000, f: (a, z) => a.g(z[0]) * a.g(z[1]), closed: (a, C) => a.I2(C[0], C[3], C[1]) },
  { name: 'I3 = E[g′(u) v g(w)]', dim: 3, trials: 20, samples: 200_000, f: (a, z) => a.gPrime(z[0]) * z[1] * a.g(z[2]), closed: (a, C) => a.I3(C[0], C[1], C[2], C[5], C[8]) },
  { name: 'J2 = E[g′(u) g′(v)]', dim: 2, trials: 10, samples: 100_000, f: (a, z) => a.gPrime(z[0]) * a.gPrime(z[1]), closed: (a, C) => a.J2?.(C[0], C[3], C[1]) },
  { name: 'I4 = E[g′(u) g′(v) g(a) g(b)]', dim: 4, trials: 6, samples: 150_000, f: (a, z) => a.gPrime(z[0]) * a.gPrime(z[1]) * a.g(z[2]) * a.g(z[3]), closed: (a, C) => a.I4?.(C) },
];

describe.each(activations)('$name', (act) => {
  it.each(INTEGRALS)('$name matches Monte Carlo within 5 standard errors on random covariances', (c) => {
    const rng = createRng(11, act.name, c.name);
    const z = new Float64Array(c.dim);
    const e = new Float64Array(c.dim);
    for (let trial = 0; trial < c.trials; trial++) {
      const C = randomCovariance(c.dim, rng);
      const want = c.closed(act, C);
      expect(want, `${act.name} provides ${c.name}`).toBeDefined();
      const L = cholesky(C, c.dim);
      let sum = 0, sum2 = 0;
      for (let s = 0; s < c.samples; s++) {
        for (let i = 0; i < c.dim; i++) e[i] = rng.normal();
        for (let i = 0; i < c.dim; i++) {
          let v = 0;
          for (let j = 0; j <= i; j++) v += L[i * c.dim + j] * e[j];
          z[i] = v;
        }
        const f = c.f(act, z);
        sum += f;
        sum2 += f * f;
      }
      const mean = sum / c.samples;
      const se = Math.sqrt((sum2 / c.samples - mean * mean) / c.samples);
      expect(Math.abs(want! - mean)).toBeLessThan(5 * se + 1e-12);
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

  it('I2 second derivatives (closed forms where given) match central differences of the partials, and the fallback agrees', () => {
    // docs/theory.md §8.4; the fallback of activations/second.ts is what an activation without I2Second gets
    const closed = i2SecondOf(act);
    const fallback = i2SecondOf({ ...act, I2Second: undefined });
    const rng = createRng(17, act.name, 'second');
    const d = new Float64Array(10);
    const f = new Float64Array(10);
    const pp = new Float64Array(4);
    const pm = new Float64Array(4);
    for (let trial = 0; trial < 50; trial++) {
      const C = randomCovariance(2, rng);
      const [a, c, , b] = C;
      closed(a, b, c, d);
      fallback(a, b, c, f);
      act.I2Partials(a, b, c, pp);
      for (let i = 0; i < 4; i++) expect(d[i]).toBeCloseTo(pp[i], 13);
      const h = 1e-6;
      // rows: derivatives of ∂a, ∂b, ∂c; columns a, b, c
      const idx = [[D_AA, D_AB, D_AC], [D_AB, D_BB, D_BC], [D_AC, D_BC, D_CC]];
      const x = [a, b, c];
      for (let j = 0; j < 3; j++) {
        const xp = [...x];
        const xm = [...x];
        xp[j] += h;
        xm[j] -= h;
        act.I2Partials(xp[0], xp[1], xp[2], pp);
        act.I2Partials(xm[0], xm[1], xm[2], pm);
        for (let i = 0; i < 3; i++) {
          const fd = (pp[i + 1] - pm[i + 1]) / (2 * h);
          expect(Math.abs(d[idx[i][j]] - fd), `${act.name} ∂${'abc'[i]}${'abc'[j]}`).toBeLessThan(1e-7 * (1 + Math.abs(fd)));
        }
      }
      for (let i = 4; i < 10; i++) expect(Math.abs(f[i] - d[i])).toBeLessThan(1e-7 * (1 + Math.abs(d[i])));
    }
    // σ″(q) = d²/dq² ½ I2(q, q, q): closed form against the fallback's central difference
    const self = selfSecondOf(act);
    const selfFd = selfSecondOf({ ...act, selfSecond: undefined });
    for (const q of [0.3, 1, 2.5]) expect(Math.abs(self(q) - selfFd(q))).toBeLessThan(1e-7);
    if (act.name === 'erf') expect(self(1)).toBeCloseTo(-5 / (4 * Math.PI * 3 ** 1.5), 14);
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
