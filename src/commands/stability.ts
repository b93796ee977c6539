// `scmv stability`: perturbation test of a family's fixed point (SPEC §6, paper Appendix D) and
// the weight-space Hessian spectrum at the point.
import type { Command } from 'commander';
import { ACTIVATION_NAMES, getActivation, type Activation } from '../activations/index.js';
import { solveFamily, type FixedPoint } from '../theory/fixed-points.js';
import { embedWithZeroUnits, hessianSpectrum, perturbationTest, type PerturbationResult } from '../theory/stability.js';
import { identity } from '../theory/overlaps.js';
import { toCsv, writeCsv } from '../io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../io/manifest.js';
import { choice, int, real, seedOption, UsageError } from './options.js';

export interface StabilityReport {
  K: number;
  M: number;
  n: number;
  /** 'ansatz' (a fixed point of the K-student ansatz) or 'embed' (K = M point plus zero units). */
  source: 'ansatz' | 'embed';
  level: number;
  rhsNorm: number;
  /** Smallest weight-space Hessian eigenvalues (NaN for embedded points: a zero unit is a ReLU kink). */
  eigs: number[];
  result: PerturbationResult;
}

export interface StabilityOptions {
  source: 'ansatz' | 'embed';
  branch: number;
  delta: number;
  seeds: number;
  seed: number;
  N?: number;
  tauMax: number;
}

/** Finds the family-n fixed point (branch = index by increasing loss) and runs the tests. */
export function stabilityOf(act: Activation, K: number, M: number, n: number, o: StabilityOptions): StabilityReport | null {
  const K0 = o.source === 'embed' ? M : K;
  const sols: FixedPoint[] = solveFamily(act, K0, M, n).filter((s) => s.familyN === n || (n === 0 && s.familyN === -1));
  const p = sols[o.branch];
  if (!p) return null;
  const T = identity(M);
  let { Q, R } = p;
  let eigs: number[] = [NaN];
  if (o.source === 'embed') ({ Q, R } = embedWithZeroUnits(K0, M, p.Q, p.R, K - K0));
  else eigs = Array.from(hessianSpectrum(act, K, M, Q, R, T, K + M + 1, 4).eigs);
  const N = o.N ?? K + M + 1;
  const result = perturbationTest(act, K, M, Q, R, T, p.loss, { N, delta: o.delta, seeds: o.seeds, seed: o.seed, tauMax: o.tauMax });
  return { K, M, n, source: o.source, level: p.loss, rhsNorm: p.rhsNorm, eigs, result };
}

export function registerStability(program: Command): void {
  program
    .command('stability')
    .description('Perturb the weights of a family-n fixed point realised in N > K + M dimensions (W → W + δZ), relax by gradient flow and report the loss gap (SPEC §6); also the weight-space Hessian spectrum.')
    .option('--K <int>', 'student units K ≥ M', int('K', 1, 200), 8)
    .option('--M <int>', 'teacher units M', int('M', 1, 200), 8)
    .option('--n <int>', 'family index (anti-aligned students)', int('n', 0, 200), 1)
    .option('--source <name>', 'ansatz: fixed point of the K-student ansatz | embed: the K = M point plus K − M zero units', choice('source', ['ansatz', 'embed'] as const), 'ansatz')
    .option('--branch <int>', 'which solution of the family, by increasing loss', int('branch', 0, 100), 0)
    .option('--delta <float>', 'perturbation strength δ > 0', real('delta', 0, Infinity, { min: true }), 1e-3)
    .option('--seeds <int>', 'number of perturbations', int('seeds', 1, 100000), 10)
    .option('--seed <int>', 'base random seed', seedOption, 1)
    .option('--N <int>', 'realisation dimension (default K + M + 1)', int('N', 1, 100000))
    .option('--tau-max <float>', 'relaxation time limit', real('tau-max', 0, Infinity, { min: true }), 1e5)
    .option('--activation <name>', `activation: ${ACTIVATION_NAMES.join(' | ')}`, choice('activation', ACTIVATION_NAMES), 'relu')
    .option('--alpha <float>', 'leaky ReLU negative slope, in [0, 1)', real('alpha', 0, 1, { max: true }), 0.01)
    .option('--out <file>', 'per-perturbation CSV (default: stdout); a manifest is written beside it')
    .action((opts) => {
      const { K, M, n } = opts;
      if (K < M) throw new UsageError(`--K must be an integer in [M=${M}, 200], got "${K}"`);
      if (n > M) throw new UsageError(`--n must be an integer in [0, M=${M}], got "${n}"`);
      if (opts.source === 'embed' && K === M) throw new UsageError('--source embed needs K > M');
      if (opts.N !== undefined && opts.N <= K + M) throw new UsageError(`--N must be an integer in [K+M+1=${K + M + 1}, ∞), got "${opts.N}"`);
      const manifest = makeManifest('stability', opts);
      const act = getActivation(opts.activation, opts.alpha);
      const rep = stabilityOf(act, K, M, n, opts);
      if (!rep) {
        console.error(`no fixed point of family n=${n} (branch ${opts.branch}) found for K=${opts.source === 'embed' ? M : K}, M=${M}`);
        process.exitCode = 1;
        return;
      }
      const header = ['K', 'M', 'n', 'source', 'level', 'delta', 'replica', 'loss0', 'final_loss', 'gap', 'rhs_norm', 'tau', 'reason', 'cls', 'family_n', 'dropped_units'];
      const rows = rep.result.runs.map((r) => [K, M, n, rep.source, rep.level, opts.delta, r.replica, r.loss0, r.finalLoss, r.gap, r.rhsNorm, r.tau, r.reason, r.cls, r.familyN, r.dropped]);
      const { meanGap, sdGap, returned } = rep.result;
      const summary = `K=${K} M=${M} n=${n} (${rep.source}) level ${rep.level.toExponential(10)}: gap mean ${meanGap.toExponential(3)} sd ${sdGap.toExponential(3)}, returned ${returned}/${rows.length}; Hessian min eigs ${rep.eigs.map((e) => e.toExponential(3)).join(' ')}`;
      if (opts.out) {
        writeCsv(opts.out, header, rows);
        writeManifest(manifestPath(opts.out), { ...manifest, result: { level: rep.level, meanGap, sdGap, returned, eigs: rep.eigs } });
        console.log(summary);
      } else {
        process.stdout.write(toCsv(header, rows));
        console.error(summary);
      }
    });
}
