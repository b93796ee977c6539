// `scmv ode` end to end: output columns, manifest, and rejection of bad input (exit 2, no file).
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runCli as run } from './cli.js';

describe('scmv ode', () => {
  it('writes the trajectory CSV and a manifest, ending at the final state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scmv-ode-'));
    const out = join(dir, 'traj.csv');
    const r = await run(['ode', '--K', '3', '--M', '2', '--seed', '4', '--tau-max', '50', '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/final loss .* stopped: (converged|tau-max)/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('tau,loss,rhs_norm,Q_0_0,Q_0_1,Q_0_2,Q_1_1,Q_1_2,Q_2_2,R_0_0,R_0_1,R_1_0,R_1_1,R_2_0,R_2_1');
    const first = lines[1].split(',').map(Number), last = lines[lines.length - 1].split(',').map(Number);
    expect(first[0]).toBe(0);
    expect(last[1]).toBeLessThan(first[1]); // loss decreased
    const manifest = JSON.parse(readFileSync(join(dir, 'traj.manifest.json'), 'utf8'));
    expect(manifest.command).toBe('ode');
    expect(manifest.seed).toBe(4);
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof manifest.commit).toBe('string');
  });

  it('is reproducible from --seed', async () => {
    const a = await run(['ode', '--K', '2', '--M', '2', '--seed', '9', '--tau-max', '10']);
    const b = await run(['ode', '--K', '2', '--M', '2', '--seed', '9', '--tau-max', '10']);
    expect(a.stdout.length).toBeGreaterThan(100);
    expect(a.stdout).toBe(b.stdout);
  });

  it.each([
    [['--K', '0'], /--K must be an integer in \[1, 100\]/],
    [['--M', '2.5'], /--M must be an integer/],
    [['--tau-max', '0'], /--tau-max must be a number in \(0, ∞\)/],
    [['--tol', '-1'], /--tol must be a number/],
    [['--alpha', '1'], /--alpha must be a number in \[0, 1\)/],
    [['--activation', 'tanh'], /--activation must be one of relu, leaky-relu, erf/],
    [['--init-dim', '0'], /--init-dim must be an integer/],
    [['--M', '4', '--init-dim', '3'], /--init-dim must be an integer in \[M=4/],
  ])('rejects %j with one line, exit 2 and no output file', async (args, msg) => {
    const dir = mkdtempSync(join(tmpdir(), 'scmv-bad-'));
    const out = join(dir, 'x.csv');
    const r = await run(['ode', ...(args as string[]), '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(msg as RegExp);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });
});

describe('scmv ode --algorithm', () => {
  it('integrates nGD, onGD and 2L-GD, with v columns for 2l, and keeps nGD norms at 1', async () => {
    for (const alg of ['ngd', 'ongd', '2l']) {
      const r = await run(['ode', '--algorithm', alg, '--K', '3', '--M', '2', '--init-dim', '3', '--tau-max', '20', '--records-per-decade', '2']);
      expect(r.status).toBe(0);
      const lines = r.stdout.trim().split('\n');
      const head = lines[0].split(',');
      expect(head.includes('v_0')).toBe(alg === '2l');
      const last = lines[lines.length - 1].split(',').map(Number);
      const first = lines[1].split(',').map(Number);
      expect(last[1]).toBeLessThan(first[1]);
      if (alg !== '2l') for (const q of ['Q_0_0', 'Q_1_1', 'Q_2_2']) expect(Math.abs(last[head.indexOf(q)] - 1)).toBeLessThan(1e-8);
    }
  });
});
