// `scmv validate` (docs/theory.md §3, §4): the sweep's summary, fitted exponents and figures at a tiny size.
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { logLogFit } from '../src/stats/fit.js';
import { runValidate, summarise, fitExponents, validateRuns, VALIDATE_QUICK, type ValidateOptions } from '../src/studies/validate/validate.js';

const tiny: ValidateOptions = {
  ...VALIDATE_QUICK, K: 2, M: 2, seeds: 3, Ns: [40, 160], gdTauMax: 2, sgdTauMax: 0.5, lrFixed: 0.2,
  lrSweep: [0.025, 0.1, 0.4], lrSweepNs: [160], records: 10, workers: 1, backend: 'js',
};

describe('validate library', () => {
  it('logLogSlope recovers a power law', async () => {
    expect(logLogFit([10, 100, 1000], [3e-1, 3e-2 * 10 ** 0.5, 3e-2]).slope).toBeCloseTo(-0.5, 12);
    expect(logLogFit([1], [1]).slope).toBeNaN();
  });

  it('sweeps both algorithms; GD matches the ODE, SGD deviates more at larger η', async () => {
    const runs = validateRuns(tiny);
    expect(runs.filter((r) => r.algorithm === 'gd')).toHaveLength(6);
    expect(runs.filter((r) => r.algorithm === 'sgd')).toHaveLength(3 * (2 + 3)); // η = .2 at both N, 3 η at N = 160 (one shared)
    const results = await runValidate(tiny);
    const summary = summarise(results);
    for (const r of summary.filter((x) => x.algorithm === 'gd')) expect(r.maxMaxLossErr).toBeLessThan(1e-8);
    const sgd = summary.filter((x) => x.algorithm === 'sgd' && x.N === 160);
    expect(sgd.map((x) => x.lr)).toEqual([0.025, 0.1, 0.2, 0.4]);
    for (const r of sgd) expect(r.maxMaxLossErr).toBeGreaterThan(1e-4);
    const fits = fitExponents(summary, tiny);
    const lrFit = fits.find((f) => f.variable === 'lr' && f.metric === 'loss')!;
    expect(lrFit.slope).toBeGreaterThan(0.2);
    expect(lrFit.points).toBe(4);
  });
});

describe('scmv validate CLI', () => {
  it('writes the summary, fits, trajectories and figures with their data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scmv-validate-'));
    const r = await runCli(['validate', '--quick', '--K', '2', '--M', '2', '--N', '30,60', '--seeds', '1', '--workers', '2', '--out-dir', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('slope');
    for (const f of ['summary.csv', 'summary.manifest.json', 'runs.csv', 'fits.csv', 'trajectories.csv', 'loss-vs-tau.svg', 'loss-vs-tau.csv', 'deviation-vs-N.svg', 'deviation-vs-N.csv', 'deviation-vs-lr.svg', 'deviation-vs-lr.csv', 'report.html'])
      expect(existsSync(join(dir, f)), f).toBe(true);
    const summary = parse(readFileSync(join(dir, 'summary.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(new Set(summary.map((x) => x.algorithm))).toEqual(new Set(['gd', 'sgd']));
    expect(new Set(summary.filter((x) => x.algorithm === 'gd').map((x) => x.N))).toEqual(new Set(['30', '60']));
    expect(readFileSync(join(dir, 'loss-vs-tau.svg'), 'utf8')).toContain('<svg');
    const manifest = JSON.parse(readFileSync(join(dir, 'summary.manifest.json'), 'utf8'));
    expect(manifest.command).toBe('validate');
    expect(manifest.ode).toMatch(/gradient-flow|sgd-ode/);
    expect(manifest.files).toContain('report.html');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('population GD follows the gradient-flow ODE');
    expect(html).toMatch(/data-verdict="PASS"/);
    expect(html.match(/data-scmv-chart="/g)).toHaveLength(3);
    // `scmv report` rebuilds it from the CSVs
    rmSync(join(dir, 'report.html'));
    const rep = await runCli(['report', dir]);
    expect(rep.status, rep.stderr).toBe(0);
    expect(rep.stdout).toMatch(/wrote .*report\.html \(3 figures; claims: \d+ PASS/);
    const rebuilt = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(rebuilt.match(/data-verdict="/g)).toEqual(html.match(/data-verdict="/g));
    expect(rebuilt.match(/data-scmv-chart="/g)).toHaveLength(3);
    expect((await runCli(['report', join(dir, 'nope')])).status).toBe(2);
  });

  it('rejects a bad --N with exit code 2', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'scmv-validate-')), 'out');
    const r = await runCli(['validate', '--N', '100,0', '--out-dir', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--N');
    expect(existsSync(dir)).toBe(false);
  });
});
