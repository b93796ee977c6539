// `scmv train`: finite-N student networks trained on explicit weights (online SGD, population GD,
// and the constrained / two-layer variants), with Q, R, T and ε measured every --record-every
// steps, per-window statistics over every step between records (--window-stats, default for sgd,
// docs/theory.md §10) and, with --compare-ode, the ODE from each replica's measured state at the
// same τ (docs/theory.md §4, §5).
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { getActivation } from '../../activations/index.js';
import { TEACHER_KINDS } from '../../network/teacher.js';
import { GD_METHODS } from '../../network/gd.js';
import { RETRACTIONS } from '../../network/constrained.js';
import {
  jobBytes, jobChunks, lossEveryOf, odeLabelOf, recomputeEveryOf, recordEveryOf, runTrain, totalSteps, trainColumnsOf, trainHeader, trainRows,
  deviations, windowStatsOf, TRAIN_ALGORITHMS, type TrainOptions,
} from '../../runs/train.js';
import { toCsv, writeCsv, type Cell } from '../../io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../../io/manifest.js';
import { LIMITS, TRAIN } from '../../defaults.js';
import { ScmvError, UsageError } from '../../errors.js';
import { checkWritable } from '../../io/files.js';
import { onInterrupt } from '../signals.js';
import { addActivation, addBackend, addSeed, addWidths, addWorkers, choice, int, opt, positive, real, refuseInapplicable, refuseMemory, resolveBackend } from '../options.js';

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('Train finite-N student networks on explicit weights W ∈ R^{K×N} (online SGD, population GD, nGD, onGD, 2L-GD), measure Q, R, T and the loss, and optionally compare with the ODE from the same measured start (docs/theory.md §4, §5).');
  addWidths(cmd, TRAIN);
  cmd
    .addOption(opt('--N <int>', `input dimension N, in [1, ${LIMITS.N}]`, int('N', 1, LIMITS.N), TRAIN.N))
    .addOption(opt('--algorithm <name>', 'sgd (online SGD, τ = η·steps/N) | gd (population GD, τ = steps·Δτ) | ngd | ongd | 2l (normalised, orthonormalised, two-layer GD, docs/theory.md §4.4–4.5; population) | ngd-sgd | ongd-sgd | 2l-sgd (their online versions)', choice('algorithm', TRAIN_ALGORITHMS), TRAIN.algorithm as TrainOptions['algorithm']))
    .addOption(opt('--kappa <float>', '2l, 2l-sgd: second-layer learning-rate ratio κ ≥ 0', real('kappa', 0, Infinity), TRAIN.kappa))
    .addOption(opt('--retraction <name>', `ongd, ongd-sgd: retraction onto W Wᵀ/N = I: ${RETRACTIONS.join(' | ')}`, choice('retraction', RETRACTIONS), TRAIN.retraction as (typeof RETRACTIONS)[number]))
    .addOption(opt('--lr <float>', 'online learning rate η > 0', positive('lr'), TRAIN.lr))
    .addOption(opt('--dtau <float>', 'population GD step Δτ > 0', positive('dtau'), TRAIN.dtau))
    .addOption(opt('--gd-method <name>', `population GD integrator on W: ${GD_METHODS.join(' | ')}`, choice('gd-method', GD_METHODS), TRAIN.gdMethod as (typeof GD_METHODS)[number]))
    .addOption(opt('--tau-max <float>', 'train until τ = tau-max > 0', positive('tau-max'), TRAIN.tauMax))
    .option('--record-every <int>', `steps between records (default: about ${TRAIN.records} records per run). --record-every 1 writes every step (its speed is then bound by CSV output); the window statistics (--window-stats) summarise every step at any --record-every`, int('record-every', 1))
    .option('--window-stats', 'per-record-window statistics over EVERY step since the previous record: window_steps, the mean and variance (population, over the window\'s steps) of each Q_k_l (k ≤ l) and R_k_m (columns <name>_mean, <name>_var), and of the loss sampled every --loss-every steps (loss_mean, loss_var, loss_samples). Default: on for --algorithm sgd, whose kernel tracks Q and R at every step exactly (docs/theory.md §10), so folding a step costs O(K(K+M)), a few % of the step; off for the other algorithms, where it measures Q, R from the weights after every step, O(K(K+M)N) or ≈ K× the cost of a step')
    .option('--no-window-stats', 'no window statistics (the default for algorithms other than sgd)')
    .option('--loss-every <int>', `with window statistics: the loss ε costs K(K+M) arccos per evaluation, about one SGD step at N = 1000, so it is sampled (not taken at every step) at the steps that are multiples of this (default: min(${TRAIN.lossEvery}, --record-every), ≈ 1 % overhead)`, int('loss-every', 1))
    .addOption(opt('--recompute-every <int>', 'sgd: recompute the tracked Q, R exactly from the weights every this many steps (0: never after the start); the column qr_drift reports max |tracked − exact| at the last recomputation', int('recompute-every', 0), TRAIN.recomputeEvery))
    .addOption(opt('--teacher <kind>', `teacher: ${TEACHER_KINDS.join(' | ')}`, choice('teacher', TEACHER_KINDS), TRAIN.teacher as (typeof TEACHER_KINDS)[number]));
  addActivation(cmd);
  addSeed(cmd, TRAIN.seed);
  cmd.addOption(opt('--replicas <int>', 'independent students, in [1, 1000000] (replica r uses stream (seed, "replica", r))', int('replicas', 1, 1_000_000), TRAIN.replicas));
  addWorkers(cmd);
  addBackend(cmd);
  cmd
    .option('--compare-ode', 'also integrate the ODE from each replica\'s measured (Q0, R0, T) and write ode_* columns and deviations')
    .addOption(opt('--ode <kind>', 'ODE for --compare-ode with sgd: auto (the SGD ODE of docs/theory.md §4.2 when the activation has I4, else gradient flow) | gradient-flow | sgd-ode', choice('ode', ['auto', 'gradient-flow', 'sgd-ode'] as const), TRAIN.ode as 'auto'))
    .option('--out <file>', 'CSV output (default: stdout); a manifest is written beside it')
    .action(async (raw, command: Command) => {
      const online = raw.algorithm === 'sgd' || raw.algorithm.endsWith('-sgd');
      refuseInapplicable(command, [
        ['--lr', online, `to --algorithm ${raw.algorithm} (population training uses --dtau)`],
        ['--dtau', !online, `to --algorithm ${raw.algorithm} (online training uses --lr)`],
        ['--gd-method', !online, `to --algorithm ${raw.algorithm} (online training has no integrator)`],
        ['--kappa', raw.algorithm.startsWith('2l'), `to --algorithm ${raw.algorithm} (only 2l and 2l-sgd train a second layer)`],
        ['--retraction', raw.algorithm.startsWith('ongd'), `to --algorithm ${raw.algorithm} (only ongd and ongd-sgd retract onto W Wᵀ/N = I)`],
        ['--backend', raw.algorithm === 'sgd', `to --algorithm ${raw.algorithm} (only plain sgd runs on a kernel backend)`],
        ['--ode', Boolean(raw.compareOde) && raw.algorithm === 'sgd', 'without --compare-ode and --algorithm sgd'],
        ['--alpha', raw.activation === 'leaky-relu', `to --activation ${raw.activation} (only leaky-relu has a slope α)`],
      ]);
      if (raw.out !== undefined) checkWritable(raw.out, '--out');
      if (raw.ode === 'sgd-ode' && raw.algorithm !== 'sgd') throw new UsageError(`--ode sgd-ode needs --algorithm sgd, got "${raw.algorithm}"`);
      if (raw.ode === 'sgd-ode' && !getActivation(raw.activation, raw.alpha).I4) throw new UsageError(`--ode sgd-ode is not available for --activation ${raw.activation} (no I4)`);
      if (raw.teacher === 'orthonormal' && raw.M > raw.N) throw new UsageError(`--teacher orthonormal needs M ≤ N, got M=${raw.M}, N=${raw.N}`);
      if (raw.algorithm.startsWith('ongd') && raw.K > raw.N) throw new UsageError(`--algorithm ${raw.algorithm} needs K ≤ N (K orthonormal rows), got K=${raw.K}, N=${raw.N}`);
      const opts: TrainOptions = {
        K: raw.K, M: raw.M, N: raw.N, algorithm: raw.algorithm, lr: raw.lr, dtau: raw.dtau, gdMethod: raw.gdMethod,
        tauMax: raw.tauMax, recordEvery: raw.recordEvery, teacher: raw.teacher, activation: raw.activation, alpha: raw.alpha,
        seed: raw.seed, replicas: raw.replicas, workers: raw.workers, backend: raw.algorithm === 'sgd' ? await resolveBackend(raw.backend) : 'js',
        compareOde: Boolean(raw.compareOde), kappa: raw.kappa, retraction: raw.retraction, odeKind: raw.ode === 'auto' ? undefined : raw.ode,
        windowStats: raw.windowStats, lossEvery: raw.lossEvery, recomputeEvery: raw.recomputeEvery,
      };
      refuseMemory(`--replicas ${opts.replicas} × --K ${opts.K} × --N ${opts.N}`, jobBytes(opts), LIMITS.jobBytes);
      const jobsTotal = jobChunks(opts).length;
      const bar = process.stdout.isTTY && raw.out ? new SingleBar({ stream: process.stderr, format: 'train [{bar}] {value}/{total} jobs' }, Presets.shades_classic) : undefined;
      bar?.start(jobsTotal, 0);
      const started = performance.now();
      let results;
      const stop = onInterrupt();
      try {
        results = await runTrain(opts, (d) => bar?.update(d), { signal: stop.signal, isolate: true });
      } finally {
        bar?.stop();
        stop.dispose();
      }
      if (stop.interrupted) throw new ScmvError('interrupted: nothing written (train writes its CSV at the end)', 'interrupted', 130);
      const seconds = (performance.now() - started) / 1000;
      const secondLayer = opts.algorithm.startsWith('2l');
      const odeLabel = odeLabelOf(opts);
      const cols = trainColumnsOf(opts);
      const header = trainHeader(opts.K, opts.M, opts.compareOde, secondLayer, cols);
      const rows: Cell[][] = results.flatMap((r) => trainRows(opts.K, opts.M, opts.compareOde, r, secondLayer, cols));
      // headline and manifest summarise the replicas that did not diverge, and count the others
      const diverged = results.filter((r) => r.diverged).map((r) => r.replica);
      const ok = results.filter((r) => !r.diverged);
      let maxLossErr = 0;
      if (opts.compareOde) for (const r of ok) for (const rec of r.records) maxLossErr = Math.max(maxLossErr, deviations(rec).lossErr || 0);
      const finals = ok.map((r) => r.records[r.records.length - 1].loss);
      // sgd: the largest drift of the tracked Q, R at any exact recomputation (NaN beats numbers)
      const maxDrift = opts.algorithm === 'sgd' ? results.flatMap((r) => r.records.map((x) => x.drift ?? NaN)).reduce((a, b) => (Number.isNaN(b) ? b : Math.max(a, b)), 0) : null;
      const summary = `${opts.algorithm} N=${opts.N}: ${opts.replicas} replica(s), ${totalSteps(opts)} steps each, final loss ${finals.map((l) => l.toExponential(3)).join(' ') || '(none)'}`
        + (diverged.length ? `, ${diverged.length} diverged (replicas ${diverged.join(' ')}, not summarised)` : '')
        + (opts.compareOde ? `, max |loss − ode_loss| ${maxLossErr.toExponential(3)} (${odeLabel})` : '')
        + (maxDrift !== null ? `, tracked Q, R drift ≤ ${maxDrift.toExponential(1)}` : '')
        + ` (${seconds.toFixed(2)} s)`;
      if (raw.out) {
        writeCsv(raw.out, header, rows);
        writeManifest(manifestPath(raw.out), makeManifest('train', {
          ...raw, backend: opts.backend, recordEvery: recordEveryOf(opts), windowStats: windowStatsOf(opts),
          lossEvery: windowStatsOf(opts) ? lossEveryOf(opts) : null, recomputeEvery: opts.algorithm === 'sgd' ? recomputeEveryOf(opts) : null,
        }, {
          ode: opts.compareOde ? odeLabel : null,
          result: { steps: totalSteps(opts), diverged, divergedCount: diverged.length, finalLoss: finals, maxLossAbsErr: opts.compareOde && ok.length ? maxLossErr : null, maxQrDrift: maxDrift, seconds },
        }));
        console.log(summary);
      } else {
        process.stdout.write(toCsv(header, rows));
        console.error(summary);
      }
    });
}
