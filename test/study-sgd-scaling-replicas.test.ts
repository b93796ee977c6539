// Replicas of study 2 (studies/sgd-scaling/replicas.ts): the job's replica 0 is the study's own
// run bit for bit, the other streams differ, the per-network statistics are the formulas of the
// module header, and the study resumes without repeating a network. A run stopped mid-way resumes
// from its checkpoint (runs/checkpoint.ts) with the uninterrupted result.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { mapPool } from '../src/runs/pool.js';
import { DEFAULT_RECOMPUTE_EVERY } from '../src/network/backend.js';
import { SGD_SCALING_JOB, sgdScalingJob, type SgdScalingJobInput, type SgdScalingJobOutput } from '../src/studies/sgd-scaling/job.js';
import { replicaStatsOf, runSgdReplicas, REPLICA_COLUMNS } from '../src/studies/sgd-scaling/replicas.js';

const input: SgdScalingJobInput = {
  activation: 'relu', alpha: 0, K: 2, M: 2, N: 60, seed: 3, teacher: 'gaussian', scaling: 'inv', c: 1,
  tauMax: 30, convFrac: 1e-3, records: 20, maxSteps: 1e6, backend: 'wasm', rtol: 1e-6,
};

describe('sgd-scaling job with replicas', () => {
  it('replica 0 is the single run exactly; the other streams give other losses', async () => {
    const one = await sgdScalingJob(input);
    const three = await sgdScalingJob({ ...input, replicas: 3 });
    const { wall_ms: _a, ...rowOne } = one.row;
    const { wall_ms: _b, ...rowThree } = three.row;
    expect(rowThree).toEqual(rowOne);
    expect(three.trajectory).toEqual(one.trajectory);
    expect(one.replicaLoss).toBeUndefined();
    const L = three.replicaLoss!;
    expect(L).toHaveLength(one.trajectory.length - 1);
    L.forEach((l, k) => expect(l[0]).toBe(one.trajectory[k + 1].loss_sgd));
    const last = L[L.length - 1];
    expect(last[1]).not.toBe(last[0]);
    expect(last[2]).not.toBe(last[1]);
    // same network, same flow: the streams end near each other (relative to ε0)
    for (const x of last) expect(Math.abs(x - last[0])).toBeLessThan(0.05 * Number(one.row.loss0));
  });
});

describe('replica statistics', () => {
  it('dev_own, dev_each, dev_mean, mean_se and sd_max follow their definitions; a diverged replica is left out', () => {
    const gf = [1, 0.5, 0.2];
    const out: SgdScalingJobOutput = {
      row: { K: 2, M: 2, N: 10, seed: 1, scaling: 'inv', c: 1, eta: 0.1, loss0: 1, tau_end: 3, loss_dev_gf: 0.1 },
      trajectory: [{ tau: 0, loss_sgd: 1, loss_gf: 1, loss_sgd_ode: 1 }, ...gf.slice(1).map((g, i) => ({ tau: i + 1, loss_sgd: 0, loss_gf: g, loss_sgd_ode: g }))],
      // records at τ = 1, 2 of replicas 0, 1, 2 (replica 3 diverged)
      replicaLoss: [[0.6, 0.4, 0.5, NaN], [0.3, 0.2, 0.25, NaN]],
    };
    const { row, points } = replicaStatsOf(out, 4);
    expect(row.replicas_ok).toBe(3);
    expect(row.dev_own).toBe(0.1);
    // per replica max_τ |ε_r − ε_GF|: 0.1, 0.1, 0.05 → median 0.1
    expect(row.dev_each).toBeCloseTo(0.1, 15);
    // means 0.5, 0.25 against 0.5, 0.2
    expect(row.dev_mean).toBeCloseTo(0.05, 15);
    expect(row.sd_max).toBeCloseTo(0.1, 15);
    expect(row.mean_se).toBeCloseTo(0.1 / Math.sqrt(3), 15);
    expect(Number(points[0].loss_mean)).toBeCloseTo(0.5, 15);
    expect(Number(points[1].loss_mean)).toBeCloseTo(0.25, 15);
    expect(points.map((p) => p.tau)).toEqual([1, 2]);
  });
});

