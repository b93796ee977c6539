// `scmv stability`: perturbation test of a family's fixed point (docs/theory.md §6, the paper's Appendix D) and
// the weight-space Hessian spectrum at the point.
import type { Command } from 'commander';
import { ACTIVATION_NAMES, getActivation } from '../../activations/index.js';
import { toCsv, writeCsv } from '../../io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../../io/manifest.js';
import { choice, int, opt, positive, real, refuseMemory, seedOption } from '../options.js';
import { ACTIVATION, LIMITS, STABILITY } from '../../defaults.js';
import { checkWritable } from '../../io/files.js';
import { stabilityOf } from '../../ode/perturbation.js';
import { UsageError } from '../../errors.js';

export function registerStability(program: Command): void {
  program
    .command('stability')
    .description('Perturb the weights of a family-n fixed point realised in N > K + M dimensions (W → W + δZ), relax by gradient flow and report the loss gap (docs/theory.md §6); also the weight-space Hessian spectrum.')
    .addOption(opt('--K <int>', 'student units K, in [M, 200]', int('K', 1, 200), STABILITY.K))
    .addOption(opt('--M <int>', 'teacher units M, in [1, 200]', int('M', 1, 200), STABILITY.M))
    .addOption(opt('--n <int>', 'family index (anti-aligned students), in [0, M]', int('n', 0, 200), STABILITY.n))
    .addOption(opt('--source <name>', 'ansatz: fixed point of the K-student ansatz | embed: the K = M point plus K − M zero units', choice('source', ['ansatz', 'embed'] as const), STABILITY.source as 'ansatz' | 'embed'))
    .addOption(opt('--branch <int>', 'which solution of the family, by increasing loss', int('branch', 0, 100), STABILITY.branch))
    .addOption(opt('--delta <float>', 'perturbation strength δ > 0', positive('delta'), STABILITY.delta))
    .addOption(opt('--seeds <int>', 'number of perturbations, in [1, 100000]', int('seeds', 1, 100000), STABILITY.seeds))
    .addOption(opt('--seed <int>', 'base random seed', seedOption, STABILITY.seed))
    .option('--N <int>', 'realisation dimension, > K + M (default K + M + 1)', int('N', 1, 100000))
    .addOption(opt('--tau-max <float>', 'relaxation time limit', positive('tau-max'), STABILITY.tauMax))
    .addOption(opt('--activation <name>', `activation g: ${ACTIVATION_NAMES.join(' | ')}`, choice('activation', ACTIVATION_NAMES), ACTIVATION.activation))
    .addOption(opt('--alpha <float>', 'leaky ReLU negative slope α, in [0, 1)', real('alpha', 0, 1, { max: true }), ACTIVATION.alpha))
    .option('--out <file>', 'per-perturbation CSV (default: stdout); a manifest is written beside it')
    .action((opts) => {
      const { K, M, n } = opts;
      if (opts.out !== undefined) checkWritable(opts.out, '--out');
      const dim = K * (opts.N ?? K + M + 1);
      refuseMemory(`the weight-space Hessian at K=${K}, M=${M}`, dim * dim * 8 * 2, LIMITS.jobBytes);
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
