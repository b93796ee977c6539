// `scmv levels`: infinite-N loss levels of the fixed-point families (SPEC §6), with the
// full-system residual, and the weight-space Hessian's smallest eigenvalue (stability).
import type { Command } from 'commander';
import { ACTIVATION_NAMES, getActivation, type Activation } from '../activations/index.js';
import { FAMILY_PARAM_NAMES } from '../theory/ansatz.js';
import { solveFamily, type FixedPoint } from '../theory/fixed-points.js';
import { hessianSpectrum } from '../theory/stability.js';
import { identity } from '../theory/overlaps.js';
import { toCsv, writeCsv, type Cell } from '../io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../io/manifest.js';
import { choice, int, list, real, UsageError } from './options.js';

/** A Hessian eigenvalue above −STABLE_TOL counts as non-negative (finite-difference noise ≈ 1e-9). */
export const STABLE_TOL = 1e-7;

export const LEVEL_COLUMNS = ['K', 'M', 'n', 'branch', 'loss', 'rhs_norm', 'stable', 'min_eig', 'eig2', 'psd', ...FAMILY_PARAM_NAMES] as const;

export interface LevelRow {
  point: FixedPoint;
  branch: number;
  minEig: number;
  eig2: number;
  stable: boolean;
}

/**
 * All distinct PSD solutions of family n whose classified family index is n, sorted by loss
 * (branch 0 = lowest), with the weight-space Hessian spectrum in dimension K + M + 1.
 * `previous` supplies continuation guesses (parameters of solutions at smaller K).
 */
export function familyLevels(act: Activation, K: number, M: number, n: number, previous: Record<string, number>[] = [], hessian = true): LevelRow[] {
  // Same loss (to 1e-9) = same level: degenerate branches (e.g. a near-vanished surplus unit
  // pointing anywhere) are reported once.
  const sols = solveFamily(act, K, M, n, { extraGuesses: previous })
    .filter((s) => s.familyN === n || (n === 0 && s.familyN === -1)) // n = 0 includes the global minimum
    .filter((s, i, all) => all.findIndex((t) => Math.abs(t.loss - s.loss) < 1e-9) === i);
  const T = identity(M);
  return sols.map((point, branch) => {
    let minEig = NaN;
    let eig2 = NaN;
    if (hessian) {
      const hs = hessianSpectrum(act, K, M, point.Q, point.R, T, K + M + 1, 2);
      minEig = hs.eigs[0];
      eig2 = hs.eigs[1];
    }
    return { point, branch, minEig, eig2, stable: minEig > -STABLE_TOL };
  });
}

export function levelCells(r: LevelRow): Cell[] {
  const p = r.point;
  return [p.K, p.M, p.n, r.branch, p.loss, p.rhsNorm, r.stable ? 1 : 0, r.minEig, r.eig2, p.psd ? 1 : 0, ...FAMILY_PARAM_NAMES.map((nm) => p.params[nm] ?? '')];
}

export function registerLevels(program: Command): void {
  program
    .command('levels')
    .description('Solve the block-symmetric fixed-point equations (SPEC §6) for families n of anti-aligned students; report loss levels, full RHS norm and Hessian stability.')
    .option('--K <int>', 'student units K (K = M or K = M + 1 ...)', int('K', 1, 200), 8)
    .option('--M <int>', 'teacher units M ≥ 1, M ≤ K', int('M', 1, 200), 8)
    .option('--families <list>', 'comma-separated family indices n (default 1..M−1)', list('families', int('families', 0, 200)))
    .option('--activation <name>', `activation: ${ACTIVATION_NAMES.join(' | ')}`, choice('activation', ACTIVATION_NAMES), 'relu')
    .option('--alpha <float>', 'leaky ReLU negative slope, in [0, 1)', real('alpha', 0, 1, { max: true }), 0.01)
    .option('--no-hessian', 'skip the weight-space Hessian (stable/min_eig left empty)')
    .option('--out <file>', 'CSV output (default: stdout); a manifest is written beside it')
    .action((opts) => {
      const { K, M } = opts;
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
