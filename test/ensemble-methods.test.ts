// The ensemble's two methods (src/runs/ensemble-member.ts, docs/theory.md §11.2): rkc2 (weight
// state, RKC2, polish as a fallback) classifies as dopri5 does, run for run; horizons record the
// class a run would get if stopped at τ_h; the method is a row option of the runs file.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ENSEMBLE_RUN_JOB, ensembleRunJob, runColumns, type RunRow, type RunSpec } from '../src/runs/ensemble-member.js';
import { mapPool } from '../src/runs/pool.js';
import { ENSEMBLE_METHOD } from '../src/defaults.js';
import { runCli } from './cli.js';

const spec = (K: number, M: number, run: number, method: 'rkc2' | 'dopri5', extra: Partial<RunSpec> = {}): RunSpec => ({
  run, seed: 1, K, M, initDim: M, algorithm: 'gd', activation: 'relu', alpha: 0, tol: 1e-7, tauMax: 1e4,
  ...ENSEMBLE_METHOD.tolerances[method], epsGlobal: 1e-3, gTol: 1e-6, vanishTol: 1e-4, earlyGlobal: true, polishAt: 1e-4, method, ...extra,
});
const label = (r: RunRow) => `${r.class} ${r.family_n}`;

/** Runs `runs` of (K, M) with both methods on two worker threads: [dopri5 rows, rkc2 rows]. */
async function both(K: number, M: number, runs: number): Promise<[RunRow[], RunRow[]]> {
  const specs = (method: 'rkc2' | 'dopri5') => Array.from({ length: runs }, (_, i) => spec(K, M, i, method));
  const all = await mapPool(ENSEMBLE_RUN_JOB, [...specs('dopri5'), ...specs('rkc2')], { workers: 2 });
  return [all.slice(0, runs), all.slice(runs)];
}

describe('rkc2 classifies as dopri5, run for run', () => {
  it('K = M = 10, runs 0–199 of seed 1: the same class and family n; local runs on the same level', async () => {
    const counts: Record<string, number> = {};
    const differ: string[] = [];
    let evalsRkc = 0;
    let evalsDopri = 0;
    const [dopri, rkc] = await both(10, 10, 200);
    for (let run = 0; run < 200; run++) {
      const a = dopri[run];
      const b = rkc[run];
      expect(a.run).toBe(run);
      expect(b.run).toBe(run);
      counts[label(a)] = (counts[label(a)] ?? 0) + 1;
      if (label(a) !== label(b)) differ.push(`run ${run}: dopri5 ${label(a)}, rkc2 ${label(b)}`);
      // the rkc2 path ends at max|RHS| < 1e-7 (or polished): ε within 1e-6 of the polished level
      if (a.class === 'local' && b.class === 'local') expect(Math.abs(a.final_loss - b.final_loss)).toBeLessThan(1e-6);
      evalsRkc += b.rhs_evals;
      evalsDopri += a.rhs_evals;
    }
    expect(differ).toEqual([]);
    // both classes and several families occur (the comparison is not vacuous)
    expect(counts['global 0']).toBeGreaterThan(50);
    expect(counts['local 1']).toBeGreaterThan(20);
    expect(counts['local 2']).toBeGreaterThan(0);
    expect(evalsRkc).toBeLessThan(evalsDopri / 2);
  });

  it('K = M = 16, runs 0–3 (local families n = 1, 2, 6)', async () => {
    const fams = new Set<number>();
    const [dopri, rkc] = await both(16, 16, 4);
    for (let run = 0; run < 4; run++) {
      const a = dopri[run];
      const b = rkc[run];
      expect(label(b), `run ${run}`).toBe(label(a));
      if (a.class === 'local') fams.add(a.family_n);
    }
    expect(fams.size).toBeGreaterThanOrEqual(2);
  });

  it('the weight-space polish fallback lands on the dopri5 polish (K = M = 8, a local run)', async () => {
    // run 1 of seed 1 ends in family n = 1; with the fallback due at once it is polished
    const ref = await ensembleRunJob(spec(8, 8, 1, 'dopri5'));
    expect(ref.stop).toBe('polished');
    const saved = ENSEMBLE_METHOD.polishAfterEvals;
    try {
      (ENSEMBLE_METHOD as { polishAfterEvals: number }).polishAfterEvals = 0;
      const fast = await ensembleRunJob(spec(8, 8, 1, 'rkc2'));
      expect(fast.stop).toBe('polished');
      expect(label(fast)).toBe(label(ref));
      expect(Math.abs(fast.final_loss - ref.final_loss)).toBeLessThan(1e-12);
      expect(fast.rhs_norm).toBeLessThan(1e-10);
    } finally {
      (ENSEMBLE_METHOD as { polishAfterEvals: number }).polishAfterEvals = saved;
    }
  });
});

