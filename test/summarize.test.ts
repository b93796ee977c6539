// Ensemble statistics: Wilson intervals against hand-computed values, shard merging with
// deduplication, class and family fractions, and the `scmv summarize` CLI.
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeRuns, summarizeRuns } from '../src/runs/summary.js';
import { wilson } from '../src/stats/wilson.js';

const header = 'run,seed,K,M,final_loss,class,family_n,tau_end,rhs_norm,rhs_evals,stop,wall_ms\n';
const line = (run: number, cls: string, n: number, loss: number, K = 8, M = 8, seed = 1) =>
  `${run},${seed},${K},${M},${loss},${cls},${n},100,1e-8,1000,converged,1.5\n`;

describe('wilson', () => {
  it('matches the closed form on known cases', async () => {
    // k = 5, n = 10: centre (0.5 + z²/20)/(1 + z²/10) = 0.5, half = 0.2366...
    const [lo, hi] = wilson(5, 10);
    expect(lo).toBeCloseTo(0.236593, 5);
    expect(hi).toBeCloseTo(0.763407, 5);
    // k = 0, n = 20: [0, z²/(n + z²)] = [0, 0.161125]
    const [l0, h0] = wilson(0, 20);
    expect(l0).toBe(0);
    expect(h0).toBeCloseTo(0.161125, 5);
    // k = 8609, n = 10000 (paper's K = M = 8 global fraction): half-width ≈ 0.00678
    const [a, b] = wilson(8609, 10000);
    expect(b - a).toBeCloseTo(2 * 0.006785, 4);
    expect(a).toBeLessThan(0.8609);
    expect(b).toBeGreaterThan(0.8609);
  });
});

