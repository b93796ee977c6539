// Where does the deviation of study 2 come from: a systematic drift of SGD away from the gradient
// flow, or the scatter of single runs around it? (docs/theory.md §4.2, §9.) For each network
// (K, M, N, seed) and η-scaling, R online-SGD runs start from the same weights with independent
// input streams (sgd-scaling job, `replicas`; replica 0 is the study's own run). At each recorded τ,
// ε̄(τ) is their mean and s(τ) their sample standard deviation. Per network:
//   dev_own  = max_τ |ε_0 − ε_GF|            (the study's loss_dev_gf, a check)
//   dev_each = median_r max_τ |ε_r − ε_GF|   (what one run sees)
//   dev_mean = max_τ |ε̄ − ε_GF|              (the systematic part, resolved down to mean_se)
//   mean_se  = max_τ s(τ)/√R                  (the noise floor of dev_mean)
//   sd_max   = max_τ s(τ)                     (the scatter of single runs)
// Outputs in outDir: replicas.csv (one row per network, resumable), replica-trajectories.csv (ε_GF, ε̄,
// s at each τ), replica-summary.csv (medians over seeds per (K, M, scaling, c, N)), replica-fits.csv
// (log-log slopes over N), replicas-K{K}M{M}.svg and replicas.manifest.json (with the row options checked on resume).
import { join } from 'node:path';
import { mapPool } from '../../runs/pool.js';
import { timeBudget } from '../../runs/budget.js';
import { appendCsv, writeCsv, type Cell } from '../../io/csv.js';
import { appendRecord, openResumable } from '../../io/resumable.js';
import { mean, median, quantile, sampleSd } from '../../stats/describe.js';
import { groupBy } from '../../stats/group.js';
import { makeManifest, manifestPath, writeManifest } from '../../io/manifest.js';
import { writeLineChart, type Row } from '../../io/plot.js';
import { scalingLabel, SGD_SCALING_JOB, type SgdScalingJobOutput } from './job.js';
import { FIT_COLUMNS, fitRows, keyOf, plannedJobs, pointKey, readRuns, rowOptionsOf, seriesKey, type SgdScalingOptions } from './study.js';
import { removeCheckpoint } from '../../runs/checkpoint.js';

export interface SgdReplicasOptions extends SgdScalingOptions {
  /** Input streams per network (at least 2). */
  replicas: number;
}

export const REPLICA_COLUMNS = [
  'K', 'M', 'N', 'seed', 'scaling', 'c', 'eta', 'replicas', 'replicas_ok', 'loss0', 'tau_end',
  'dev_own', 'dev_each', 'dev_mean', 'mean_se', 'sd_max',
] as const;
export const REPLICA_TRAJECTORY_COLUMNS = ['K', 'M', 'N', 'seed', 'scaling', 'c', 'tau', 'loss_gf', 'loss_mean', 'loss_sd', 'replicas_ok'] as const;
export const REPLICA_SUMMARY_COLUMNS = ['K', 'M', 'scaling', 'c', 'N', 'eta', 'networks', 'replicas', 'dev_each', 'dev_mean', 'mean_se', 'sd_max', 'systematic_share'] as const;

/** The replica row and per-τ statistics of one network's replicas (replicas that diverged are left out). */
export function replicaStatsOf(out: SgdScalingJobOutput, replicas: number): { row: Record<string, Cell>; points: Row[] } {
  const r0 = out.row;
  const losses = out.replicaLoss ?? [];
  // replicas finite at every record
  const ok = Array.from({ length: replicas }, (_, r) => r).filter((r) => losses.every((l) => Number.isFinite(l[r])));
  const gf = out.trajectory.slice(1).map((p) => p.loss_gf);
  const points: Row[] = [];
  let devMean = 0, meanSe = 0, sdMax = 0;
  const devEach = ok.map(() => 0);
  losses.forEach((l, k) => {
    const v = ok.map((r) => l[r]);
    const m = mean(v);
    const s = v.length > 1 ? sampleSd(v) : NaN;
    devMean = Math.max(devMean, Math.abs(m - gf[k]));
    meanSe = Math.max(meanSe, s / Math.sqrt(v.length));
    sdMax = Math.max(sdMax, s);
    v.forEach((x, j) => (devEach[j] = Math.max(devEach[j], Math.abs(x - gf[k]))));
    points.push({ tau: out.trajectory[k + 1]?.tau, loss_gf: gf[k], loss_mean: m, loss_sd: s, replicas_ok: v.length });
  });
  const none = ok.length === 0 || gf.length !== losses.length;
  return {
    row: {
      K: r0.K, M: r0.M, N: r0.N, seed: r0.seed, scaling: r0.scaling, c: r0.c, eta: r0.eta, replicas, replicas_ok: ok.length,
      loss0: r0.loss0, tau_end: r0.tau_end, dev_own: r0.loss_dev_gf,
      dev_each: none ? NaN : median(devEach), dev_mean: none ? NaN : devMean, mean_se: none ? NaN : meanSe, sd_max: none ? NaN : sdMax,
    },
    points,
  };
}