describe('runSgdReplicas (tiny)', () => {
  it('writes one row per network with mean_se = sd_max/√R, and resumes without repeating one', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'sgd-replicas-'));
    const o = {
      configs: [[2, 2]] as [number, number][], Ns: [40, 80], scalings: ['inv' as const], cs: [1], seeds: 2, seed: 1, activation: 'relu' as const, alpha: 0,
      teacher: 'gaussian' as const, tauMax: 30, convFrac: 1e-3, records: 15, maxSteps: 1e6, backend: 'wasm' as const, rtol: 1e-6, workers: 1, outDir, replicas: 4, timeBudget: 0,
      // a checkpoint at every chance: each is removed once its row is written
      checkpointSeconds: 1e-9,
    };
    await runSgdReplicas(o);
    const read = () => parse(readFileSync(join(outDir, 'replicas.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const rows = read();
    expect(Object.keys(rows[0])).toEqual([...REPLICA_COLUMNS]);
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      expect(Number(r.replicas_ok)).toBe(4);
      expect(Number(r.sd_max)).toBeGreaterThan(0);
      expect(Number(r.mean_se)).toBeCloseTo(Number(r.sd_max) / 2, 14);
    }
    expect(readdirSync(join(outDir, 'checkpoints'))).toEqual([]);
    await runSgdReplicas(o);
    expect(read()).toEqual(rows);
    const summary = parse(readFileSync(join(outDir, 'replica-summary.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(summary.map((r) => Number(r.networks))).toEqual([2, 2]);
    expect(readFileSync(join(outDir, 'replica-fits.csv'), 'utf8')).toContain('dev_mean');
  });

  it('stops after the first network once --time-budget is spent, and a rerun without it does the rest', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'sgd-replicas-budget-'));
    const o = {
      configs: [[2, 2]] as [number, number][], Ns: [40, 80], scalings: ['inv' as const], cs: [1], seeds: 1, seed: 1, activation: 'relu' as const, alpha: 0,
      teacher: 'gaussian' as const, tauMax: 20, convFrac: 1e-3, records: 10, maxSteps: 1e6, backend: 'wasm' as const, rtol: 1e-6, workers: 1, outDir, replicas: 2,
      timeBudget: 1e-9, checkpointSeconds: 300,
    };
    const logs: string[] = [];
    await runSgdReplicas(o, (m) => logs.push(m));
    const Ns = () => (parse(readFileSync(join(outDir, 'replicas.csv'), 'utf8'), { columns: true }) as Record<string, string>[]).map((r) => r.N);
    expect(Ns()).toEqual(['40']);
    expect(logs.at(-1)).toMatch(/time budget of 1e-9 s spent/);
    await runSgdReplicas({ ...o, timeBudget: 0 });
    expect(Ns()).toEqual(['40', '80']);
  });
});

describe('sgd-scaling job checkpoints', () => {
  it('a run stopped mid-way and started again from its checkpoint gives the uninterrupted result', async () => {
    const long: SgdScalingJobInput = { ...input, N: 200, c: 0.5, replicas: 2 };
    const whole = await sgdScalingJob(long);
    const checkpoint = join(mkdtempSync(join(tmpdir(), 'sgd-ckpt-')), 'run.json');
    const stop = new AbortController();
    const poll = setInterval(() => existsSync(checkpoint) && stop.abort(), 5);
    try {
      await mapPool(SGD_SCALING_JOB, [{ ...long, checkpoint, checkpointSeconds: 0 }], { workers: 1, signal: stop.signal });
    } finally {
      clearInterval(poll);
    }
    const saved = JSON.parse(readFileSync(checkpoint, 'utf8')) as { steps: number[]; W: number[] };
    // stopped part-way: some records taken, not all
    expect(saved.steps[0]).toBeGreaterThan(0);
    expect(saved.steps[0]).toBeLessThan(Number(whole.row.steps) / 2);
    expect(saved.steps[0] % DEFAULT_RECOMPUTE_EVERY).toBe(0);
    const resumed = await sgdScalingJob({ ...long, checkpoint, checkpointSeconds: 1e9 });
    const { wall_ms: _a, ...a } = whole.row;
    const { wall_ms: _b, ...b } = resumed.row;
    expect(b).toEqual(a);
    expect(resumed.trajectory).toEqual(whole.trajectory);
    expect(resumed.replicaLoss).toEqual(whole.replicaLoss);
    // and the checkpoint was really used: other weights in it give another run
    const tampered = JSON.parse(readFileSync(checkpoint, 'utf8')) as { W: number[] };
    tampered.W[0] += 0.5;
    writeFileSync(checkpoint, JSON.stringify({ ...saved, W: tampered.W }));
    const other = await sgdScalingJob({ ...long, checkpoint, checkpointSeconds: 1e9 });
    expect(other.trajectory.at(-1)!.loss_sgd).not.toBe(whole.trajectory.at(-1)!.loss_sgd);
  });

  it('a checkpoint of other inputs is ignored', async () => {
    const small: SgdScalingJobInput = { ...input, N: 40 };
    const checkpoint = join(mkdtempSync(join(tmpdir(), 'sgd-ckpt-')), 'run.json');
    await sgdScalingJob({ ...small, checkpoint, checkpointSeconds: 0 });
    expect(existsSync(checkpoint)).toBe(true);
    const other = await sgdScalingJob({ ...small, seed: 4, checkpoint, checkpointSeconds: 1e9 });
    const fresh = await sgdScalingJob({ ...small, seed: 4 });
    expect(other.trajectory).toEqual(fresh.trajectory);
  });
});
