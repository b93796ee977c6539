// `scmv ode`: one gradient-flow trajectory in order-parameter space (SPEC §3, §5).
import type { Command } from 'commander';
import { ACTIVATION_NAMES, getActivation } from '../activations/index.js';
import { gaussianInit } from '../theory/init.js';
import { runTrajectory } from '../theory/trajectory.js';
import { createRng } from '../random/rng.js';
import { overlapColumns, overlapValues } from '../io/columns.js';
import { toCsv, writeCsv } from '../io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../io/manifest.js';
import { choice, int, real, seedOption, UsageError } from './options.js';

export function registerOde(program: Command): void {
  program
    .command('ode')
    .description('Integrate the order-parameter gradient flow (SPEC §3) from a seeded Gaussian initialisation (SPEC §5) and write the trajectory as CSV.')
    .option('--K <int>', 'student units K ≥ 1', int('K', 1, 1000), 8)
    .option('--M <int>', 'teacher units M ≥ 1', int('M', 1, 1000), 8)
    .option('--activation <name>', `activation: ${ACTIVATION_NAMES.join(' | ')}`, choice('activation', ACTIVATION_NAMES), 'relu')
    .option('--alpha <float>', 'leaky ReLU negative slope, in [0, 1)', real('alpha', 0, 1, { max: true }), 0.01)
    .option('--init-dim <int>', 'dimension d of the Gaussian initialisation (default M; must be ≥ M)', int('init-dim', 1))
    .option('--seed <int>', 'random seed', seedOption, 1)
    .option('--tau-max <float>', 'stop at this gradient-flow time τ > 0', real('tau-max', 0, Infinity, { min: true }), 5000)
    .option('--tol <float>', 'stop when the RHS max-norm is below tol > 0', real('tol', 0, Infinity, { min: true }), 1e-10)
    .option('--method <name>', 'integrator: dopri5 (adaptive) | rk4 (fixed step)', choice('method', ['dopri5', 'rk4'] as const), 'dopri5')
    .option('--dt <float>', 'rk4 step (and first dopri5 step)', real('dt', 0, Infinity, { min: true }), 0.05)
    .option('--records-per-decade <int>', 'rows per decade of τ (log-spaced)', int('records-per-decade', 1, 1000), 20)
    .option('--out <file>', 'CSV output (default: stdout); a manifest is written beside it')
    .action((opts) => {
      const d = opts.initDim ?? opts.M;
      if (d < opts.M) throw new UsageError(`--init-dim must be an integer in [M=${opts.M}, ∞), got "${d}"`);
      const act = getActivation(opts.activation, opts.alpha);
      const init = gaussianInit(opts.K, opts.M, d, createRng(opts.seed, 'ode-init'));
      const traj = runTrajectory(act, init, {
        method: opts.method, tauMax: opts.tauMax, tol: opts.tol, dt: opts.dt, recordsPerDecade: opts.recordsPerDecade,
      });
      const header = ['tau', 'loss', 'rhs_norm', ...overlapColumns(opts.K, opts.M)];
      const rows = traj.records.map((r) => [r.tau, r.loss, r.rhsNorm, ...overlapValues(opts.K, opts.M, r.Q, r.R)]);
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
