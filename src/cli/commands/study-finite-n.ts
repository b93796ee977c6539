// `scmv study finite-n`: are the quantised loss levels robust at finite N (studies/finite-n)?
import type { Command } from 'commander';
import { checkWritableDir } from '../../io/files.js';
import { TEACHER_KINDS } from '../../network/teacher.js';
import { runFiniteNStudy } from '../../studies/finite-n/study.js';
import { FINITE_N_DEFAULTS, QUICK, type FiniteNOptions } from '../../studies/finite-n/options.js';
import { writeFiniteNReport } from '../../studies/finite-n/report.js';
import { ScmvError, UsageError } from '../../errors.js';
import { onInterrupt } from '../signals.js';
import { addBackend, addWorkers, choice, int, list, opt, positive, real, resolveBackend, seedOption } from '../options.js';

/** Registers `finite-n` under the `scmv study` command. */
export function registerStudyFiniteN(study: Command): void {
  const D = FINITE_N_DEFAULTS;
  const cmd = study
    .command('finite-n')
    .description('Are the quantised loss levels robust at finite N? (paper Appendix C). K = M, Gaussian and orthonormal teachers in dimension N: population GD through its exact ODE from each network (classified, polished), explicit-weight GD on a subset (agreement), online SGD; final-loss histograms with the infinite-N levels, per-family fraction / peak (median) / width (IQR) vs N, and the width\'s log-log slope; for SGD with the orthonormal teacher, the predicted mean and sd of ε near each stable level (docs/theory.md §9, sgd-vs-prediction.csv; computed once per family and η and cached in the out dir).')
    .addOption(opt('--K <int>', 'student units K = M', int('K', 2, 40), D.K))
    .addOption(opt('--Ns <list>', 'input dimensions N', list('Ns', int('Ns', 2, 1_000_000)), D.Ns, D.Ns.join(',')))
    .addOption(opt('--teachers <list>', `teachers (${TEACHER_KINDS.join(', ')})`, list('teachers', choice('teachers', TEACHER_KINDS)), D.teachers, D.teachers.join(',')))
    .addOption(opt('--runs <int>', 'population-GD (ODE) runs per (N, teacher)', int('runs', 1), D.runs))
    .addOption(opt('--gd-runs <int>', 'explicit-weight GD runs per (N, teacher), a random subset of the ODE runs', int('gd-runs', 0), D.gdRuns))
    .addOption(opt('--gd-tau-max <float>', 'explicit GD runs to min(τ_end of its ODE run, this)', positive('gd-tau-max'), D.gdTauMax))
    .addOption(opt('--gd-dtau <float>', 'explicit GD step Δτ (RK4 on W)', positive('gd-dtau'), D.gdDtau))
    .addOption(opt('--sgd-ns <list>', 'N for online SGD', list('sgd-ns', int('sgd-ns', 2, 1_000_000)), D.sgdNs, D.sgdNs.join(',')))
    .addOption(opt('--sgd-lrs <list>', 'SGD learning rates η', list('sgd-lrs', positive('sgd-lrs')), D.sgdLrs, D.sgdLrs.join(',')))
    .addOption(opt('--sgd-runs <int>', 'SGD runs per (N, η, teacher)', int('sgd-runs', 0), D.sgdRuns))
    .addOption(opt('--sgd-teachers <list>', 'teachers for SGD (in this order)', list('sgd-teachers', choice('sgd-teachers', TEACHER_KINDS)), D.sgdTeachers, D.sgdTeachers.join(',')))
    .addOption(opt('--sgd-tau-max <float>', 'hard cap on SGD τ', positive('sgd-tau-max'), D.sgdTauMax))
    .addOption(opt('--sgd-tau-factor <float>', 'SGD run i stops at τ = factor · τ_end(ODE run i) + 50 (or earlier when ε < ε_global)', positive('sgd-tau-factor'), D.sgdTauFactor))
    .addOption(opt('--sgd-tau-record <float>', 'SGD measures ε every this much τ', positive('sgd-tau-record'), D.sgdTauRecord))
    .option('--level-ns <list>', 'N for SGD started on the fixed points (default: --sgd-ns)', list('level-ns', int('level-ns', 2, 1_000_000)))
    .addOption(opt('--level-lrs <list>', 'η for SGD started on the fixed points', list('level-lrs', positive('level-lrs')), D.levelLrs, D.levelLrs.join(',')))
    .addOption(opt('--level-families <list>', 'families n whose lowest fixed point starts SGD', list('level-families', int('level-families', 1, 100)), D.levelFamilies, D.levelFamilies.join(',')))
    .addOption(opt('--level-replicas <int>', 'SGD replicas per (N, η, family) started on the fixed point (0 = skip)', int('level-replicas', 0), D.levelReplicas))
    .addOption(opt('--level-tau-burn <float>', 'burn-in τ before averaging ε', positive('level-tau-burn'), D.levelTauBurn))
    .addOption(opt('--level-tau-avg <float>', 'τ over which ε is averaged (measured every Δτ = 1)', positive('level-tau-avg'), D.levelTauAvg))
    .addOption(opt('--tau-max <float>', 'ODE runs not converged by this τ are class none', positive('tau-max'), D.tauMax))
    .addOption(opt('--eps-global <float>', 'global when ε < eps-global', positive('eps-global'), D.epsGlobal))
    .addOption(opt('--seed <int>', 'study seed', seedOption, D.seed))
    .addOption(opt('--time-budget <seconds>', 'start no new configuration after this many seconds (0 = none)', real('time-budget', 0, Infinity), D.timeBudget))
    .option('--levels <file>', 'infinite-N loss levels (scmv levels CSV); solved here if it lacks K = M', D.levels)
    .option('--out-dir <dir>', 'output directory', D.outDir)
    .option('--report-only', 'only rewrite the report from the runs already in --out-dir')
    .option('--quick', 'N ∈ {16, 256}, 30 ODE runs, 2 GD runs to τ ≤ 10, 2 SGD runs at N = 128, η = 0.1 to τ ≤ 30 (< 2 min)')
    ;
  addWorkers(cmd);
  addBackend(cmd);
  cmd.action(async (raw) => {
      checkWritableDir(raw.outDir, '--out-dir');
      const backend = await resolveBackend(raw.backend);
      const quick = Boolean(raw.quick);
      const o: FiniteNOptions = {
        K: raw.K, M: raw.K, Ns: raw.Ns, teachers: raw.teachers, runs: raw.runs, gdRuns: raw.gdRuns, gdTauMax: raw.gdTauMax, gdDtau: raw.gdDtau,
        sgdNs: raw.sgdNs, sgdLrs: raw.sgdLrs, sgdRuns: raw.sgdRuns, sgdTeachers: raw.sgdTeachers, sgdTauMax: raw.sgdTauMax,
        sgdTauFactor: raw.sgdTauFactor, sgdTauRecord: raw.sgdTauRecord, backend, seed: raw.seed, tauMax: raw.tauMax, tol: D.tol,
        epsGlobal: raw.epsGlobal, gTol: D.gTol, workers: raw.workers,
        outDir: quick && raw.outDir === D.outDir ? `${D.outDir}/quick` : raw.outDir,
        levelNs: raw.levelNs ?? raw.sgdNs, levelLrs: raw.levelLrs, levelFamilies: raw.levelFamilies, levelReplicas: raw.levelReplicas,
        levelTauBurn: raw.levelTauBurn, levelTauAvg: raw.levelTauAvg,
        levelsCsv: raw.levels, timeBudget: raw.timeBudget, quick,
        ...(quick ? QUICK : {}),
      };
      for (const N of [...o.Ns, ...o.sgdNs]) if (N < o.M) throw new UsageError(`--Ns must be ≥ M=${o.M} (orthonormal teacher), got "${N}"`);
      if (raw.reportOnly) {
        await writeFiniteNReport(o, (s) => console.log(s));
        return;
      }
      const stop = onInterrupt();
      try {
        await runFiniteNStudy(o, (s) => console.log(s), stop.signal);
      } finally {
        stop.dispose();
      }
      if (stop.interrupted) throw new ScmvError(`interrupted: the runs done so far are in ${o.outDir}/runs; rerun the same command to resume, or add --report-only to rebuild the report`, 'interrupted', 130);
      console.log(`wrote ${o.outDir}`);
    });
}
