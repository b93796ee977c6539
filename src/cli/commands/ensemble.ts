// `scmv ensemble`: many seeded gradient-flow runs of one (K, M), classified (docs/theory.md §5, §6),
// one CSV row per run, resumable and shardable (src/runs/ensemble.ts). Method, tolerances and
// horizons: src/runs/ensemble-member.ts, docs/theory.md §11.2.
import { TEACHER_KINDS, type TeacherKind } from '../../network/teacher.js';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { ACTIVATION_NAMES } from '../../activations/index.js';
import { ALGORITHM_NAMES, type AlgorithmName } from '../../theory/algorithms.js';
import { ENSEMBLE, ENSEMBLE_METHOD, LIMITS, ACTIVATION } from '../../defaults.js';
import { ENSEMBLE_METHODS, type EnsembleMethod } from '../../runs/ensemble-member.js';
import {
  headerLine, rowLine, runEnsembleToFile, type RunRow, runEnsemble, shardRuns,
  type EnsembleOptions, type Shard,
} from '../../runs/ensemble.js';
import { makeManifest } from '../../io/manifest.js';
import { choice, int, list, opt, positive, real, seedOption, workersOption } from '../options.js';
import { UsageError } from '../../errors.js';
import { checkWritable } from '../../io/files.js';
import { onInterrupt } from '../signals.js';

/** Parses "i/n" with 0 ≤ i < n. */
export function shardOption(raw: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index >= 0 && index < count) || !Number.isSafeInteger(count))
    throw new UsageError(`--shard must be i/n with integers 0 ≤ i < n, got "${raw}"`);
  return { index, count };
}

/** "rkc2 for gd; dopri5 for ngd, ongd, 2l": the default method per algorithm. */
function methodDefaults(): string {
  const by = new Map<string, string[]>();
  for (const [alg, m] of Object.entries(ENSEMBLE_METHOD.byAlgorithm)) by.set(m, [...(by.get(m) ?? []), alg]);
  return [...by].map(([m, algs]) => `${m} for ${algs.join(', ')}`).join('; ');
}

/** "1e-3 for rkc2, 1e-6 for dopri5" (the tolerances of ENSEMBLE_METHOD). */
function tolDefaults(key: 'rtol' | 'atol'): string {
  return ENSEMBLE_METHODS.map((m) => `${ENSEMBLE_METHOD.tolerances[m][key].toExponential()} for ${m}`).join(', ');
}

