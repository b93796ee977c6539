// `scmv train` and its library (docs/theory.md §4, §5): SGD deviations from the ODE shrink with N and
// with η; bad input is rejected before any file is written; diverging replicas are marked
// and the others go on; results do not depend on --workers.
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { deviations, odeKindOf, runTrain, totalSteps, type TrainOptions } from '../src/runs/train.js';
import { getActivation } from '../src/activations/index.js';

const dir = mkdtempSync(join(tmpdir(), 'scmv-train-'));
const cli = (args: string[]) => runCli(['train', ...args]);
const readRows = (path: string) => parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];

const base: TrainOptions = {
  K: 2, M: 2, N: 100, algorithm: 'sgd', lr: 0.1, dtau: 0.01, gdMethod: 'rk4', tauMax: 1, teacher: 'gaussian',
  activation: 'relu', alpha: 0, seed: 4, replicas: 4, workers: 1, backend: 'js', compareOde: true,
};

/** Mean over replicas of the max over τ (20 records) of |ε_SGD − ε_ODE|. */
async function meanMaxLossErr(o: Partial<TrainOptions>): Promise<number> {
  const opts = { ...base, ...o };
  const res = await runTrain({ ...opts, recordEvery: Math.ceil(totalSteps(opts) / 20) });
  const m = res.map((r) => Math.max(...r.records.map((x) => deviations(x).lossErr)));
  return m.reduce((a, b) => a + b, 0) / m.length;
}

describe('online SGD against the ODE', () => {
  it('the deviation shrinks as η shrinks at fixed N', async () => {
    const big = await meanMaxLossErr({ N: 400, lr: 0.4 });
    const small = await meanMaxLossErr({ N: 400, lr: 0.025 });
    expect(small).toBeLessThan(big / 2);
  });

  it('the deviation shrinks as N grows at fixed small η', async () => {
    const small = await meanMaxLossErr({ N: 20, lr: 0.05 });
    const large = await meanMaxLossErr({ N: 400, lr: 0.05 });
    expect(large).toBeLessThan(small / 1.5);
  });

  it('at large N the SGD ODE (η Φ term) tracks SGD much better than the gradient flow', async () => {
    const act = getActivation('relu');
    expect(odeKindOf({ algorithm: 'sgd', activation: 'relu', alpha: 0 })).toBe(act.I4 ? 'sgd-ode' : 'gradient-flow');
    expect(odeKindOf({ algorithm: 'gd', activation: 'relu', alpha: 0 })).toBe('gradient-flow');
    if (!act.I4) return;
    const gf = await meanMaxLossErr({ N: 2000, lr: 0.4, replicas: 2, odeKind: 'gradient-flow' });
    const sgdOde = await meanMaxLossErr({ N: 2000, lr: 0.4, replicas: 2, odeKind: 'sgd-ode' });
    expect(sgdOde).toBeLessThan(gf / 2);
  });

  it('population GD rows match the ODE rows to ≤ 1e-8 (τ ≤ 10, RK4, Δτ = 0.01)', async () => {
    const res = await runTrain({ ...base, algorithm: 'gd', N: 60, tauMax: 10, replicas: 2 });
    expect(res[0].records.length).toBeGreaterThan(50);
    for (const r of res) for (const x of r.records) {
      expect(x.status).toBe('ok');
      expect(deviations(x).lossErr).toBeLessThan(1e-8);
      expect(deviations(x).qErr).toBeLessThan(1e-8);
    }
  });
});

