// The seeded generator: reproducible streams and a correct normal distribution.
import { describe, expect, it } from 'vitest';
import { createRng } from '../src/random/rng.js';

describe('createRng', () => {
  it('gives the same stream for the same labels and different streams otherwise', () => {
    const a = createRng(5, 'run', 3), b = createRng(5, 'run', 3), c = createRng(5, 'run', 4);
    const xa = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(xa);
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(xa);
  });

  it('ziggurat normals have the N(0, 1) moments, tails and CDF (KS test)', () => {
    const rng = createRng(1, 'normal-test');
    const n = 400_000;
    const z = new Float64Array(n);
    rng.fillNormal(z);
    let m1 = 0, m2 = 0, m4 = 0, tail = 0;
    for (const v of z) {
      m1 += v;
      m2 += v * v;
      m4 += v ** 4;
      if (Math.abs(v) > 3) tail++;
    }
    m1 /= n; m2 /= n; m4 /= n;
    expect(Math.abs(m1)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(m2 - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(m4 - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
    const p3 = 0.0026997960632601866;
    expect(Math.abs(tail / n - p3)).toBeLessThan(5 * Math.sqrt(p3 / n));
    // Kolmogorov–Smirnov against Φ on a subsample
    const s = Float64Array.from(z.subarray(0, 50_000)).sort();
    const Phi = (x: number) => 0.5 * (1 + erfApprox(x / Math.SQRT2));
    let D = 0;
    for (let i = 0; i < s.length; i++) D = Math.max(D, Math.abs(Phi(s[i]) - (i + 0.5) / s.length));
    expect(D).toBeLessThan(1.63 / Math.sqrt(s.length)); // 1% critical value
  });
});

/** erf to ~1e-7 (Abramowitz–Stegun 7.1.26 is 1.5e-7), enough for a KS test at n = 5e4. */
function erfApprox(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
