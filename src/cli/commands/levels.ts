// `scmv levels`: infinite-N loss levels of the fixed-point families (docs/theory.md §6), with the
// full-system residual, and the weight-space Hessian's smallest eigenvalue (stability).
import type { Command } from 'commander';
import { ACTIVATION_NAMES, getActivation } from '../../activations/index.js';
import { familyLevels, levelCells, LEVEL_COLUMNS } from '../../theory/levels.js';
import { toCsv, writeCsv, type Cell } from '../../io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../../io/manifest.js';
import { choice, int, list, opt, real, refuseMemory } from '../options.js';
import { ACTIVATION, LEVELS, LIMITS } from '../../defaults.js';
import { checkWritable } from '../../io/files.js';
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
    .option('--out <file>', 'CSV output (default: stdout); a manifest is written beside it')
    .action((opts) => {
      const { K, M } = opts;
      if (opts.out !== undefined) checkWritable(opts.out, '--out');
      if (opts.hessian) refuseMemory(`the weight-space Hessian at K=${K}, M=${M} (use --no-hessian)`, (K * (K + M + 1)) ** 2 * 8 * 2, LIMITS.jobBytes);
      if (K < M) throw new UsageError(`--K must be an integer in [M=${M}, 200], got "${K}"`);
      const families: number[] = opts.families ?? Array.from({ length: Math.max(0, M - 1) }, (_, i) => i + 1);
      for (const n of families) if (n > M) throw new UsageError(`--families must be integers in [0, M=${M}], got "${n}"`);
      const act = getActivation(opts.activation, opts.alpha);
      const manifest = makeManifest('levels', { ...opts, families });
      const rows: Cell[][] = [];
      for (const n of families) {
        const found = familyLevels(act, K, M, n, [], opts.hessian);
        for (const r of found) rows.push(levelCells(r));
        if (process.stdout.isTTY && opts.out) process.stderr.write(`n=${n}: ${found.length} solution(s)\n`);
      }
      if (opts.out) {
        writeCsv(opts.out, LEVEL_COLUMNS, rows);
        writeManifest(manifestPath(opts.out), { ...manifest, rows: rows.length });
        console.log(`${rows.length} fixed points written to ${opts.out}`);
      } else {
        process.stdout.write(toCsv(LEVEL_COLUMNS, rows));
      }
    });
}
