// `scmv levels`: infinite-N loss levels of the fixed-point families (docs/theory.md §6), with the
// full-system residual, and the weight-space Hessian's smallest eigenvalue (stability). With
// --sgd-lr η --N N, each stable level also gets the online-SGD predictions of docs/theory.md §9
// (level shift to first order and at the SGD-ODE stationary point, the O(η/N) mean correction,
// the sd of ε from the Ornstein–Uhlenbeck covariance).
import type { Command } from 'commander';
import { ACTIVATION_NAMES, getActivation } from '../../activations/index.js';
import { familyLevels, levelCells, LEVEL_COLUMNS } from '../../theory/levels.js';
import { toCsv, writeCsv, type Cell } from '../../io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../../io/manifest.js';
import { choice, int, list, opt, real, refuseMemory } from '../options.js';
import { ACTIVATION, LEVELS, LIMITS } from '../../defaults.js';
import { checkWritable } from '../../io/files.js';
import { identity } from '../../linalg/vector.js';
import { prepareSgdLevel, predictSgdLevel, sgdPredictionAtN, SGD_PREDICTION_DEFAULTS } from '../../theory/sgd-prediction.js';
import { SGD_LEVEL_COLUMNS, sgdLevelCells } from '../../theory/sgd-level-columns.js';
import { UsageError } from '../../errors.js';

export function registerLevels(program: Command): void {
  program
    .command('levels')
    .description('Solve the block-symmetric fixed-point equations (docs/theory.md §6) for families n of anti-aligned students; report loss levels, full RHS norm and Hessian stability.')
    .addOption(opt('--K <int>', 'student units K, in [M, 200] (K = M or K = M + 1 …)', int('K', 1, 200), LEVELS.K))
    .addOption(opt('--M <int>', 'teacher units M, in [1, 200]', int('M', 1, 200), LEVELS.M))
    .option('--families <list>', 'comma-separated family indices n, in [0, M] (default 1..M−1)', list('families', int('families', 0, 200)))
    .addOption(opt('--activation <name>', `activation g: ${ACTIVATION_NAMES.join(' | ')}`, choice('activation', ACTIVATION_NAMES), ACTIVATION.activation))
    .addOption(opt('--alpha <float>', 'leaky ReLU negative slope α, in [0, 1)', real('alpha', 0, 1, { max: true }), ACTIVATION.alpha))
    .option('--no-hessian', 'skip the weight-space Hessian (stable/min_eig left empty)')
    .option('--sgd-lr <float>', 'online-SGD learning rate η, in (0, 1]: append the SGD predictions of docs/theory.md §9 to each stable level (sgd_* columns; needs --N; about 10 s per level at K = M = 8)', real('sgd-lr', 0, 1, { min: true }))
    .option('--N <int>', `input dimension N of the SGD predictions (sd of ε, O(η/N) shift), in [K + M + 1, ${LIMITS.N}] (needs --sgd-lr)`, int('N', 1, LIMITS.N))
    .addOption(opt('--sgd-samples <int>', 'Monte Carlo samples for the O(η) part of the SGD noise covariance, in [1000, 100000000]', int('sgd-samples', 1000, 1e8), SGD_PREDICTION_DEFAULTS.samples))
    .option('--out <file>', 'CSV output (default: stdout); a manifest is written beside it')
    .action((opts) => {
      const { K, M } = opts;
      if (opts.out !== undefined) checkWritable(opts.out, '--out');
      if (opts.hessian) refuseMemory(`the weight-space Hessian at K=${K}, M=${M} (use --no-hessian)`, (K * (K + M + 1)) ** 2 * 8 * 2, LIMITS.jobBytes);
      if (K < M) throw new UsageError(`--K must be an integer in [M=${M}, 200], got "${K}"`);
      const sgd = opts.sgdLr !== undefined;
      if (sgd && opts.N === undefined) throw new UsageError('--sgd-lr needs --N (the input dimension of the SGD predictions)');
      if (!sgd && opts.N !== undefined) throw new UsageError('--N is only used with --sgd-lr');
      if (sgd && opts.N < K + M + 1) throw new UsageError(`--N must be an integer in [K + M + 1 = ${K + M + 1}, ${LIMITS.N}], got "${opts.N}"`);
      const families: number[] = opts.families ?? Array.from({ length: Math.max(0, M - 1) }, (_, i) => i + 1);
      for (const n of families) if (n > M) throw new UsageError(`--families must be integers in [0, M=${M}], got "${n}"`);
      const act = getActivation(opts.activation, opts.alpha);
      const manifest = makeManifest('levels', { ...opts, families });
      const rows: Cell[][] = [];
      const T = identity(M);
      for (const n of families) {
        const found = familyLevels(act, K, M, n, [], opts.hessian);
        for (const r of found) {
          if (!sgd) {
            rows.push(levelCells(r));
            continue;
          }
          // SGD predictions only near a stable fixed point: skip levels the Hessian calls unstable;
          // without --hessian, an unstable J at X_η leaves the cells empty (predictSgdLevel.stable).
          let pred = null;
          if (opts.hessian === false || r.stable) {
            const ctx = prepareSgdLevel(act, K, M, r.point.Q, r.point.R, T, { samples: opts.sgdSamples });
            const p = predictSgdLevel(ctx, opts.sgdLr);
            if (p.stable) pred = sgdPredictionAtN(p, opts.N);
          }
          rows.push([...levelCells(r), ...sgdLevelCells(opts.sgdLr, opts.N, pred)]);
        }
        if (process.stdout.isTTY && opts.out) process.stderr.write(`n=${n}: ${found.length} solution(s)\n`);
      }
      const columns = sgd ? [...LEVEL_COLUMNS, ...SGD_LEVEL_COLUMNS] : LEVEL_COLUMNS;
      if (opts.out) {
        writeCsv(opts.out, columns, rows);
        writeManifest(manifestPath(opts.out), { ...manifest, rows: rows.length });
        console.log(`${rows.length} fixed points written to ${opts.out}`);
      } else {
        process.stdout.write(toCsv(columns, rows));
      }
    });
}
