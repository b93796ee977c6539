// RKC2 (src/ode/rkc.ts, docs/theory.md §11.7): the stability interval on the negative real axis,
// second order (also with explicit time dependence, through the stage times), the power-method
// spectral radius, and integrate()'s rkc2 method on a stiff linear system with its stop rules.
import { describe, expect, it } from 'vitest';
import { makeRkc2, rkcCoefficients, spectralRadius } from '../src/ode/rkc.js';
import { integrate } from '../src/ode/integrate.js';
import type { OdeRhs } from '../src/ode/steppers.js';

/** n steps of size h of RKC2 with s stages from (0, y0); returns y(n h). */
function march(f: OdeRhs, y0: number[], h: number, steps: number, s: number): Float64Array {
  const n = y0.length;
  const rk = makeRkc2(n, Math.max(s, 2));
  let y = Float64Array.from(y0);
  let F = new Float64Array(n);
  f(0, y, F);
  let out = new Float64Array(n);
  let Fo = new Float64Array(n);
  for (let i = 0; i < steps; i++) {
    rk.step(f, i * h, y, F, h, s, out, Fo, 1, 1);
    [y, out] = [out, y];
    [F, Fo] = [Fo, F];
  }
  return y;
}

describe('RKC2 stepper', () => {
  it('|P_s(z)| ≤ 1 on [−β(s), 0], β(s) ≈ (2/3)(s² − 1)(1 − 2ε/15), and it is unstable beyond', () => {
    for (const s of [2, 3, 5, 10, 40, 100, 200]) {
      const beta = rkcCoefficients(s).beta;
      expect(beta).toBeGreaterThan(0.97 * (2 / 3) * (s * s - 1));
      expect(beta).toBeLessThan((2 / 3) * s * s);
      const one = (z: number) => Math.abs(march((_t, y, dy) => void (dy[0] = z * y[0]), [1], 1, 1, s)[0]);
      for (let t = 0; t <= 400; t++) expect(one(-beta * (t / 400))).toBeLessThanOrEqual(1 + 1e-10);
      expect(one(-beta * 2)).toBeGreaterThan(1);
    }
    // the stage counts chosen for h·ρ: the fewest with β(s) ≥ hρ
    const rk = makeRkc2(1, 200);
    expect(rk.stagesFor(1)).toBe(2);
    const s = rk.stagesFor(1000);
    expect(rk.beta(s)).toBeGreaterThanOrEqual(1000);
    expect(rk.beta(s - 1)).toBeLessThan(1000);
    expect(rkcCoefficients(7).c[7]).toBe(1);
  });

  it('is second order (y′ = −y + ½ sin y, and the non-autonomous y′ = cos t − y): error ratio ≈ 4 when h halves', () => {
    const cases: { f: OdeRhs; exact?: number }[] = [
      { f: (_t, y, dy) => void (dy[0] = -y[0] + Math.sin(y[0]) * 0.5) },
      // y(0) = 0: y = (cos t + sin t − e^{−t})/2
      { f: (t, y, dy) => void (dy[0] = Math.cos(t) - y[0]), exact: (Math.cos(1) + Math.sin(1) - Math.exp(-1)) / 2 },
    ];
    for (const { f, exact } of cases) {
      for (const s of [3, 7]) {
        const ref = exact ?? march(f, [1], 1 / 4096, 4096, s)[0];
        const y0 = exact === undefined ? [1] : [0];
        const e1 = Math.abs(march(f, y0, 1 / 32, 32, s)[0] - ref);
        const e2 = Math.abs(march(f, y0, 1 / 64, 64, s)[0] - ref);
        expect(e1 / e2).toBeGreaterThan(3.5);
        expect(e1 / e2).toBeLessThan(4.5);
      }
    }
  });

  it('estimates the spectral radius by the power method', () => {
    const n = 50;
    const lam = Float64Array.from({ length: n }, (_, i) => -(10 ** (-2 + (5 * i) / (n - 1))));
    const f: OdeRhs = (_t, y, dy) => {
      for (let i = 0; i < n; i++) dy[i] = lam[i] * y[i] + 0.01;
    };
    const y = new Float64Array(n).fill(1);
    const F = new Float64Array(n);
    f(0, y, F);
    const { rho, evals } = spectralRadius(f, 0, y, F, new Float64Array(n), [new Float64Array(n), new Float64Array(n)], 200, 1e-4);
    expect(rho).toBeGreaterThan(990);
    expect(rho).toBeLessThan(1000 * 1.0001);
    expect(evals).toBeLessThanOrEqual(200);
  });
});