/** Runs the replica study (resuming replicas.csv) and writes its summary, fits, figures and manifest. */
export async function runSgdReplicas(o: SgdReplicasOptions, log: (msg: string) => void = () => {}, signal?: AbortSignal): Promise<void> {
  const path = join(o.outDir, 'replicas.csv');
  const trajPath = join(o.outDir, 'replica-trajectories.csv');
  const rowOptions = replicaRowOptions(o);
  const file = openResumable(path, REPLICA_COLUMNS, { rowOptions });
  try {
    const have = new Set(file.rows.map((r) => keyOf(r)));
    const jobs = plannedJobs(o, have, o.replicas);
    log(`sgd-scaling replicas: ${jobs.length} networks × ${o.replicas} streams to do (${have.size} already in ${path})`);
    const budget = timeBudget(o.timeBudget, signal);
    let done = 0;
    await mapPool(SGD_SCALING_JOB, jobs, {
      workers: o.workers,
      signal: budget.signal,
      onResult(i, out) {
        const { row, points } = replicaStatsOf(out, o.replicas);
        appendCsv(trajPath, REPLICA_TRAJECTORY_COLUMNS, points.map((p) => [row.K, row.M, row.N, row.seed, row.scaling, row.c, p.tau, p.loss_gf, p.loss_mean, p.loss_sd, p.replicas_ok]));
        appendRecord(path, REPLICA_COLUMNS, row);
        removeCheckpoint(jobs[i].checkpoint!);
        log(`  [${++done}/${jobs.length}] K=${row.K} M=${row.M} N=${row.N} seed=${row.seed}: dev_each=${Number(row.dev_each).toExponential(2)} dev_mean=${Number(row.dev_mean).toExponential(2)} sd_max=${Number(row.sd_max).toExponential(2)}`);
        budget.check();
      },
    }).finally(() => budget.dispose());
    if (budget.spent) log(`sgd-scaling replicas: time budget of ${o.timeBudget} s spent; the report covers the networks done, and a rerun resumes the rest`);
    await writeSgdReplicasReport(o);
  } finally {
    file.release();
  }
}

/** The options that change a row of replicas.csv (kept in its manifest and compared on resume). */
const replicaRowOptions = (o: SgdReplicasOptions) => ({ ...rowOptionsOf(o), replicas: o.replicas });

/** replica-summary.csv, replica-fits.csv, the figures and the manifest, from replicas.csv. */
export async function writeSgdReplicasReport(o: SgdReplicasOptions): Promise<void> {
  const rows = readRuns(join(o.outDir, 'replicas.csv')).filter((r) => Number(r.replicas_ok) >= 2);
  const groups = groupBy(rows, pointKey);
  const summary: Row[] = [...groups.values()].map((rs) => {
    const med = (f: string) => median(rs.map((r) => Number(r[f])));
    return {
      K: rs[0].K, M: rs[0].M, scaling: rs[0].scaling, c: rs[0].c, N: rs[0].N, eta: rs[0].eta, networks: rs.length, replicas: rs[0].replicas,
      dev_each: med('dev_each'), dev_mean: med('dev_mean'), mean_se: med('mean_se'), sd_max: med('sd_max'),
      // the share of a single run's deviation that the mean run keeps
      systematic_share: med('dev_mean') / med('dev_each'),
    };
  });
  summary.sort((a, b) => Number(a.K) - Number(b.K) || Number(a.M) - Number(b.M) || String(a.scaling).localeCompare(String(b.scaling)) || Number(a.c) - Number(b.c) || Number(a.N) - Number(b.N));
  writeCsv(join(o.outDir, 'replica-summary.csv'), REPLICA_SUMMARY_COLUMNS, summary.map((r) => REPLICA_SUMMARY_COLUMNS.map((k) => r[k])));

  const series = [...groupBy(summary, seriesKey).values()].filter((rs) => rs.length >= 2);
  writeCsv(join(o.outDir, 'replica-fits.csv'), FIT_COLUMNS, fitRows(series, ['dev_each', 'dev_mean', 'sd_max']));

  const names: Record<string, string> = {
    dev_each: 'one run: max_τ |ε − ε_GF|',
    dev_mean: 'mean of the runs: max_τ |ε̄ − ε_GF|',
    sd_max: 'scatter: max_τ sd of ε over runs',
    mean_se: 'noise floor of the mean: max_τ sd/√R',
  };
  const etaLabel = (r: Row) => `η = ${scalingLabel(r.scaling)}, c = ${r.c}`;
  for (const KM of new Set(summary.map((r) => `${r.K}|${r.M}`))) {
    const [K, M] = KM.split('|').map(Number);
    const mine = summary.filter((x) => x.K === K && x.M === M);
    const data: Row[] = [];
    for (const r of mine) {
      const rs = groups.get(pointKey(r))!;
      for (const [m, name] of Object.entries(names)) {
        const v = rs.map((x) => Number(x[m])).sort((a, b) => a - b);
        data.push({ N: r.N, measure: name, η: etaLabel(r), value: r[m], q1: quantile(v, 0.25), q3: quantile(v, 0.75) });
      }
    }
    const etas = new Set(data.map((d) => d.η));
    await writeLineChart(join(o.outDir, `replicas-K${K}M${M}.svg`), data, {
      title: `One run, the mean run and the scatter against gradient flow, K = ${K}, M = ${M}${etas.size === 1 ? `, ${[...etas][0]}` : ''} (median over networks, bars: quartiles)`,
      x: 'N', y: 'value', xScale: 'log', yScale: 'log', xTitle: 'N', yTitle: 'deviation in ε', color: 'measure', points: true, yLow: 'q1', yHigh: 'q3',
      ...(etas.size > 1 ? { dash: 'η' } : {}),
    }, ['N', 'measure', 'η', 'value', 'q1', 'q3']);
  }
  const manifest = makeManifest(o.command ?? 'sgd-scaling replicas', { ...o, configs: o.configs.map(([K, M]) => `${K}x${M}`) }, { networks: rows.length });
  // beside replicas.csv, where openResumable reads rowOptions back on resume
  writeManifest(manifestPath(join(o.outDir, 'replicas.csv')), { ...manifest, rowOptions: replicaRowOptions(o) });
}