describe('scmv train CLI', () => {
  it.each([
    [['--N', '0'], '--N'],
    [['--lr', '0'], '--lr'],
    [['--lr', '-1'], '--lr'],
    [['--dtau', '0', '--algorithm', 'gd'], '--dtau'],
    [['--replicas', '0'], '--replicas'],
    [['--workers', '0'], '--workers'],
    [['--backend', 'cuda'], '--backend'],
    [['--algorithm', 'gd', '--lr', '0.1'], '--lr does not apply'],
    [['--kappa', '2'], '--kappa does not apply'],
    [['--replicas', '100000000'], '--replicas'],
    [['--N', '10000000', '--K', '1000', '--M', '1000'], 'GiB of memory'],
  ])('rejects %j with exit code 2 and writes nothing', async (args, flag) => {
    const out = join(dir, `bad-${args.join('_')}.csv`);
    const r = await cli([...args, '--out', out, '--tau-max', '0.1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(flag);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('marks diverging replicas and lets the others finish', async () => {
    const out = join(dir, 'div.csv');
    const r = await cli(['--K', '4', '--M', '4', '--N', '50', '--lr', '0.75', '--tau-max', '20', '--replicas', '8', '--seed', '1', '--out', out]);
    expect(r.status).toBe(0);
    const rows = readRows(out);
    const byReplica = new Map<string, Record<string, string>[]>();
    for (const row of rows) byReplica.set(row.replica, [...(byReplica.get(row.replica) ?? []), row]);
    expect(byReplica.size).toBe(8);
    const lastStep = Math.max(...rows.map((x) => Number(x.step)));
    let diverged = 0;
    let finished = 0;
    for (const rs of byReplica.values()) {
      const first = rs.findIndex((x) => x.status === 'diverged');
      if (first >= 0) {
        diverged++;
        expect(first).toBe(rs.length - 1); // the diverged row is the replica's last
        const loss = Number(rs[first].loss);
        expect(!(Math.abs(loss) <= 1e3 * Math.max(1, Number(rs[0].loss)))).toBe(true);
        expect(Number(rs[first].step)).toBeLessThan(lastStep);
      } else if (Number(rs[rs.length - 1].step) === lastStep) finished++;
    }
    expect(diverged).toBeGreaterThan(0);
    expect(finished).toBeGreaterThan(0);
    expect(diverged + finished).toBe(8);
    const manifest = JSON.parse(readFileSync(join(dir, 'div.manifest.json'), 'utf8'));
    expect(manifest.result.diverged.length).toBe(diverged);
    // the headline and the manifest summarise only the replicas that did not diverge
    expect(manifest.result.finalLoss).toHaveLength(finished);
    expect(r.stdout).toContain(`${diverged} diverged`);
  });

  it('writes the same CSV for --workers 1 and 2, with ODE columns and τ = η·steps/N', async () => {
    const args = ['--K', '2', '--M', '2', '--N', '40', '--lr', '0.2', '--tau-max', '2', '--replicas', '3', '--compare-ode', '--record-every', '20'];
    const a = join(dir, 'w1.csv');
    const b = join(dir, 'w2.csv');
    expect((await cli([...args, '--workers', '1', '--out', a])).status).toBe(0);
    expect((await cli([...args, '--workers', '2', '--out', b])).status).toBe(0);
    const ta = readFileSync(a, 'utf8');
    expect(ta).toBe(readFileSync(b, 'utf8'));
    const rows = readRows(a);
    expect(Object.keys(rows[0])).toEqual(expect.arrayContaining(['replica', 'step', 'tau', 'status', 'loss', 'Q_0_1', 'R_1_0', 'ode_loss', 'ode_Q_0_0', 'loss_abs_err', 'Q_max_err', 'R_max_err']));
    expect(new Set(rows.map((x) => x.replica))).toEqual(new Set(['0', '1', '2']));
    for (const x of rows) expect(Number(x.tau)).toBeCloseTo((0.2 * Number(x.step)) / 40, 12);
    expect(rows.filter((x) => x.replica === '0').length).toBe(400 / 20 + 1);
    const manifest = JSON.parse(readFileSync(join(dir, 'w1.manifest.json'), 'utf8'));
    expect(manifest.ode).toMatch(/^(gradient-flow|sgd-ode)$/);
  });

  it('GD time is τ = steps·Δτ; GD with an orthonormal teacher matches the ODE', async () => {
    const out = join(dir, 'gd.csv');
    const r = await cli(['--algorithm', 'gd', '--K', '2', '--M', '2', '--N', '30', '--dtau', '0.05', '--tau-max', '1', '--teacher', 'orthonormal', '--compare-ode', '--out', out]);
    expect(r.status).toBe(0);
    const rows = readRows(out);
    expect(Number(rows[rows.length - 1].step)).toBe(20);
    expect(Number(rows[rows.length - 1].tau)).toBeCloseTo(1, 12);
    for (const x of rows) expect(Number(x.loss_abs_err)).toBeLessThan(1e-6);
  });
});