export function registerEnsemble(program: Command): void {
  program
    .command('ensemble')
    .description('Integrate --runs seeded Gaussian initialisations (docs/theory.md §5) of one (K, M) and classify each end state as global | local | none | diverged with its family n (docs/theory.md §6). One CSV row per run, appended as runs finish; rerunning with the same --out resumes.')
    .addOption(opt('--K <int>', `student units K, in [1, ${LIMITS.odeWidth}]`, int('K', 1, LIMITS.odeWidth), ENSEMBLE.K))
    .addOption(opt('--M <int>', `teacher units M, in [1, ${LIMITS.odeWidth}]`, int('M', 1, LIMITS.odeWidth), ENSEMBLE.M))
    .requiredOption('--runs <int>', `number of runs R, in [1, ${LIMITS.runs}], run indices 0 … R−1 (required)`, int('runs', 1, LIMITS.runs))
    .addOption(opt('--seed <int>', 'ensemble seed; run i uses createRng(seed, "run", i)', seedOption, ENSEMBLE.seed))
    .addOption(opt('--algorithm <name>', `dynamics: ${ALGORITHM_NAMES.join(' | ')} (docs/theory.md §3, §4.4, §4.5)`, choice('algorithm', ALGORITHM_NAMES), ENSEMBLE.algorithm as AlgorithmName))
    .addOption(opt('--activation <name>', `activation g: ${ACTIVATION_NAMES.join(' | ')}`, choice('activation', ACTIVATION_NAMES), ACTIVATION.activation))
    .addOption(opt('--alpha <float>', 'leaky ReLU negative slope α, in [0, 1)', real('alpha', 0, 1, { max: true }), ACTIVATION.alpha))
    .option('--init-dim <int>', 'dimension d of the Gaussian initialisation, d ≥ M, ongd d ≥ K (default: M)', int('init-dim', 1))
    .addOption(opt('--teacher <kind>', `teacher of the initialisation: orthonormal (T = I) | gaussian (W* i.i.d. N(0, 1) in dimension d, T = W* W*ᵀ/d, one per run; integrated on (Q, R)) (docs/theory.md §5)`, choice('teacher', TEACHER_KINDS), ENSEMBLE.teacher as TeacherKind))
    .addOption(workersOption())
    .option('--shard <i/n>', 'run only the runs with run % n == i (0 ≤ i < n; default 0/1, all runs)', shardOption)
    .addOption(opt('--tol <float>', 'converged when the RHS max-norm is below tol', positive('tol'), ENSEMBLE.tol))
    .addOption(opt('--tau-max <float>', 'give up (class none unless global) at this τ', positive('tau-max'), ENSEMBLE.tauMax))
    .option('--method <name>', `integrator: rkc2 (RKC2 on the weight state u = [R | P], products in WASM SIMD, for gd with T = I; RKC2 on (Q, R) otherwise) | dopri5 (Dormand–Prince 5(4) on (Q, R), the rows of earlier runs files) (docs/theory.md §11.2, §11.7, §11.8). Default: ${methodDefaults()} (on 2l, rkc2 changed a class in a 48-run trial against dopri5)`, choice('method', ENSEMBLE_METHODS))
    .option('--rtol <float>', `relative tolerance of --method, in (0, 1] (default: ${tolDefaults('rtol')})`, real('rtol', 0, 1, { min: true }))
    .option('--atol <float>', `absolute tolerance of --method, in (0, 1] (default: ${tolDefaults('atol')})`, real('atol', 0, 1, { min: true }))
    .option('--horizons <list>', 'comma-separated τ values: also record, in columns h<τ>_loss, h<τ>_rhs_norm, h<τ>_class, h<τ>_family_n, the class each run would get if integration stopped at τ (at the end state for τ ≥ the run\'s end)', list('horizons', positive('horizons')))
    .addOption(opt('--eps-global <float>', 'global minimum when ε < eps-global (docs/theory.md §6)', positive('eps-global'), ENSEMBLE.epsGlobal))
    .addOption(opt('--g-tol <float>', 'local minimum when not global and max|RHS| < g-tol (docs/theory.md §6)', positive('g-tol'), ENSEMBLE.gTol))
    .addOption(opt('--vanish-tol <float>', 'units with Q_kk below this are vanished (K > M)', positive('vanish-tol'), ENSEMBLE.vanishTol))
    .addOption(opt('--polish-at <float>', `try Newton polishing once max|RHS| < this (rkc2: only as a fallback, after ${ENSEMBLE_METHOD.polishAfterEvals} RHS evaluations below it or from τ = ${ENSEMBLE_METHOD.polishTauFraction}·tau-max; 0: never)`, real('polish-at', 0, Infinity), ENSEMBLE.polishAt))
    .option('--no-early-global', 'integrate global runs to tol instead of stopping at ε < eps-global')
    .option('--out <file>', 'runs CSV (appended to, resumable); default stdout. A manifest is written beside it')
    .action(async (opts) => {
      opts.shard ??= { index: 0, count: 1 };
      const d = opts.initDim ?? opts.M;
      if (d < opts.M) throw new UsageError(`--init-dim must be an integer in [M=${opts.M}, ∞), got "${d}"`);
      if (opts.algorithm === 'ongd' && d < opts.K) throw new UsageError(`--init-dim must be an integer in [K=${opts.K}, ∞) for --algorithm ongd (K orthonormal rows), got "${d}"`);
      if (opts.shard.index >= opts.runs && opts.runs < opts.shard.count)
        throw new UsageError(`--shard ${opts.shard.index}/${opts.shard.count} selects no run of --runs ${opts.runs}`);
      if (opts.out !== undefined) checkWritable(opts.out, '--out');
      const method: EnsembleMethod = opts.method ?? ENSEMBLE_METHOD.byAlgorithm[opts.algorithm as AlgorithmName];
      opts.method = method;
      opts.rtol ??= ENSEMBLE_METHOD.tolerances[method].rtol;
      opts.atol ??= ENSEMBLE_METHOD.tolerances[method].atol;
      const horizons: number[] | undefined = opts.horizons ? [...new Set<number>(opts.horizons)].sort((a, b) => a - b) : undefined;
      opts.horizons = horizons;
      const eo: EnsembleOptions = {
        K: opts.K, M: opts.M, runs: opts.runs, seed: opts.seed, algorithm: opts.algorithm, activation: opts.activation,
        alpha: opts.alpha, initDim: d, workers: opts.workers, shard: opts.shard, tol: opts.tol, tauMax: opts.tauMax,
        rtol: opts.rtol, atol: opts.atol, epsGlobal: opts.epsGlobal, gTol: opts.gTol, vanishTol: opts.vanishTol,
        earlyGlobal: opts.earlyGlobal, polishAt: opts.polishAt, method, horizons, teacher: opts.teacher,
      };
      const manifest = makeManifest('ensemble', { ...opts, initDim: d, shard: `${opts.shard.index}/${opts.shard.count}` });
      const runs = shardRuns(opts.runs, opts.shard);
      const stop = onInterrupt();
      const bar = process.stdout.isTTY ? new SingleBar({ stream: process.stderr, format: 'ensemble K={K} M={M} [{bar}] {value}/{total} runs | {eta_formatted} left' }, Presets.shades_classic) : null;
      const counts: Record<string, number> = {};
      const onRow = (row: RunRow) => {
        counts[row.class] = (counts[row.class] ?? 0) + 1;
        bar?.increment();
      };
      let result: { rows: RunRow[]; resumed: number; missing: number };
      try {
        if (opts.out) {
          bar?.start(runs.length, 0, { K: opts.K, M: opts.M });
          result = await runEnsembleToFile(opts.out, eo, runs, manifest, { signal: stop.signal, isolate: true, onRow });
        } else {
          // a closed pipe (e.g. `| head`) ends the run quietly
          process.stdout.on('error', (e: NodeJS.ErrnoException) => {
            if (e.code === 'EPIPE') process.exit(0);
            throw e;
          });
          process.stdout.write(headerLine(horizons));
          bar?.start(runs.length, 0, { K: opts.K, M: opts.M });
          const rows = await runEnsemble(eo, runs, { signal: stop.signal, isolate: true, onRow: (row) => (process.stdout.write(rowLine(row, horizons)), onRow(row)) });
          result = { rows, resumed: 0, missing: runs.length - rows.length };
        }
      } finally {
        bar?.stop();
        stop.dispose();
      }
      const interrupted = result.missing > 0;
      const summary = `${result.rows.length} runs done (${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ') || 'none new'}), ${result.resumed} resumed${interrupted ? `, interrupted with ${result.missing} left` : ''}`;
      if (opts.out) console.log(summary);
      else process.stderr.write(summary + '\n');
      if (interrupted) process.exitCode = 130;
    });
}
