// scmv ensemble: rows independent of --workers and --shard, resumable after SIGKILL/SIGINT,
// bad input rejected with exit 2 before any file is written.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, spawnCli } from './cli.js';

const scmv = runCli;
const scmvAsync = runCli;

/** Data lines of a runs CSV without the trailing wall_ms column, sorted by run. */
function rowsOf(text: string): string[] {
  const lines = text.trim().split('\n');
  expect(lines[0]).toBe('run,seed,K,M,final_loss,class,family_n,tau_end,rhs_norm,rhs_evals,stop,wall_ms');
  return lines.slice(1).map((l) => l.replace(/,[^,]*$/, '')).sort((a, b) => Number(a.split(',')[0]) - Number(b.split(',')[0]));
}

const small = ['ensemble', '--K', '3', '--M', '3', '--runs', '12', '--seed', '7'];

describe('scmv ensemble', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scmv-ens-'));

  it('gives the same rows for --workers 1 and 2, and for 1 shard and 3 merged shards', async () => {
    // in-process runs share stdout: one after the other
    const runs = [];
    for (const args of [
      [...small, '--workers', '1', '--out', join(dir, 'w1.csv')],
      [...small, '--workers', '2', '--out', join(dir, 'w2.csv')],
      ...[0, 1, 2].map((i) => [...small, '--workers', '1', '--shard', `${i}/3`, '--out', join(dir, `s${i}.csv`)]),
    ]) runs.push(await scmvAsync(args));
    for (const r of runs) expect(r.status).toBe(0);
    const a = readFileSync(join(dir, 'w1.csv'), 'utf8');
    const b = readFileSync(join(dir, 'w2.csv'), 'utf8');
    // ordered delivery: identical files apart from wall_ms, row order included
    const strip = (t: string) => t.split('\n').map((l) => l.replace(/,[^,]*$/, ''));
    expect(strip(b)).toEqual(strip(a));
    expect(rowsOf(a)).toHaveLength(12);
    const shards = [0, 1, 2].map((i) => {
      const rows = rowsOf(readFileSync(join(dir, `s${i}.csv`), 'utf8'));
      for (const row of rows) expect(Number(row.split(',')[0]) % 3).toBe(i);
      return rows;
    });
    const merged = shards.flat().sort((x, y) => Number(x.split(',')[0]) - Number(y.split(',')[0]));
    expect(merged).toEqual(rowsOf(a));
    // every row is classified, with a finite loss
    for (const row of rowsOf(a)) {
      const c = row.split(',');
      expect(['global', 'local', 'none']).toContain(c[5]);
      expect(Number.isFinite(Number(c[4]))).toBe(true);
    }
  });

  const slow = ['ensemble', '--K', '4', '--M', '4', '--runs', '40', '--seed', '3', '--workers', '1'];

  async function killAfterRows(out: string, signal: NodeJS.Signals, rows: number): Promise<number | null> {
    const child = spawnCli([...slow, '--out', out]);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (;;) {
      await new Promise((r) => setTimeout(r, 5));
      const n = existsSync(out) ? readFileSync(out, 'utf8').split('\n').length - 2 : 0;
      if (n >= rows || child.exitCode !== null) break;
    }
    child.kill(signal);
    return exited;
  }

  it('resumes after SIGKILL and after SIGINT to the same rows as an uninterrupted run', async () => {
    const ref = join(dir, 'ref.csv');
    expect((await scmv([...slow, '--out', ref])).status).toBe(0);
    const want = rowsOf(readFileSync(ref, 'utf8'));
    expect(want).toHaveLength(40);

    const killed = join(dir, 'killed.csv');
    await killAfterRows(killed, 'SIGKILL', 3);
    const partial = rowsOf(readFileSync(killed, 'utf8').replace(/\n[^\n]*$/, '\n'));
    expect(partial.length).toBeGreaterThanOrEqual(3);
    expect(partial.length).toBeLessThan(40);
    expect((await scmv([...slow, '--out', killed])).status).toBe(0);
    expect(rowsOf(readFileSync(killed, 'utf8'))).toEqual(want);

    const interrupted = join(dir, 'int.csv');
    const code = await killAfterRows(interrupted, 'SIGINT', 3);
    expect(code).toBe(130);
    const text = readFileSync(interrupted, 'utf8');
    expect(text.endsWith('\n')).toBe(true); // only whole rows
    const before = rowsOf(text);
    expect(before.length).toBeLessThan(40);
    expect(before).toEqual(want.slice(0, before.length));
    expect((await scmv([...slow, '--out', interrupted])).status).toBe(0);
    expect(rowsOf(readFileSync(interrupted, 'utf8'))).toEqual(want);
  });

  it('rejects bad input with exit 2 and writes nothing', async () => {
    const bads = [['--runs', '0'], ['--runs', '4', '--shard', '3/3'], ['--runs', '4', '--K', '0'], ['--runs', '4', '--shard', 'x']];
    const outs = bads.map((bad) => join(dir, `bad-${bad.join('')}.csv`));
    const results = [];
    for (const [i, bad] of bads.entries()) results.push(await scmvAsync(['ensemble', ...bad, '--out', outs[i]]));
    results.forEach((r, i) => {
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^scmv: --(runs|shard|K) must/);
      expect(existsSync(outs[i])).toBe(false);
      expect(existsSync(outs[i].replace(/\.csv$/, '.manifest.json'))).toBe(false);
    });
  });

  it('refuses to resume into a file produced with other parameters, naming them', async () => {
    const out = join(dir, 'w1.csv');
    const before = readFileSync(out, 'utf8');
    const r = await scmv(['ensemble', '--K', '4', '--M', '4', '--runs', '3', '--seed', '7', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/K 3 ≠ 4/);
    const r2 = await scmv([...small, '--algorithm', 'ngd', '--eps-global', '0.1', '--out', out]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/algorithm "gd" ≠ "ngd".*epsGlobal 0\.001 ≠ 0\.1/);
    expect(r2.stderr.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(out, 'utf8')).toBe(before);
  });

  it('lets one process write an output at a time (a lock with the holder\'s pid)', async () => {
    const out = join(dir, 'locked.csv');
    const child = spawnCli(['ensemble', '--K', '6', '--M', '6', '--runs', '400', '--seed', '1', '--workers', '1', '--out', out]);
    for (let i = 0; i < 400 && !existsSync(`${out}.lock`); i++) await new Promise((r) => setTimeout(r, 25));
    const r = await scmv(['ensemble', '--K', '6', '--M', '6', '--runs', '400', '--seed', '1', '--out', out]);
    child.kill('SIGINT');
    await new Promise((res) => child.on('exit', res));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`is being written by process ${child.pid}`));
    expect(existsSync(`${out}.lock`)).toBe(false);
  });
});