describe("integrate({ method: 'rkc2' })", () => {
  const n = 50;
  const lam = Float64Array.from({ length: n }, (_, i) => -(10 ** (-2 + (5 * i) / (n - 1))));
  const f: OdeRhs = (_t, y, dy) => {
    for (let i = 0; i < n; i++) dy[i] = lam[i] * y[i] + 0.01;
  };
  const exact = (i: number, t: number) => -0.01 / lam[i] + (1 + 0.01 / lam[i]) * Math.exp(lam[i] * t);

  it('integrates a stiff linear system (spectrum in [−1000, −0.01]) to its tolerance with under a third of dopri5\'s evaluations, landing on record times', () => {
    const records: number[] = [];
    const r = integrate((t, y, dy) => f(t, y, dy), new Float64Array(n).fill(1), {
      method: 'rkc2', tauMax: 20, tol: 0, rtol: 1e-6, atol: 1e-9, recordTimes: [0.5, 7],
      onRecord: (tau, y, _dy, final) => {
        if (final) return;
        records.push(tau);
        if (tau > 0) for (let i = 0; i < n; i++) expect(Math.abs(y[i] - exact(i, tau))).toBeLessThan(1e-4 * Math.max(1, Math.abs(exact(i, tau))));
      },
    });
    expect(r.reason).toBe('tau-max');
    expect(r.tau).toBe(20);
    expect(records).toEqual([0, 0.5, 7]);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(r.y[i] - exact(i, 20)) / Math.max(1, Math.abs(exact(i, 20))));
    expect(worst).toBeLessThan(1e-4);
    expect(r.maxStages).toBeGreaterThan(10);
    expect(r.rhoEvals).toBeGreaterThan(0);
    // Dormand–Prince 5(4) is stability-limited (h·1000 ≲ 3.3 on average): over 20,000 evaluations
    const d = integrate((t, y, dy) => f(t, y, dy), new Float64Array(n).fill(1), { method: 'dopri5', tauMax: 20, tol: 0, rtol: 1e-6, atol: 1e-9 });
    expect(d.rhsEvals).toBeGreaterThan(20000);
    expect(r.rhsEvals).toBeLessThan(d.rhsEvals / 3);
  });

  it('keeps the loop\'s stop rules and hooks: converged on the caller\'s norm, stopEarly, beforeStep, afterStep', () => {
    const y0 = new Float64Array(n).fill(1);
    // y → −0.01/λ; max|f| falls below 1e-8 (converged)
    const conv = integrate(f, y0, { method: 'rkc2', tauMax: 1e6, tol: 1e-8, rtol: 1e-4, atol: 1e-7 });
    expect(conv.reason).toBe('converged');
    expect(conv.rhsNorm).toBeLessThan(1e-8);
    // a norm that ignores the slowest component converges much earlier
    const partial = integrate(f, y0, { method: 'rkc2', tauMax: 1e6, tol: 1e-8, rtol: 1e-4, atol: 1e-7, norm: (_y, dy) => Math.max(...Array.from(dy.subarray(10), Math.abs)) });
    expect(partial.reason).toBe('converged');
    expect(partial.tau).toBeLessThan(conv.tau / 5);
    let after = 0;
    const early = integrate<'early'>(f, y0, {
      method: 'rkc2', tauMax: 1e6, tol: 0, rtol: 1e-4, atol: 1e-7,
      stopEarly: (tau) => (tau > 3 ? 'early' : undefined),
      afterStep: (_tau, _y, dy, norm) => {
        after++;
        expect(norm).toBe(Math.max(...Array.from(dy, Math.abs)));
      },
    });
    expect(early.reason).toBe('early');
    expect(early.tau).toBeGreaterThan(3);
    expect(after).toBe(early.steps);
    const pre = integrate<'pre'>(f, y0, { method: 'rkc2', tauMax: 1e6, tol: 0, beforeStep: (tau) => (tau > 1 ? 'pre' : undefined) });
    expect(pre.reason).toBe('pre');
  });
});
