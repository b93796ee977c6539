// The finite-n report against the online-SGD predictions of docs/theory.md §9 (K = M = 6, whose
// family n = 1 is the smallest stable level): sgd-vs-prediction.csv carries the prediction of
// theory/sgd-prediction.ts recomputed here, the measured statistics of the local runs, the
// per-panel marks on the orthonormal-teacher histogram, and the cache is reused by the next report.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFiniteNReport, SGD_PRED_COLUMNS } from '../src/studies/finite-n/report.js';
import { SGD_COLUMNS, sgdPredictionsPath, sgdRunsPath, type FiniteNOptions } from '../src/studies/finite-n/options.js';
import { readCsvFile, writeCsv } from '../src/io/csv.js';
import { getActivation } from '../src/activations/index.js';
import { familyLevels } from '../src/theory/levels.js';
import { prepareSgdLevel, predictSgdLevel, sgdPredictionAtN } from '../src/theory/sgd-prediction.js';
import { identity } from '../src/linalg/vector.js';
import { mean, sampleSd } from '../src/stats/describe.js';
import { PANEL_MARK_COLOR } from '../src/io/plot.js';

const K = 6;
const eta = 0.1;
const Ns = [64, 256];
const samples = { samples: 20_000, meanSamples: 50_000 };

describe('study finite-n report: SGD against the prediction of docs/theory.md §9', () => {
  it('writes sgd-vs-prediction.csv with the recomputed prediction, draws it, and reuses the cache', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'scmv-finite-n-pred-'));
    mkdirSync(join(outDir, 'runs'));
    const o: FiniteNOptions = {
      K, M: K, Ns, teachers: ['orthonormal'], runs: 0, gdRuns: 0, gdTauMax: 5, gdDtau: 0.05,
      sgdNs: Ns, sgdLrs: [eta], sgdRuns: 6, sgdTeachers: ['orthonormal', 'gaussian'], sgdTauMax: 4, sgdTauFactor: 1.5, sgdTauRecord: 1,
      levelNs: [], levelLrs: [], levelFamilies: [], levelReplicas: 0, levelTauBurn: 1, levelTauAvg: 2,
      backend: 'js', seed: 1, tauMax: 3000, tol: 1e-7, epsGlobal: 1e-3, gTol: 1e-6, workers: 1, outDir,
      levelsCsv: 'results/levels.csv', timeBudget: 0, quick: false, sgdPrediction: samples,
    };
    // runs: per (teacher, N) two global runs, one still-moving run of family 1 and local runs of family 1
    const localLosses = (N: number) => (N === 64 ? [0.0291, 0.0302, 0.0296] : [0.0294, 0.0297, 0.0293, 0.0299]);
    for (const teacher of ['orthonormal', 'gaussian'])
      for (const N of Ns) {
        const loc = localLosses(N);
        const rows = [
          ...[0.0008, 0.0009].map((loss) => ({ class: 'global', family_n: 0, final_loss: loss })),
          { class: 'none', family_n: 1, final_loss: 0.031 },
          ...loc.map((loss) => ({ class: 'local', family_n: 1, final_loss: loss })),
        ].map((r, run) => ({ N, teacher, lr: eta, run, run_seed: run, loss_avg: r.final_loss, loss_trend: 0, rhs_norm: 0, tau_end: 100, tau_cap: 100, stop: 'tau-cap', backend: 'js', wall_ms: 1, ...r }));
        writeCsv(sgdRunsPath(o, teacher, eta, N), SGD_COLUMNS, rows.map((r) => SGD_COLUMNS.map((c) => r[c as keyof typeof r])));
      }
    const logs: string[] = [];
    await writeFiniteNReport(o, (s) => logs.push(s));
    expect(logs.filter((s) => s.startsWith('sgd prediction n=1 η=0.1: predicted'))).toHaveLength(1);

    // the prediction recomputed from the theory module
    const act = getActivation('relu', 0);
    const level = familyLevels(act, K, K, 1, [], true).find((r) => r.stable)!;
    const p = predictSgdLevel(prepareSgdLevel(act, K, K, level.point.Q, level.point.R, identity(K), samples), eta);
    expect(p.stable).toBe(true);

    const path = join(outDir, 'sgd-vs-prediction.csv');
    expect(readFileSync(path, 'utf8').split('\n')[0].split(',')).toEqual([...SGD_PRED_COLUMNS]);
    const rows = readCsvFile(path);
    expect(rows).toHaveLength(2 * Ns.length);
    for (const N of Ns) {
      const at = sgdPredictionAtN(p, N);
      const loc = localLosses(N);
      const r = rows.find((x) => x.teacher === 'orthonormal' && Number(x.N) === N)!;
      expect([r.family_n, r.prediction, r.count, r.none_count, r.branch]).toEqual(['1', 'predicted', String(loc.length), '1', String(level.branch)]);
      expect(Number(r.level)).toBe(level.point.loss);
      expect(Number(r.pred_level_mean)).toBe(at.levelMean);
      expect(Number(r.pred_sd)).toBe(at.sd);
      expect(Number(r.pred_level_ode)).toBe(at.levelOde);
      expect(Number(r.meas_mean)).toBeCloseTo(mean(loc), 15);
      expect(Number(r.meas_sd)).toBeCloseTo(sampleSd(loc), 15);
      expect(Number(r.z_mean)).toBeCloseTo((mean(loc) - at.levelMean) / Math.sqrt(at.sd ** 2 / loc.length + at.shiftFiniteNSe ** 2), 10);
      expect(Number(r.sd_ratio)).toBeCloseTo(sampleSd(loc) / at.sd, 12);
      // the Gaussian teacher (T ≠ I): measured only
      const g = rows.find((x) => x.teacher === 'gaussian' && Number(x.N) === N)!;
      expect(g.prediction).toBe('not-applicable-teacher');
      expect(g.pred_level_mean).toBe('NaN');
      expect(Number(g.meas_mean)).toBeCloseTo(mean(loc), 15);
    }
    // the orthonormal-teacher histogram draws the predictions (band and solid rule in each panel), the Gaussian one does not
    const svg = readFileSync(join(outDir, `hist-sgd-eta${eta}-orthonormal.svg`), 'utf8');
    expect(svg).toContain('solid: predicted SGD mean');
    expect(svg.split(`fill="${PANEL_MARK_COLOR}"`).length - 1).toBe(Ns.length);
    expect(svg.split(`stroke="${PANEL_MARK_COLOR}"`).length - 1).toBe(Ns.length);
    expect(readFileSync(join(outDir, `hist-sgd-eta${eta}-gaussian.svg`), 'utf8')).not.toContain(PANEL_MARK_COLOR);

    // a second report reads the cache: nothing recomputed, the cache file untouched, the same CSV
    const cache = sgdPredictionsPath(o);
    const before = { text: readFileSync(cache, 'utf8'), mtime: statSync(cache).mtimeMs, out: readFileSync(path, 'utf8') };
    expect(readCsvFile(cache)).toHaveLength(1);
    const logs2: string[] = [];
    await writeFiniteNReport(o, (s) => logs2.push(s));
    expect(logs2.filter((s) => s.startsWith('sgd prediction'))).toEqual([]);
    expect(readFileSync(cache, 'utf8')).toBe(before.text);
    expect(statSync(cache).mtimeMs).toBe(before.mtime);
    expect(readFileSync(path, 'utf8')).toBe(before.out);
  }, 60_000);
});