describe('horizons', () => {
  it('the state at τ_h is the end state of the same run stopped at τ_max = τ_h (both methods)', async () => {
    const horizons = [30, 60, 1e5];
    for (const method of ['rkc2', 'dopri5'] as const) {
      for (const run of [1, 5]) {
        const row = await ensembleRunJob(spec(8, 8, run, method, { horizons }));
        expect(row.horizons!.map((h) => h.tau)).toEqual([30, 60, 1e5]);
        for (const h of row.horizons!) {
          if (h.tau >= row.tau_end) {
            // at or past the end: the end state's values
            expect([h.loss, h.rhs_norm, h.class, h.family_n]).toEqual([row.final_loss, row.rhs_norm, row.class, row.family_n]);
            continue;
          }
          // the same steps: the run stopped at τ_h lands on the earlier horizons too
          const stopped = await ensembleRunJob(spec(8, 8, run, method, { tauMax: h.tau, horizons: horizons.filter((x) => x < h.tau) }));
          expect(stopped.stop).toBe('tau-max');
          expect([h.loss, h.rhs_norm, h.class, h.family_n], `${method} run ${run} τ ${h.tau}`).toEqual([stopped.final_loss, stopped.rhs_norm, stopped.class, stopped.family_n]);
        }
        expect(row.horizons![0].tau).toBeLessThan(row.tau_end); // horizon 30 is before the end of these runs
      }
    }
  });

  it('scmv ensemble --horizons: extra columns; the largest horizon (≥ the end) gives the class of a run without horizons', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scmv-horizons-'));
    const base = ['ensemble', '--K', '6', '--M', '6', '--runs', '12', '--seed', '3', '--workers', '1', '--tau-max', '3000'];
    const withH = join(dir, 'h.csv');
    const without = join(dir, 'plain.csv');
    expect((await runCli([...base, '--horizons', '3000,100,1000', '--out', withH])).status).toBe(0);
    expect((await runCli([...base, '--out', without])).status).toBe(0);
    const text = readFileSync(withH, 'utf8');
    expect(text.split('\n')[0]).toBe(runColumns([100, 1000, 3000]).join(','));
    expect(text.split('\n')[0].endsWith('h3000_loss,h3000_rhs_norm,h3000_class,h3000_family_n')).toBe(true);
    const a = parse(text, { columns: true }) as Record<string, string>[];
    const b = parse(readFileSync(without, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(a).toHaveLength(12);
    let before = 0;
    a.forEach((r, i) => {
      expect(r.h3000_class).toBe(r.class);
      expect(r.h3000_family_n).toBe(r.family_n);
      expect(r.h3000_loss).toBe(r.final_loss);
      expect(`${r.h3000_class} ${r.h3000_family_n}`).toBe(`${b[i].class} ${b[i].family_n}`);
      if (Number(r.tau_end) > 100) {
        before++;
        expect(['none', 'local', 'global']).toContain(r.h100_class);
      } else expect(r.h100_loss).toBe(r.final_loss);
    });
    expect(before).toBeGreaterThan(0);
    // the horizons are row options (and columns): resuming with others is refused
    const r = await runCli([...base, '--horizons', '100,1000', '--out', withH]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/exists with a different header/);
  });
});

describe('the method is a row option', () => {
  it('resuming with another method or tolerance is refused; a manifest from before methods existed resumes as dopri5', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scmv-method-'));
    const out = join(dir, 'runs.csv');
    const base = ['ensemble', '--K', '3', '--M', '3', '--seed', '7', '--workers', '1', '--out', out];
    expect((await runCli([...base, '--runs', '4', '--method', 'dopri5'])).status).toBe(0);
    const manifest = JSON.parse(readFileSync(out.replace(/\.csv$/, '.manifest.json'), 'utf8'));
    expect(manifest.rowOptions).toMatchObject({ method: 'dopri5', rtol: 1e-6, atol: 1e-9 });
    const r = await runCli([...base, '--runs', '6']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/atol 1e-9 ≠ 0\.000001, method "dopri5" ≠ "rkc2", rtol 0\.000001 ≠ 0\.001/);
    // an older manifest without `method`: its rows were made by dopri5
    delete manifest.rowOptions.method;
    writeFileSync(out.replace(/\.csv$/, '.manifest.json'), JSON.stringify(manifest));
    expect((await runCli([...base, '--runs', '6', '--method', 'rkc2', '--rtol', '1e-6', '--atol', '1e-9'])).stderr).toMatch(/method "dopri5" ≠ "rkc2"/);
    const ok = await runCli([...base, '--runs', '6', '--method', 'dopri5']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/2 runs done .* 4 resumed/);
  });
});