describe('summarize', () => {
  it('merges shards, drops duplicates, and tabulates classes and families', async () => {
    const shardA = header + line(0, 'global', 0, 1e-9) + line(2, 'local', 1, 0.0215) + line(4, 'local', 2, 0.04);
    const shardB = header + line(1, 'global', 0, 2e-9) + line(3, 'none', -1, 0.1) + line(2, 'local', 1, 0.0215) + '5,1,8,8,0.0'; // duplicate + partial line
    const other = header + line(0, 'global', 0, 0, 9, 8) + line(1, 'local', 2, 0.03, 9, 8);
    const merged = mergeRuns([shardA, shardB, other]);
    expect(merged.rows).toHaveLength(7);
    expect(merged.duplicates).toBe(1);
    expect(merged.conflicts).toBe(0);
    const table = summarizeRuns(merged.rows);
    const get = (K: number, cat: string, n: number | '' = '') => table.find((r) => r.K === K && r.category === cat && r.family_n === n)!;
    expect(get(8, 'global').count).toBe(2);
    expect(get(8, 'global').fraction).toBe(0.4);
    expect(get(8, 'local').fraction).toBe(0.4);
    expect(get(8, 'none').fraction).toBe(0.2);
    expect(get(8, 'diverged').count).toBe(0);
    expect(get(8, 'family', 1).count).toBe(1);
    expect(get(8, 'family', 1).mean_loss).toBeCloseTo(0.0215, 12);
    expect(get(8, 'family', 2).mean_loss).toBeCloseTo(0.04, 12);
    expect(get(8, 'global').mean_loss).toBeCloseTo(1.5e-9, 18);
    const [lo, hi] = wilson(2, 5);
    expect(get(8, 'global').ci_low).toBe(lo);
    expect(get(8, 'global').ci_high).toBe(hi);
    expect(get(9, 'local').fraction).toBe(0.5);
    // K = M rows come before K = M + 1 rows of the same M
    expect(table[0].K).toBe(8);
  });

  it('gives the same table, to the last bit, for any sharding and file order', async () => {
    // final losses whose floating-point sum depends on the order they are added in
    const losses = [0.1, 0.2, 0.3, 1e-17, 0.7, 1e16, -1e16, 0.123456789, 3.3, 1e-3];
    const rows = losses.map((l, i) => line(i, 'local', 1, l));
    const single = summarizeRuns(mergeRuns([header + rows.join('')]).rows);
    for (const n of [2, 3, 4]) {
      const shards = Array.from({ length: n }, (_, s) => header + rows.filter((_, i) => i % n === s).join(''));
      expect(summarizeRuns(mergeRuns(shards).rows)).toEqual(single);
      expect(summarizeRuns(mergeRuns(shards.reverse()).rows)).toEqual(single);
    }
    // a shuffled single file too
    expect(summarizeRuns(mergeRuns([header + [...rows].reverse().join('')]).rows)).toEqual(single);
  });

  it('counts conflicting duplicates', async () => {
    const a = header + line(0, 'global', 0, 1e-9);
    const b = header + line(0, 'local', 1, 0.02);
    expect(mergeRuns([a, b]).conflicts).toBe(1);
  });

  it('scmv summarize writes the table and rejects missing files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scmv-sum-'));
    writeFileSync(join(dir, 'a.csv'), header + line(0, 'global', 0, 1e-9) + line(1, 'local', 3, 0.05));
    writeFileSync(join(dir, 'b.csv'), header + line(1, 'local', 3, 0.05) + line(2, 'global', 0, 1e-9));
        const r = await runCli(['summarize', join(dir, 'a.csv'), join(dir, 'b.csv'), '--out', join(dir, 't.csv')]);
    expect(r.status).toBe(0);
    const t = readFileSync(join(dir, 't.csv'), 'utf8').trim().split('\n');
    expect(t[0]).toBe('K,M,horizon,runs,seeds,category,family_n,count,fraction,ci_low,ci_high,mean_loss');
    expect(t[1]).toMatch(/^8,8,,3,1,global,,2,0\.6666666666666666,/);
    expect(t.some((l) => /^8,8,,3,1,family,3,1,0\.3333333333333333,.*,0\.05$/.test(l))).toBe(true);
    expect(existsSync(join(dir, 't.manifest.json'))).toBe(true);
    const bad = await runCli(['summarize', join(dir, 'nope.csv'), '--out', join(dir, 'u.csv')]);
    expect(bad.status).toBe(2);
    expect(existsSync(join(dir, 'u.csv'))).toBe(false);
  });

  it('tabulates class and family fractions per horizon (scmv ensemble --horizons columns), the end of the runs first', async () => {
    // columns of `scmv ensemble --horizons 100,1000`: h<τ>_loss, h<τ>_rhs_norm, h<τ>_class, h<τ>_family_n
    const hHeader = header.trimEnd() + ',h100_loss,h100_rhs_norm,h100_class,h100_family_n,h1000_loss,h1000_rhs_norm,h1000_class,h1000_family_n\n';
    const hLine = (run: number, end: [string, number, number], h100: [string, number, number], h1000: [string, number, number]) =>
      `${run},1,8,8,${end[2]},${end[0]},${end[1]},2000,1e-8,1000,converged,1.5,${h100[2]},0.01,${h100[0]},${h100[1]},${h1000[2]},1e-5,${h1000[0]},${h1000[1]}\n`;
    const text = hHeader
      + hLine(0, ['global', 0, 1e-4], ['none', -1, 0.1], ['global', 0, 1e-4])
      + hLine(1, ['local', 1, 0.0215], ['none', -1, 0.2], ['none', -1, 0.03])
      + hLine(2, ['local', 2, 0.04], ['none', -1, 0.3], ['local', 2, 0.04])
      + hLine(3, ['global', 0, 2e-4], ['global', 0, 4e-4], ['global', 0, 2e-4]);
    const dir = mkdtempSync(join(tmpdir(), 'scmv-sum-h-'));
    writeFileSync(join(dir, 'h.csv'), text);
    const r = await runCli(['summarize', join(dir, 'h.csv')]);
    expect(r.status).toBe(0);
    const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.split(','));
    const get = (horizon: string, cat: string, n = '') => rows.find((x) => x[2] === horizon && x[5] === cat && x[6] === n);
    // the end of the runs (horizon empty) comes first, as without horizons
    expect(rows[0].slice(0, 6)).toEqual(['8', '8', '', '4', '1', 'global']);
    expect(get('', 'global')![8]).toBe('0.5');
    expect(get('', 'family', '1')![7]).toBe('1');
    // τ = 100: 3 none, 1 global
    expect(get('100', 'none')![7]).toBe('3');
    expect(get('100', 'none')![8]).toBe('0.75');
    expect(Number(get('100', 'none')![11])).toBeCloseTo(0.2, 12); // mean h100_loss of the none runs
    expect(get('100', 'local')![7]).toBe('0');
    expect(get('100', 'family', '0')![7]).toBe('1');
    // τ = 1000: 2 global, 1 local (n = 2), 1 none
    expect(get('1000', 'global')![8]).toBe('0.5');
    expect(get('1000', 'family', '2')![7]).toBe('1');
    expect(get('1000', 'family', '1')).toBeUndefined();
    const [lo, hi] = wilson(1, 4);
    expect(Number(get('1000', 'none')![9])).toBe(lo);
    expect(Number(get('1000', 'none')![10])).toBe(hi);
    // horizon rows follow the end rows, by ascending τ
    const order = rows.map((x) => x[2]).filter((h, i, all) => all.indexOf(h) === i);
    expect(order).toEqual(['', '100', '1000']);
    // a malformed horizon class is a malformed row
    writeFileSync(join(dir, 'bad.csv'), text.replace(',none,-1,0.03', ',nonsense,-1,0.03'));
    const bad = await runCli(['summarize', join(dir, 'bad.csv')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/h100_class "nonsense" is not one of/);
  });
});
