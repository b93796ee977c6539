// `scmv study optimisers` (src/experiments/study-optimisers.ts): Wilson intervals, the Table 2
// row arithmetic, and a tiny end-to-end study whose table must show what the flows imply.
import { wilson } from '../src/stats/wilson.js';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { paperEps, runOptimiserStudy, tableRow, TABLE2_COLUMNS } from '../src/studies/optimisers/study.js';

describe('wilsonInterval', () => {
  it('matches the closed form for 8/10 and 0/20, 20/20', () => {
    const [lo, hi] = wilson(8, 10);
    expect(lo).toBeCloseTo(0.49016, 4);
    expect(hi).toBeCloseTo(0.94332, 4);
    expect(wilson(0, 20)[0]).toBe(0);
    expect(wilson(0, 20)[1]).toBeCloseTo(0.16113, 4);
    expect(wilson(20, 20)[1]).toBe(1);
    expect(wilson(20, 20)[0]).toBeCloseTo(0.83887, 4);
  });
});

describe('tableRow', () => {
  it('counts classes and applies the paper threshold for nGD', () => {
    const rows = [
      { final_loss: 1e-5, class: 'global', tau_end: 10 },
      { final_loss: 0.0988, class: 'local', tau_end: 3000 },
      { final_loss: 0.0991, class: 'none', tau_end: 3000 },
      { final_loss: 0.36, class: 'local', tau_end: 3000 },
    ];
    const r = tableRow('ngd', 8, 9, 8, rows, { epsGlobal: 1e-3, tauMax: 3000 });
    const o = Object.fromEntries(TABLE2_COLUMNS.map((c, i) => [c, r[i]]));
    expect(o.global).toBe(1);
    expect(o.local).toBe(2);
    expect(o.none).toBe(1);
    expect(o.global_pct).toBe(25);
    expect(o.paper_eps).toBe(0.1);
    expect(o.global_paper_eps).toBe(3);
    expect(o.paper_global_pct).toBe(58.35);
    expect(o.paper_same_M_global_pct).toBe(98.48);
    expect(o.min_loss_not_global).toBe(0.0988);
    expect(paperEps('ngd', 1, 4)).toBe(0.105);
    expect(paperEps('gd', 1, 8)).toBeUndefined();
  });
});

describe('runOptimiserStudy (M = 2, 6 runs, in-process)', () => {
  it('writes table2.csv: onGD and nGD cannot reach ε = 0 at K = M + 1, GD and 2L-GD do', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'scmv-opt-'));
    await runOptimiserStudy({
      M: 2, offsets: [0, 1], algorithms: ['gd', '2l', 'ngd', 'ongd'], runs: 6, seed: 3, tauMax: 400, tol: 1e-7, rtol: 1e-6, atol: 1e-9,
      epsGlobal: 1e-3, gTol: 1e-6, vanishTol: 1e-4, polishAt: 0, workers: 1, outDir, activation: 'relu', alpha: 0.01,
    });
    const path = join(outDir, 'table2.csv');
    expect(existsSync(path)).toBe(true);
    expect(existsSync(join(outDir, 'table2.manifest.json'))).toBe(true);
    const rows = parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.length).toBe(8);
    const get = (alg: string, K: number) => rows.find((r) => r.algorithm === alg && Number(r.K) === K)!;
    for (const r of rows) {
      expect(Number(r.runs)).toBe(6);
      expect(Number(r.global_lo_pct)).toBeLessThanOrEqual(Number(r.global_pct));
      expect(Number(r.global_hi_pct)).toBeGreaterThanOrEqual(Number(r.global_pct));
    }
    // K = M + 1: the extra unit cannot vanish under nGD (unit norm) or onGD (orthonormal)
    expect(Number(get('ngd', 3).global)).toBe(0);
    expect(Number(get('ongd', 3).global)).toBe(0);
    expect(Number(get('ngd', 3).min_loss_not_global)).toBeGreaterThan(0.05);
    expect(Number(get('gd', 3).global)).toBeGreaterThan(3);
    expect(Number(get('2l', 3).global)).toBeGreaterThan(3);
  });
});
