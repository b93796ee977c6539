// `scmv ode`: one trajectory of an order-parameter flow (docs/theory.md §3, §4.4–4.5, §5).
import type { Command } from 'commander';
import { getActivation } from '../../activations/index.js';
import { gaussianInit } from '../../theory/init.js';
import { ALGORITHM_NAMES, makeAlgorithmFlow, type AlgorithmName } from '../../theory/algorithms.js';
import { runTrajectory } from '../../ode/trajectory.js';
import { createRng } from '../../random/rng.js';
import { overlapColumns, overlapValues } from '../../io/columns.js';
import { toCsv, writeCsv } from '../../io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../../io/manifest.js';
import { LIMITS, ODE, TRAIN } from '../../defaults.js';
import { checkWritable } from '../../io/files.js';
import { UsageError } from '../../errors.js';
import { addActivation, addSeed, addWidths, choice, int, opt, positive, real, refuseInapplicable } from '../options.js';

export function registerOde(program: Command): void {
  const cmd = program
    .command('ode')
    .description('Integrate one order-parameter flow (gradient flow, nGD, onGD or 2L-GD; docs/theory.md §3, §4.4–4.5) from a seeded Gaussian initialisation (§5) and write the trajectory (τ, ε, max|RHS|, Q, R[, v]) as CSV, log-spaced in τ.');
  addWidths(cmd, ODE, { K: LIMITS.odeWidth, M: LIMITS.odeWidth });
  addActivation(cmd);
  cmd
    .addOption(opt('--algorithm <name>', `flow: ${ALGORITHM_NAMES.join(' | ')} (docs/theory.md §3, §4.4, §4.5)`, choice('algorithm', ALGORITHM_NAMES), 'gd' as AlgorithmName))
    .addOption(opt('--kappa <float>', '2l: second-layer learning-rate ratio κ ≥ 0', real('kappa', 0, Infinity), TRAIN.kappa))
    .option('--init-dim <int>', 'dimension d of the Gaussian initialisation, d ≥ M, ongd d ≥ K (default: M)', int('init-dim', 1));
  addSeed(cmd, ODE.seed);
  cmd
    .addOption(opt('--tau-max <float>', 'stop at this gradient-flow time τ > 0', positive('tau-max'), ODE.tauMax))
    .addOption(opt('--tol <float>', 'stop when the RHS max-norm is below tol > 0', positive('tol'), ODE.tol))
    .addOption(opt('--method <name>', 'integrator: dopri5 (adaptive) | rk4 (fixed step)', choice('method', ['dopri5', 'rk4'] as const), ODE.method as 'dopri5' | 'rk4'))
    .addOption(opt('--dt <float>', 'rk4 step (and first dopri5 step)', positive('dt'), ODE.dt))
    .addOption(opt('--records-per-decade <int>', 'rows per decade of τ (log-spaced)', int('records-per-decade', 1, 1000), ODE.recordsPerDecade))
    .option('--out <file>', 'CSV output (default: stdout); a manifest is written beside it')
    .action((opts, command: Command) => {
      refuseInapplicable(command, [
        ['--kappa', opts.algorithm === '2l', `to --algorithm ${opts.algorithm} (only 2l trains a second layer)`],
        ['--alpha', opts.activation === 'leaky-relu', `to --activation ${opts.activation} (only leaky-relu has a slope α)`],
      ]);
      if (opts.out !== undefined) checkWritable(opts.out, '--out');
      const d = opts.initDim ?? opts.M;
      if (d < opts.M) throw new UsageError(`--init-dim must be an integer in [M=${opts.M}, ∞), got "${d}"`);
      if (opts.algorithm === 'ongd' && d < opts.K) throw new UsageError(`--init-dim must be an integer in [K=${opts.K}, ∞) for --algorithm ongd (K orthonormal rows), got "${d}"`);
      const act = getActivation(opts.activation, opts.alpha);
      const init = gaussianInit(opts.K, opts.M, d, createRng(opts.seed, 'ode-init'));
      const sys = makeAlgorithmFlow(opts.algorithm, act, opts.K, opts.M, init.T, { kappa: opts.kappa });
      const traj = runTrajectory(sys, sys.initialState(init), {
        method: opts.method, tauMax: opts.tauMax, tol: opts.tol, dt: opts.dt, recordsPerDecade: opts.recordsPerDecade,
      });
      const vCols = opts.algorithm === '2l' ? Array.from({ length: opts.K }, (_, k) => `v_${k}`) : [];
      const header = ['tau', 'loss', 'rhs_norm', ...overlapColumns(opts.K, opts.M), ...vCols];
      const rows = traj.records.map((r) => [r.tau, r.loss, r.rhsNorm, ...overlapValues(opts.K, opts.M, r.Q, r.R), ...(r.v ? Array.from(r.v) : [])]);
      const summary = `final loss ${traj.loss.toExponential(6)} at tau ${traj.tau.toPrecision(6)}, rhs_norm ${traj.rhsNorm.toExponential(2)}, stopped: ${traj.reason} (${traj.rhsEvals} RHS evaluations)`;
      if (opts.out) {
        writeCsv(opts.out, header, rows);
        writeManifest(manifestPath(opts.out), makeManifest('ode', { ...opts, initDim: d }, { result: { loss: traj.loss, tau: traj.tau, rhsNorm: traj.rhsNorm, reason: traj.reason } }));
        console.log(summary);
      } else {
        process.stdout.write(toCsv(header, rows));
        console.error(summary);
      }
    });
}
