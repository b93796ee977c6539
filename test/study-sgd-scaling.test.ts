// `scmv study sgd-scaling` (issue 6, study 2) on a tiny grid: CSV columns, finite deviations,
// and SGD closer to gradient flow at η = c/N than at η = c at the largest N.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { parse } from 'csv-parse/sync';
import { runSgdScaling, RUN_COLUMNS, SUMMARY_COLUMNS } from '../src/studies/sgd-scaling/study.js';

describe('study sgd-scaling (tiny)', () => {
  it('writes runs/summary/fits CSVs and figures; η = c/N deviates less than η = c at the largest N', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'sgd-scaling-'));
    await runSgdScaling({
      configs: [[2, 2]], Ns: [50, 200], scalings: ['const', 'inv'], cs: [1], seeds: 1, seed: 1, activation: 'relu', alpha: 0,
      teacher: 'gaussian', tauMax: 60, convFrac: 1e-3, records: 30, maxSteps: 1e6, backend: 'wasm', rtol: 1e-6, workers: 1, timeBudget: 0, checkpointSeconds: 300, outDir,
    });
    const text = readFileSync(join(outDir, 'runs.csv'), 'utf8');
    expect(text.split('\n')[0].split(',')).toEqual([...RUN_COLUMNS]);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      for (const k of ['loss_dev_gf', 'loss_dev_sgd_ode', 'Q_max_err', 'R_max_err', 'Q_max_err_sgd_ode', 'R_max_err_sgd_ode']) {
        expect(Number.isFinite(Number(r[k]))).toBe(true);
        expect(Number(r[k])).toBeGreaterThan(0);
      }
      expect(Number(r.tau_end)).toBeGreaterThan(0);
    }
    const dev = (scaling: string) => Number(rows.find((r) => r.N === '200' && r.scaling === scaling)!.loss_dev_gf);
    expect(dev('inv')).toBeLessThan(0.2 * dev('const'));
    // at η = c the SGD ODE (η Φ term) predicts SGD better than gradient flow does
    const big = rows.find((r) => r.N === '200' && r.scaling === 'const')!;
    expect(Number(big.loss_dev_sgd_ode)).toBeLessThan(Number(big.loss_dev_gf));
    const summary = readFileSync(join(outDir, 'summary.csv'), 'utf8');
    expect(summary.split('\n')[0].split(',')).toEqual([...SUMMARY_COLUMNS]);
    expect(readFileSync(join(outDir, 'fits.csv'), 'utf8')).toContain('loss_dev_gf');
    expect(readFileSync(join(outDir, 'deviation-gf-K2M2.svg'), 'utf8').startsWith('<svg')).toBe(true);
    expect(existsSync(join(outDir, 'summary.manifest.json'))).toBe(true);
  });

  it('--replicas 2 writes replicas.csv (and no runs.csv) through the command line', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'sgd-scaling-cli-'));
    const r = await runCli(['study', 'sgd-scaling', '--configs', '2x2', '--Ns', '40', '--scalings', 'inv', '--cs', '1', '--seeds', '1', '--tau-max', '30',
      '--records', '10', '--replicas', '2', '--workers', '1', '--backend', 'wasm', '--out-dir', outDir]);
    expect(r.status).toBe(0);
    const rows = parse(readFileSync(join(outDir, 'replicas.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => [x.N, x.replicas, x.replicas_ok])).toEqual([['40', '2', '2']]);
    expect(existsSync(join(outDir, 'runs.csv'))).toBe(false);
    expect(JSON.parse(readFileSync(join(outDir, 'replicas.manifest.json'), 'utf8')).rowOptions.replicas).toBe(2);
  });

  it('refuses an output that another live process holds, and a resume with other row options', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'sgd-scaling-lock-'));
    const o = {
      configs: [[2, 2]] as [number, number][], Ns: [40], scalings: ['inv' as const], cs: [1], seeds: 1, seed: 1, activation: 'relu' as const, alpha: 0,
      teacher: 'gaussian' as const, tauMax: 30, convFrac: 1e-3, records: 10, maxSteps: 1e6, backend: 'wasm' as const, rtol: 1e-6, workers: 1, timeBudget: 0,
      checkpointSeconds: 300, outDir,
    };
    // process 1 on this host is alive
    writeFileSync(join(outDir, 'runs.csv.lock'), JSON.stringify({ pid: 1, host: hostname(), started: '2026-01-01T00:00:00Z' }) + '\n');
    await expect(runSgdScaling(o)).rejects.toThrow(/runs\.csv is being written by process 1 on /);
    rmSync(join(outDir, 'runs.csv.lock'));
    await runSgdScaling(o);
    expect(existsSync(join(outDir, 'runs.csv.lock'))).toBe(false);
    await expect(runSgdScaling({ ...o, records: 20 })).rejects.toThrow(/holds 1 rows made with other settings \(records 10 ≠ 20\)/);
  });

  it('rejects --replicas 0 and --checkpoint-every 0 with one line naming the flag (exit 2)', async () => {
    for (const [flag, value] of [['--replicas', '0'], ['--checkpoint-every', '0']]) {
      const r = await runCli(['study', 'sgd-scaling', flag, value]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(flag);
    }
  });

  it('rejects a malformed --configs with a one-line usage error (exit 2)', async () => {
    const r = await runCli(['study', 'sgd-scaling', '--configs', '4y4']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^scmv: --configs must be/);
  });
});
