// `scmv study optimisers`: the paper's Table 2 layout (studies/optimisers).
import type { Command } from 'commander';
import { checkWritableDir } from '../../io/files.js';
import { ScmvError } from '../../errors.js';
import { onInterrupt } from '../signals.js';
import { join } from 'node:path';
import { OPTIMISERS_DEFAULTS, OPTIMISERS_QUICK, runOptimiserStudy, STUDY_ALGORITHMS, type OptimiserStudyOptions } from '../../studies/optimisers/study.js';
import { TOLERANCES } from '../../defaults.js';
import { addWorkers, choice, int, list, opt, positive, seedOption } from '../options.js';

/** Registers `optimisers` under the `scmv study` command. */
export function registerStudyOptimisers(study: Command): void {
  const D = OPTIMISERS_DEFAULTS;
  const cmd = study
    .command('optimisers')
    .description("Table 2 layout: global-minimum fraction for K = M, M+1, M+2 under gd, 2l, ngd, ongd (docs/theory.md §4.4–4.5) with Wilson 95% intervals, beside the paper's numbers. Writes <out-dir>/table2.csv and one resumable runs CSV per (algorithm, K).")
    .addOption(opt('--M <int>', 'teacher units M', int('M', 1, 100), D.M))
    .addOption(opt('--offsets <list>', 'K − M values', list('offsets', int('offsets', 0, 20)), D.offsets, D.offsets.join(',')))
    .addOption(opt('--algorithms <list>', `algorithms (${STUDY_ALGORITHMS.join(', ')})`, list('algorithms', choice('algorithms', STUDY_ALGORITHMS)), D.algorithms, D.algorithms.join(',')))
    .addOption(opt('--runs <int>', 'runs per (algorithm, K)', int('runs', 1), D.runs))
    .addOption(opt('--seed <int>', 'ensemble seed (same initial conditions for every algorithm)', seedOption, D.seed))
    .addOption(opt('--tau-max <float>', 'runs not converged by this τ are class none', positive('tau-max'), D.tauMax))
    .addOption(opt('--tol <float>', 'converged when the RHS max-norm is below tol', positive('tol'), D.tol))
    .addOption(opt('--eps-global <float>', 'global when ε < eps-global', positive('eps-global'), D.epsGlobal))
    .addOption(opt('--g-tol <float>', 'local when not global and max|RHS| < g-tol', positive('g-tol'), D.gTol))
    .option('--init-dim <int>', 'Gaussian initialisation dimension (default M; onGD uses max(d, K))', int('init-dim', 1))
    .option('--out-dir <dir>', 'output directory', D.outDir)
    .option('--quick', 'M = 4, 24 runs per row, τmax = 1000 (a smoke run, < 2 min)')
    ;
  addWorkers(cmd);
  cmd.action(async (opts) => {
      checkWritableDir(opts.outDir, '--out-dir');
      const quick = Boolean(opts.quick);
      const o: OptimiserStudyOptions = {
        M: quick ? OPTIMISERS_QUICK.M : opts.M, offsets: opts.offsets, algorithms: opts.algorithms, runs: quick ? OPTIMISERS_QUICK.runs : opts.runs, seed: opts.seed,
        tauMax: quick ? OPTIMISERS_QUICK.tauMax : opts.tauMax, tol: opts.tol, ...TOLERANCES.ensemble, epsGlobal: opts.epsGlobal, gTol: opts.gTol,
        vanishTol: D.vanishTol, polishAt: D.polishAt, initDim: opts.initDim, workers: opts.workers,
        outDir: quick && opts.outDir === D.outDir ? `${D.outDir}/quick` : opts.outDir,
        activation: 'relu', alpha: 0.01,
      };
      const stop = onInterrupt();
      try {
        await runOptimiserStudy(o, (s) => console.log(s), stop.signal);
      } catch (e) {
        if (stop.interrupted) throw new ScmvError('interrupted: the runs done so far are kept; rerun the same command to resume', 'interrupted', 130);
        throw e;
      } finally {
        stop.dispose();
      }
      console.log(`wrote ${join(o.outDir, 'table2.csv')}`);
    });
}
