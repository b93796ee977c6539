// mapPool: outputs in input order whatever the worker count, ordered delivery, and abort
// stopping dispatch (in-process and on worker threads).
import { describe, expect, it } from 'vitest';
import { getEventListeners } from 'node:events';
import { mapPool } from '../src/runs/pool.js';
import { timeBudget } from '../src/runs/budget.js';
import { ENSEMBLE_RUN_JOB, type RunRow, type RunSpec } from '../src/runs/ensemble-member.js';

const job = ENSEMBLE_RUN_JOB;
const spec = (run: number): RunSpec => ({
  run, seed: 5, K: 2, M: 2, initDim: 2, algorithm: 'gd', activation: 'relu', alpha: 0, tol: 1e-7, tauMax: 200,
  rtol: 1e-6, atol: 1e-9, epsGlobal: 1e-3, gTol: 1e-6, vanishTol: 1e-4, earlyGlobal: true, polishAt: 1e-4,
});
const strip = (r: RunRow) => ({ ...r, wall_ms: 0 });

describe('mapPool', () => {
  it('returns the same outputs on 1 and 2 workers, delivered in order when asked', async () => {
    const inputs = Array.from({ length: 8 }, (_, i) => spec(i));
    const one = await mapPool(job, inputs, { workers: 1 });
    const seen: number[] = [];
    const two = await mapPool(job, inputs, { workers: 2, ordered: true, onResult: (i) => seen.push(i) });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(two.map(strip)).toEqual(one.map(strip));
    expect(one.map((r) => r.run)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(one.map((r) => r.final_loss)).size).toBe(8); // distinct seeds per run
  });

  it('leaves no abort listener on a long-lived signal after it returns', async () => {
    const ac = new AbortController();
    for (let i = 0; i < 12; i++) await mapPool(job, [spec(i), spec(i + 1)], { workers: 2, signal: ac.signal });
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('stops dispatching when aborted', async () => {
    for (const workers of [1, 2]) {
      const inputs = Array.from({ length: 400 }, (_, i) => spec(i));
      const ac = new AbortController();
      let delivered = 0;
      const out = await mapPool(job, inputs, {
        // unordered: with ordered delivery a slow job 0 could hold back every delivery while the
        // other worker finishes all 400 (seen under load)
        workers, signal: ac.signal,
        onResult: () => {
          if (++delivered === 3) ac.abort();
        },
      });
      const filled = out.filter((o) => o !== undefined).length;
      expect(filled).toBeGreaterThanOrEqual(3);
      expect(filled).toBeLessThan(400);
    }
  });
});

describe('timeBudget (runs/budget.ts)', () => {
  it('aborts at the first check after the budget, never with 0, and follows the caller', async () => {
    const none = timeBudget(0);
    none.check();
    expect([none.signal.aborted, none.spent]).toEqual([false, false]);
    const short = timeBudget(0.01);
    short.check();
    expect(short.signal.aborted).toBe(false);
    await new Promise((r) => setTimeout(r, 30));
    expect(short.signal.aborted).toBe(false);
    short.check();
    expect([short.signal.aborted, short.spent]).toEqual([true, true]);
    const parent = new AbortController();
    const chained = timeBudget(1000, parent.signal);
    parent.abort();
    expect([chained.signal.aborted, chained.spent]).toEqual([true, false]);
    const detached = new AbortController();
    const b = timeBudget(1000, detached.signal);
    b.dispose();
    detached.abort();
    expect(b.signal.aborted).toBe(false);
  });
});
