// I4 = E[g′(u) g′(v) g(a) g(b)] and J2 = E[g′(u) g′(v)] (docs/theory.md §4.2): the orthant probability
// against closed forms and an independent 1-D quadrature, I4 against an independent 1-D
// quadrature for one-factor covariances (accuracy 1e-9) and against plain Monte Carlo.
import { describe, expect, it } from 'vitest';
import { getActivation } from '../src/activations/index.js';
import { erf } from '../src/activations/erf.js';
import { orthant2, orthant4, gaussLegendre } from '../src/activations/orthant.js';
import { createRng } from '../src/random/rng.js';
import { randomCovariance, cholesky } from './helpers.js';

const Phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
const GL = gaussLegendre(40);

/** ∫ φ(z) f(z) dz over [−12, 12], composite 40-point Gauss–Legendre on 480 panels. */
function gaussianExpect(f: (z: number) => number): number {
  let s = 0;
  const panels = 480, lo = -12, h = 24 / panels;
  for (let p = 0; p < panels; p++) {
    const c = lo + (p + 0.5) * h;
    for (let i = 0; i < GL.x.length; i++) {
      const z = c + 0.5 * h * GL.x[i];
      s += 0.5 * h * GL.w[i] * phi(z) * f(z);
    }
  }
  return s;
}

/** One-factor covariance: x_i = c_i (l_i z + √(1 − l_i²) e_i). */
function oneFactor(l: number[], c: number[]): Float64Array {
  const C = new Float64Array(16);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) C[i * 4 + j] = c[i] * c[j] * (i === j ? 1 : l[i] * l[j]);
  return C;
}

/** E[g′(x)] and E[g(x)] for x = c (l z + s e), given z, for the activations under test. */
function condExpect(name: string, alpha: number, l: number, c: number, z: number): { gp: number; g: number } {
  const s = Math.sqrt(1 - l * l);
  const mu = c * l * z, sd = c * s;
  if (name === 'erf') {
    return { gp: (Math.sqrt(2 / Math.PI) * Math.exp(-(mu * mu) / (2 * (1 + sd * sd)))) / Math.sqrt(1 + sd * sd), g: erf(mu / Math.sqrt(2 * (1 + sd * sd))) };
  }
  const P = Phi(mu / sd);
  const relu = mu * P + sd * phi(mu / sd);
  return { gp: alpha + (1 - alpha) * P, g: alpha * mu + (1 - alpha) * relu };
}

describe('orthant probabilities', () => {
  it('P4 matches closed forms: ρ = ½ gives 1/5, block-diagonal gives P2·P2, the regular simplex gives 0', () => {
    expect(Math.abs(orthant4([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]) - 0.2)).toBeLessThan(1e-10);
    expect(Math.abs(orthant4([0.3, 0, 0, 0, 0, -0.7]) - orthant2(0.3) * orthant2(-0.7))).toBeLessThan(1e-10);
    expect(Math.abs(orthant4([0, 0.95, 0, 0, -0.2, 0]) - orthant2(0.95) * orthant2(-0.2))).toBeLessThan(1e-10);
    expect(orthant4(new Array(6).fill(-1 / 3))).toBeLessThan(1e-10);
  });

  it('P4 matches the one-factor 1-D integral to 2e-9, including near-degenerate correlations', () => {
    const rng = createRng(41, 'orthant4');
    const cases = [[0.9, -0.6, 0.99999, 0.3], [0.9999999, 0.9999999, 0.5, -0.5]];
    for (let t = 0; t < 20; t++) cases.push([0, 0, 0, 0].map(() => 2 * rng.uniform() - 1));
    for (const l of cases) {
      const r = [l[0] * l[1], l[0] * l[2], l[0] * l[3], l[1] * l[2], l[1] * l[3], l[2] * l[3]];
      const ref = gaussianExpect((z) => l.reduce((p, li) => p * Phi((li * z) / Math.sqrt(1 - li * li)), 1));
      expect(Math.abs(orthant4(r) - ref)).toBeLessThan(2e-9); // the reference limits this for l = 0.9999999
    }
  });
});

const CASES: [string, number][] = [['relu', 0], ['leaky-relu', 0.2], ['erf', 0]];

