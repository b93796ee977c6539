// `scmv train`: finite-N networks trained by online SGD or population GD on explicit weights,
// with Q, R, T and ε measured every --record-every steps and, with --compare-ode, the ODE
// from each replica's measured (Q0, R0, T) at the same τ (SPEC §4, §5).
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { ACTIVATION_NAMES, getActivation } from '../activations/index.js';
import { BACKEND_NAMES, createSgdKernel } from '../network/backend.js';
import { TEACHER_KINDS } from '../network/teacher.js';
import { GD_METHODS } from '../network/gd.js';
import { odeKindOf, recordEveryOf, runTrain, totalSteps, trainHeader, trainRows, type TrainOptions } from '../experiments/train.js';
import { toCsv, writeCsv, type Cell } from '../io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../io/manifest.js';
import { choice, int, real, seedOption, UsageError } from './options.js';
import { baseAlgorithm, CONSTRAINED_TRAIN_ALGORITHMS, isConstrainedTrain } from '../network/train-constrained-job.js';
import { RETRACTIONS } from '../network/train-constrained.js';

const positive = (flag: string) => real(flag, 0, Infinity, { min: true });

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('Train finite-N student networks (online SGD or population GD on explicit weights), measure Q, R, T and the loss, and optionally compare with the ODE from the same measured start (SPEC §4, §5).')
    .option('--K <int>', 'student units K ≥ 1', int('K', 1, 1000), 4)
    .option('--M <int>', 'teacher units M ≥ 1', int('M', 1, 1000), 4)
    .option('--N <int>', 'input dimension N ≥ 1', int('N', 1, 10_000_000), 1000)
    .option('--algorithm <name>', 'sgd (online SGD, τ = η·steps/N) | gd (population GD, τ = steps·Δτ) | ngd | ongd | 2l (normalised, orthonormalised, two-layer GD, SPEC §4.4–4.5; population) | ngd-sgd | ongd-sgd | 2l-sgd (their online versions)', choice('algorithm', ['sgd', 'gd', ...CONSTRAINED_TRAIN_ALGORITHMS] as const), 'sgd')
    .option('--kappa <float>', '2l, 2l-sgd: second-layer learning-rate ratio κ ≥ 0', real('kappa', 0, Infinity), 1)
    .option('--retraction <name>', `ongd, ongd-sgd: retraction onto W Wᵀ/N = I: ${RETRACTIONS.join(' | ')}`, choice('retraction', RETRACTIONS), 'qr')
    .option('--lr <float>', 'SGD learning rate η > 0', positive('lr'), 0.1)
    .option('--dtau <float>', 'GD step Δτ > 0', positive('dtau'), 0.01)
    .option('--gd-method <name>', `GD integrator on W: ${GD_METHODS.join(' | ')}`, choice('gd-method', GD_METHODS), 'rk4')
    .option('--tau-max <float>', 'train until τ = tau-max > 0', positive('tau-max'), 10)
    .option('--record-every <int>', 'steps between records (default: ~100 records per run)', int('record-every', 1))
    .option('--teacher <kind>', `teacher: ${TEACHER_KINDS.join(' | ')}`, choice('teacher', TEACHER_KINDS), 'gaussian')
    .option('--activation <name>', `activation: ${ACTIVATION_NAMES.join(' | ')}`, choice('activation', ACTIVATION_NAMES), 'relu')
    .option('--alpha <float>', 'leaky ReLU negative slope, in [0, 1)', real('alpha', 0, 1, { max: true }), 0.01)
    .option('--seed <int>', 'random seed', seedOption, 1)
    .option('--replicas <int>', 'independent students (replica r uses stream (seed, "replica", r))', int('replicas', 1), 1)
    .option('--workers <int>', 'worker threads (results do not depend on it)', int('workers', 1, 256), 1)
    .option('--backend <name>', `online-SGD kernel: ${BACKEND_NAMES.join(' | ')}`, choice('backend', BACKEND_NAMES), 'js')
    .option('--compare-ode', 'also integrate the ODE from each replica\'s measured (Q0, R0, T) and write ode_* columns and deviations')
    .option('--ode <kind>', 'ODE for --compare-ode with sgd: auto (the SGD ODE of SPEC §4.2 when the activation has I4, else gradient flow) | gradient-flow | sgd-ode', choice('ode', ['auto', 'gradient-flow', 'sgd-ode'] as const), 'auto')
    .option('--out <file>', 'CSV output (default: stdout); a manifest is written beside it')
    .action(async (raw) => {
      if (raw.ode === 'sgd-ode' && raw.algorithm !== 'sgd') throw new UsageError(`--ode sgd-ode needs --algorithm sgd, got "${raw.algorithm}"`);
      if (raw.ode === 'sgd-ode' && !getActivation(raw.activation, raw.alpha).I4) throw new UsageError(`--ode sgd-ode is not available for --activation ${raw.activation} (no I4)`);
      if (raw.teacher === 'orthonormal' && raw.M > raw.N) throw new UsageError(`--teacher orthonormal needs M ≤ N, got M=${raw.M}, N=${raw.N}`);
      const opts: TrainOptions = {
        K: raw.K, M: raw.M, N: raw.N, algorithm: raw.algorithm, lr: raw.lr, dtau: raw.dtau, gdMethod: raw.gdMethod,
        tauMax: raw.tauMax, recordEvery: raw.recordEvery, teacher: raw.teacher, activation: raw.activation, alpha: raw.alpha,
        seed: raw.seed, replicas: raw.replicas, workers: raw.workers, backend: raw.backend, compareOde: Boolean(raw.compareOde),
        kappa: raw.kappa, retraction: raw.retraction, odeKind: raw.ode === 'auto' ? undefined : raw.ode,
      };
      if (raw.algorithm.startsWith('ongd') && raw.K > raw.N) throw new UsageError(`--algorithm ${raw.algorithm} needs K ≤ N (K orthonormal rows), got K=${raw.K}, N=${raw.N}`);
      if (opts.algorithm === 'sgd' && opts.backend !== 'js') {
        // fail early, with a usage error, if the backend cannot load here
        try {
          (await createSgdKernel(opts.backend, { activation: opts.activation, alpha: opts.alpha, K: opts.K, M: opts.M, N: opts.N, lr: opts.lr, replicas: 1 })).dispose();
        } catch (e) {
          throw new UsageError(`--backend ${opts.backend}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      const jobsTotal = opts.algorithm === 'sgd' && opts.backend !== 'js' ? Math.ceil(opts.replicas / Math.ceil(opts.replicas / opts.workers)) : opts.replicas;
      const bar = process.stdout.isTTY && raw.out ? new SingleBar({ stream: process.stderr, format: 'train [{bar}] {value}/{total} jobs' }, Presets.shades_classic) : undefined;
      bar?.start(jobsTotal, 0);
      const started = performance.now();
      let results;
      try {
        results = await runTrain(opts, (d) => bar?.update(d));
      } finally {
        bar?.stop();
      }
      const seconds = (performance.now() - started) / 1000;
      const secondLayer = opts.algorithm.startsWith('2l');
      const odeLabel = isConstrainedTrain(opts.algorithm) ? `${baseAlgorithm(opts.algorithm)}-flow` : odeKindOf(opts);
      const header = trainHeader(opts.K, opts.M, opts.compareOde, secondLayer);
      const rows: Cell[][] = results.flatMap((r) => trainRows(opts.K, opts.M, opts.compareOde, r, secondLayer));
      const diverged = results.filter((r) => r.diverged).map((r) => r.replica);
      let maxLossErr = 0;
      if (opts.compareOde) for (const r of rows) maxLossErr = Math.max(maxLossErr, Number(r[header.indexOf('loss_abs_err')]) || 0);
      const finals = results.map((r) => r.records[r.records.length - 1].loss);
      const summary = `${opts.algorithm} N=${opts.N}: ${opts.replicas} replica(s), ${totalSteps(opts)} steps each, final loss ${finals.map((l) => l.toExponential(3)).join(' ')}`
        + (diverged.length ? `, diverged: ${diverged.join(' ')}` : '')
        + (opts.compareOde ? `, max |loss − ode_loss| ${maxLossErr.toExponential(3)} (${odeLabel})` : '')
        + ` (${seconds.toFixed(2)} s)`;
      if (raw.out) {
        writeCsv(raw.out, header, rows);
        writeManifest(manifestPath(raw.out), makeManifest('train', { ...raw, recordEvery: recordEveryOf(opts) }, {
          ode: opts.compareOde ? odeLabel : null,
          result: { steps: totalSteps(opts), diverged, finalLoss: finals, maxLossAbsErr: opts.compareOde ? maxLossErr : null, seconds },
        }));
        console.log(summary);
      } else {
        process.stdout.write(toCsv(header, rows));
        console.error(summary);
      }
    });
}
