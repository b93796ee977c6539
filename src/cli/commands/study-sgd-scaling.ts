// `scmv study sgd-scaling`: does online SGD follow gradient flow when η ~ 1/N (studies/sgd-scaling)?
import type { Command } from 'commander';
import { checkWritableDir } from '../../io/files.js';
import { ACTIVATION_NAMES } from '../../activations/index.js';
import { TEACHER_KINDS } from '../../network/teacher.js';
import { SCALINGS } from '../../studies/sgd-scaling/job.js';
import { runSgdReplicas } from '../../studies/sgd-scaling/replicas.js';
import { runSgdScaling, SGD_SCALING_DEFAULTS, SGD_SCALING_QUICK, type SgdScalingOptions } from '../../studies/sgd-scaling/study.js';
import { ACTIVATION } from '../../defaults.js';
import { ScmvError, UsageError } from '../../errors.js';
import { onInterrupt } from '../signals.js';
import { addBackend, addWorkers, choice, int, list, opt, positive, real, resolveBackend, seedOption } from '../options.js';

/** Parses "4x4,5x4" into [[4, 4], [5, 4]]. */
function parseConfigs(raw: string): [number, number][] {
  return raw.split(',').map((s) => {
    const m = /^\s*(\d+)\s*x\s*(\d+)\s*$/.exec(s);
    if (!m || +m[1] < 1 || +m[2] < 1 || +m[1] > 20 || +m[2] > 20) throw new UsageError(`--configs must be a list like 4x4,5x4 (K x M, 1..20), got "${raw}"`);
    return [+m[1], +m[2]];
  });
}

/** Registers `scmv study sgd-scaling` on the `study` command. */
export function registerStudySgdScaling(study: Command): void {
  const D = SGD_SCALING_DEFAULTS;
  const cmd = study
    .command('sgd-scaling')
    .description('Does online SGD follow gradient flow when η ~ 1/N (paper Result 3)? Online SGD on explicit weights at η = c, c/√N, c/N vs the gradient flow and the SGD ODE (docs/theory.md §4.2) from the same (Q0, R0, T), until the gradient-flow loss has converged; deviations vs N (CSV, log-log SVG, power-law fits).')
    .addOption(opt('--configs <list>', 'student x teacher widths, e.g. 4x4,5x4', parseConfigs, D.configs, D.configs.map(([K, M]) => `${K}x${M}`).join(',')))
    .addOption(opt('--Ns <list>', 'input dimensions N', list('Ns', int('Ns', 2, 1_000_000)), D.Ns, D.Ns.join(',')))
    .addOption(opt('--scalings <list>', `η scalings (${SCALINGS.join(', ')}: η = c, c/√N, c/N)`, list('scalings', choice('scalings', SCALINGS)), D.scalings, D.scalings.join(',')))
    .addOption(opt('--cs <list>', 'constants c', list('cs', positive('cs')), D.cs, D.cs.join(',')))
    .addOption(opt('--seeds <int>', 'networks per (K, M, N)', int('seeds', 1, 1000), D.seeds))
    .addOption(opt('--seed <int>', 'first seed', seedOption, D.seed))
    .addOption(opt('--activation <name>', `activation (${ACTIVATION_NAMES.join(', ')})`, choice('activation', ACTIVATION_NAMES), ACTIVATION.activation))
    .addOption(opt('--alpha <float>', 'leaky-ReLU slope', real('alpha', 0, 1, { max: true }), ACTIVATION.alpha))
    .addOption(opt('--teacher <kind>', `teacher (${TEACHER_KINDS.join(', ')})`, choice('teacher', TEACHER_KINDS), D.teacher))
    .addOption(opt('--tau-max <float>', 'cap on the τ of gradient-flow convergence', positive('tau-max'), D.tauMax))
    .addOption(opt('--conv-frac <float>', 'GF has converged when ε_GF(τ) − ε_GF(∞) ≤ conv-frac · ε_GF(0)', positive('conv-frac'), D.convFrac))
    .addOption(opt('--records <int>', 'measurements per run (equally spaced in τ)', int('records', 2, 100_000), D.records))
    .addOption(opt('--max-steps <float>', 'cap on SGD steps per run (longer runs are truncated and flagged)', positive('max-steps'), D.maxSteps))
    .addOption(opt('--rtol <float>', 'Dormand–Prince rtol for both ODEs', positive('rtol'), D.rtol))
    .addOption(opt('--time-budget <seconds>', 'stop at the first run (with --replicas: network) to end after this many seconds (0 = none); runs in progress resume from their checkpoints on a rerun', real('time-budget', 0, Infinity), D.timeBudget))
    .addOption(opt('--replicas <int>', 'input streams per network; above 1, writes replicas.csv (the deviation of one run, of the mean run, and the scatter: studies/sgd-scaling/replicas.ts) instead of runs.csv', int('replicas', 1, 64), 1))
    .addOption(opt('--checkpoint-every <s>', 'seconds: a run saves its state in <out-dir>/checkpoints at most this often; rerunning after an interrupt resumes it with the result it would have had (bit for bit with the js and wasm kernels)', positive('checkpoint-every'), D.checkpointSeconds))
    .option('--out-dir <dir>', 'output directory', D.outDir)
    .option('--quick', 'K = M = 4, N = 50, 100, 200, c = 0.5, one seed, τ ≤ 100, 40 records, ≤ 2e6 steps, into <out-dir>/quick (< 2 min)')
    ;
  addWorkers(cmd);
  addBackend(cmd);
  cmd.action(async (opts) => {
      checkWritableDir(opts.outDir, '--out-dir');
      const quick = Boolean(opts.quick);
      const o: SgdScalingOptions = {
        configs: quick ? SGD_SCALING_QUICK.configs : opts.configs,
        Ns: quick ? SGD_SCALING_QUICK.Ns : opts.Ns,
        scalings: opts.scalings,
        cs: quick ? SGD_SCALING_QUICK.cs : opts.cs,
        seeds: quick ? SGD_SCALING_QUICK.seeds : opts.seeds,
        seed: opts.seed,
        activation: opts.activation,
        alpha: opts.alpha,
        teacher: opts.teacher,
        tauMax: quick ? SGD_SCALING_QUICK.tauMax : opts.tauMax,
        convFrac: opts.convFrac,
        records: quick ? SGD_SCALING_QUICK.records : opts.records,
        maxSteps: quick ? SGD_SCALING_QUICK.maxSteps : opts.maxSteps,
        backend: await resolveBackend(opts.backend),
        rtol: quick ? SGD_SCALING_QUICK.rtol : opts.rtol,
        workers: opts.workers,
        timeBudget: opts.timeBudget,
        checkpointSeconds: opts.checkpointEvery,
        outDir: quick && opts.outDir === D.outDir ? `${D.outDir}/quick` : opts.outDir,
        command: `study sgd-scaling${quick ? ' --quick' : ''}`,
      };
      const log = process.stdout.isTTY ? (m: string) => process.stderr.write(m + '\n') : () => {};
      const stop = onInterrupt();
      try {
        if (opts.replicas > 1) await runSgdReplicas({ ...o, replicas: opts.replicas }, log, stop.signal);
        else await runSgdScaling(o, log, stop.signal);
      } finally {
        stop.dispose();
      }
      const file = opts.replicas > 1 ? 'replicas.csv' : 'runs.csv';
      if (stop.interrupted) throw new ScmvError(`interrupted: the runs done so far are in ${o.outDir}/${file}, and the runs in progress saved checkpoints; rerun the same command to resume`, 'interrupted', 130);
    });
}