describe('the minimum check does not grow with --init-dim', () => {
  it('a local run at d = 1000 costs what it costs at d = K + M + 1 and gets the same row', async () => {
    const { runEnsembleMember, makePolisher } = await import('../src/runs/ensemble-member.js');
    const spec = {
      run: 205, seed: 11, K: 11, M: 10, initDim: 1000, algorithm: 'gd', activation: 'relu', alpha: 0, tol: 1e-7, tauMax: 1e4,
      rtol: 1e-6, atol: 1e-9, epsGlobal: 1e-3, gTol: 1e-6, vanishTol: 1e-4, earlyGlobal: true, polishAt: 1e-4,
    };
    const t0 = performance.now();
    const big = runEnsembleMember(spec, makePolisher('relu', 0));
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(big.class).toBe('local');
    expect(big.stop).toBe('polished');
    expect(big.family_n).toBe(1);
    expect(big.rhs_norm).toBeLessThan(1e-10);
    // the rkc2 path: the weight state has K + M columns at d = 1000 (p = K), the same class and family
    const { ensembleRunJob } = await import('../src/runs/ensemble-member.js');
    const t1 = performance.now();
    const fast = await ensembleRunJob({ ...spec, method: 'rkc2', rtol: 1e-3, atol: 1e-6 });
    expect(performance.now() - t1).toBeLessThan(10_000);
    expect(`${fast.class} ${fast.family_n}`).toBe('local 1');
    expect(Math.abs(fast.final_loss - big.final_loss)).toBeLessThan(1e-6);
  });
});
