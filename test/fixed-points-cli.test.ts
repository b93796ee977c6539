// `scmv levels` and `scmv stability` end to end: CSV columns and values, manifest, bad input.
import { describe, expect, it } from 'vitest';
import { runCli as run } from './cli.js';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';



describe('scmv levels / stability', () => {
  it('levels writes one row per fixed point with a vanishing full RHS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scmv-levels-'));
    const out = join(dir, 'levels.csv');
    const r = await run(['levels', '--K', '7', '--M', '7', '--families', '1', '--out', out]);
    expect(r.status).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const head = lines[0].split(',');
    expect(head.slice(0, 8)).toEqual(['K', 'M', 'n', 'branch', 'loss', 'rhs_norm', 'stable', 'min_eig']);
    const row = lines[1].split(',');
    expect(Number(row[4])).toBeCloseTo(0.023202714913567, 12);
    expect(Number(row[5])).toBeLessThanOrEqual(1e-10);
    expect(row[6]).toBe('1');
    expect(Number(row[7])).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(dir, 'levels.manifest.json'), 'utf8')).command).toBe('levels');
  });

  it('rejects K < M and an out-of-range family with exit code 2 and no file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scmv-levels-'));
    const out = join(dir, 'x.csv');
    const r = await run(['levels', '--K', '4', '--M', '5', '--out', out]);
    expect({ status: r.status, stderr: r.stderr }).toMatchObject({ status: 2, stderr: expect.stringMatching(/^scmv: --K must be/) });
    const r2 = await run(['levels', '--K', '5', '--M', '5', '--families', '1,9', '--out', out]);
    expect({ status: r2.status, stderr: r2.stderr }).toMatchObject({ status: 2, stderr: expect.stringMatching(/^scmv: --families must be/) });
    const r3 = await run(['stability', '--K', '5', '--M', '5', '--source', 'embed']);
    expect({ status: r3.status, stderr: r3.stderr }).toMatchObject({ status: 2, stderr: expect.stringMatching(/^scmv: --source embed needs K > M/) });
    expect(existsSync(out)).toBe(false);
  });

  it('stability reports the loss gap per perturbation', async () => {
    const r = await run(['stability', '--K', '6', '--M', '6', '--n', '1', '--seeds', '2', '--tau-max', '2e4']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBe(3);
    const gapCol = lines[0].split(',').indexOf('gap');
    for (const l of lines.slice(1)) expect(Math.abs(Number(l.split(',')[gapCol]))).toBeLessThan(1e-8);
    expect(r.stderr).toMatch(/returned 2\/2/);
  });
});