describe.each(CASES)('%s I4', (name, alpha) => {
  const act = getActivation(name, alpha);

  it('matches the independent 1-D quadrature for one-factor covariances to 1e-9', () => {
    const rng = createRng(42, name, 'one-factor');
    for (let t = 0; t < 30; t++) {
      const l = [0, 0, 0, 0].map(() => 1.98 * rng.uniform() - 0.99);
      if (t === 0) l.splice(0, 4, 0.999999, 0.3, 0.999999, -0.4); // u, a nearly coincident
      const c = [0, 0, 0, 0].map(() => 0.3 + 1.5 * rng.uniform());
      const C = oneFactor(l, c);
      const ref = gaussianExpect((z) => {
        const e = [0, 1, 2, 3].map((i) => condExpect(name, alpha, l[i], c[i], z));
        return e[0].gp * e[1].gp * e[2].g * e[3].g;
      });
      expect(Math.abs(act.I4!(C) - ref)).toBeLessThan(1e-9);
    }
  });

  it('matches Monte Carlo within 5 standard errors on 12 random covariances and 6 degenerate ones', () => {
    const rng = createRng(43, name, 'mc');
    const S = 300_000;
    const covs: Float64Array[] = [];
    for (let t = 0; t < 12; t++) covs.push(randomCovariance(4, rng));
    // coincident variables, as in Φ when indices repeat: (u,v,a,b) built from 3 Gaussians
    const base = randomCovariance(3, rng);
    for (const map of [[0, 0, 1, 2], [0, 1, 0, 2], [0, 1, 2, 2], [0, 1, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]]) {
      const C = new Float64Array(16);
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) C[i * 4 + j] = base[map[i] * 3 + map[j]];
      covs.push(C);
    }
    const x = new Float64Array(4), z = new Float64Array(4);
    for (const C of covs) {
      // C may be singular: factor with a jitter-free LDLᵀ-like Cholesky that skips zero pivots
      const L = new Float64Array(16);
      for (let i = 0; i < 4; i++)
        for (let j = 0; j <= i; j++) {
          let s = C[i * 4 + j];
          for (let k = 0; k < j; k++) s -= L[i * 4 + k] * L[j * 4 + k];
          if (i === j) L[i * 4 + i] = s > 1e-12 ? Math.sqrt(s) : 0;
          else L[i * 4 + j] = L[j * 4 + j] > 0 ? s / L[j * 4 + j] : 0;
        }
      let sum = 0, sum2 = 0;
      for (let s = 0; s < S; s++) {
        rng.fillNormal(z);
        for (let i = 0; i < 4; i++) {
          let v = 0;
          for (let k = 0; k <= i; k++) v += L[i * 4 + k] * z[k];
          x[i] = v;
        }
        const f = act.gPrime(x[0]) * act.gPrime(x[1]) * act.g(x[2]) * act.g(x[3]);
        sum += f;
        sum2 += f * f;
      }
      const mean = sum / S;
      const se = Math.sqrt((sum2 / S - mean * mean) / S);
      expect(Math.abs(act.I4!(C) - mean)).toBeLessThan(5 * se + 1e-9);
    }
  });

  it('J2 = E[g′(u) g′(v)] matches Monte Carlo within 5 standard errors', () => {
    const rng = createRng(44, name, 'J2');
    const S = 200_000;
    for (let t = 0; t < 10; t++) {
      const C = randomCovariance(2, rng);
      const L = cholesky(C, 2);
      let sum = 0, sum2 = 0;
      for (let s = 0; s < S; s++) {
        const z0 = rng.normal(), z1 = rng.normal();
        const f = act.gPrime(L[0] * z0) * act.gPrime(L[2] * z0 + L[3] * z1);
        sum += f;
        sum2 += f * f;
      }
      const mean = sum / S;
      const se = Math.sqrt((sum2 / S - mean * mean) / S);
      expect(Math.abs(act.J2!(C[0], C[3], C[1]) - mean)).toBeLessThan(5 * se + 1e-12);
    }
  });

  it.each([[2, 'u → a'], [1, 'u → v']] as [number, string][])('is continuous through a coincidence (merge rule), variable %i (%s)', (x) => {
    const base = oneFactor([0.6, -0.3, 0.6, 0.5], [1, 1.2, 1, 0.8]);
    const values: number[] = [];
    for (const eps of [1e-4, 1e-8, 1e-12, 0]) {
      // x_x = (u + √eps·e)/√(1 + eps) with e independent: unit variance, correlation 1/√(1 + eps) with u
      const C = Float64Array.from(base);
      const k = 1 / Math.sqrt(1 + eps);
      for (let j = 0; j < 4; j++) if (j !== x) C[x * 4 + j] = C[j * 4 + x] = k * base[0 * 4 + j];
      C[x * 4 + 0] = C[0 * 4 + x] = k;
      C[x * 4 + x] = 1;
      values.push(act.I4!(C));
    }
    const last = values[values.length - 1];
    expect(Math.abs(values[2] - last)).toBeLessThan(1e-6);
    expect(Math.abs(values[1] - last)).toBeLessThan(1e-4);
    expect(Math.abs(values[0] - last)).toBeGreaterThan(Math.abs(values[1] - last)); // converges
  });
});
