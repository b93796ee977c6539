// `scmv study finite-n` on a tiny configuration: output columns, the orthonormal-teacher
// population-GD peak on the infinite-N level (to 1e-6), explicit GD against the ODE, SGD rows.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { runFiniteNStudy } from '../src/studies/finite-n/study.js';
import type { FiniteNOptions } from '../src/studies/finite-n/options.js';
import { FAMILY_COLUMNS, GDCMP_COLUMNS, HIST_COLUMNS, FIT_COLUMNS, LEVEL_BIAS_COLUMNS } from '../src/studies/finite-n/report.js';
import { finiteNNetwork, runSeed } from '../src/studies/finite-n/jobs.js';
import { overlapsOf } from '../src/theory/overlaps.js';
import { readCsvFile } from '../src/io/csv.js';
import { logLogFit } from '../src/stats/fit.js';
import { peakOf } from '../src/stats/describe.js';
import { histogram } from '../src/stats/histogram.js';

const header = (path: string) => readFileSync(path, 'utf8').split('\n')[0].split(',');

describe('study finite-n helpers', () => {
  it('fits log-log slopes, quartiles and histograms exactly', async () => {
    const f = logLogFit([16, 64, 256, 1024], [16, 64, 256, 1024].map((N) => 3 * N ** -0.5), Math.log10);
    expect(f.slope).toBeCloseTo(-0.5, 12);
    expect(10 ** f.intercept).toBeCloseTo(3, 10);
    const e = logLogFit([16, 64, 256, 1024], [16, 64, 256, 1024].map((N) => 3 * N ** -0.5));
    expect(Math.exp(e.intercept)).toBeCloseTo(3, 10);
    // the slope's standard error: zero for an exact power law, positive with scatter
    expect(f.slopeSe).toBeLessThan(1e-12);
    expect(logLogFit([1, 2, 4, 8], [1, 0.6, 0.26, 0.13]).slopeSe).toBeGreaterThan(0.01);
    const p = peakOf([1, 2, 3, 4, 5]);
    expect([p.median, p.q1, p.q3, p.iqr]).toEqual([3, 2, 4, 2]);
    expect(histogram([0.05, 0.15, 0.15, 0.95, 2], 0, 1, 10).map((b) => b.count)).toEqual([1, 2, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('pairs the two teachers: the orthonormal teacher is the Gaussian one orthonormalised, same student', async () => {
    const s = runSeed(1, 4, 4, 32, 3);
    const g = finiteNNetwork(4, 4, 32, 'gaussian', s);
    const o = finiteNNetwork(4, 4, 32, 'orthonormal', s);
    expect(Array.from(o.W0)).toEqual(Array.from(g.W0));
    const T = overlapsOf(o.W0, o.Wstar, 4, 4, 32).T;
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) expect(T[a * 4 + b]).toBeCloseTo(a === b ? 1 : 0, 12);
    // first teacher row is the normalised Gaussian row
    const n0 = Math.hypot(...g.Wstar.subarray(0, 32));
    expect(o.Wstar[5]).toBeCloseTo((g.Wstar[5] / n0) * Math.sqrt(32), 12);
  });
});

describe('study finite-n (tiny run)', () => {
  it('writes the report; orthonormal-teacher GD peaks sit on the levels to 1e-6', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'scmv-finite-n-'));
    const o: FiniteNOptions = {
      K: 8, M: 8, Ns: [16, 64], teachers: ['orthonormal'], runs: 20, gdRuns: 1, gdTauMax: 5, gdDtau: 0.05,
      sgdNs: [32], sgdLrs: [0.1], sgdRuns: 1, sgdTeachers: ['orthonormal'], sgdTauMax: 4, sgdTauFactor: 1.5, sgdTauRecord: 1,
      levelNs: [32], levelLrs: [0.1], levelFamilies: [1], levelReplicas: 1, levelTauBurn: 1, levelTauAvg: 2,
      backend: 'js', seed: 1, tauMax: 3000, tol: 1e-7, epsGlobal: 1e-3, gTol: 1e-6, workers: 1, outDir,
      levelsCsv: 'results/levels.csv', timeBudget: 0, quick: true,
    };
    await runFiniteNStudy(o);
    expect(header(join(outDir, 'families.csv'))).toEqual([...FAMILY_COLUMNS]);
    expect(header(join(outDir, 'histogram.csv'))).toEqual([...HIST_COLUMNS]);
    expect(header(join(outDir, 'width-fit.csv'))).toEqual([...FIT_COLUMNS]);
    expect(header(join(outDir, 'gd-vs-ode.csv'))).toEqual([...GDCMP_COLUMNS]);
    expect(header(join(outDir, 'sgd-at-level.csv'))).toEqual([...LEVEL_BIAS_COLUMNS]);
    for (const f of ['hist-gd-orthonormal.svg', 'hist-sgd-eta0.1-orthonormal.svg', 'finite-n.manifest.json', 'fractions-gd.svg'])
      expect(existsSync(join(outDir, f)), f).toBe(true);
    expect(readFileSync(join(outDir, 'hist-gd-orthonormal.svg'), 'utf8')).toContain('stroke-dasharray');

    const fam = readCsvFile(join(outDir, 'families.csv'));
    const gd = fam.filter((r) => r.algorithm === 'gd' && r.teacher === 'orthonormal' && r.N !== '32');
    expect(gd.reduce((s, r) => s + Number(r.count), 0)).toBe(2 * 20);
    const local = gd.filter((r) => r.category === 'local');
    expect(local.length).toBeGreaterThan(0);
    for (const r of local) {
      expect(Math.abs(Number(r.median_minus_level))).toBeLessThan(1e-6);
      expect(Number(r.max_abs_minus_level)).toBeLessThan(1e-6);
      expect(Number(r.iqr)).toBeLessThan(1e-6);
    }
    // explicit-weight GD follows the ODE from the same network (RK4, Δτ = 0.05, τ ≤ 5)
    const cmp = readCsvFile(join(outDir, 'gd-vs-ode.csv'));
    expect(cmp.length).toBe(2);
    for (const r of cmp) expect(Number(r.max_loss_err)).toBeLessThan(1e-5);
    const sgd = readCsvFile(join(outDir, 'runs', 'sgd-orthonormal-eta0.1-K8M8-N32.csv'));
    expect(sgd.length).toBe(1);
    expect(Number(sgd[0].tau_end)).toBeGreaterThan(0);
  }, 60_000);

  it('rejects N below M with a usage error', async () => {
    const r = await runCli(['study', 'finite-n', '--K', '8', '--Ns', '4']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--Ns');
  });
});
