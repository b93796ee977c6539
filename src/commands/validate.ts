// `scmv validate`: the standard cross-check of explicit finite-N training (population GD and
// online SGD) against the ODE from each run's measured start, over N and η (SPEC §3, §4).
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { SingleBar, Presets } from 'cli-progress';
import { BACKEND_NAMES, createSgdKernel, type BackendName } from '../network/backend.js';
import { runValidate, validateRuns, VALIDATE_DEFAULTS, VALIDATE_QUICK, type ValidateOptions } from '../experiments/validate.js';
import { writeValidateReport } from '../experiments/validate-report.js';
import { choice, int, list, seedOption } from './options.js';

/** The fastest exact-stream kernel that loads here: wasm, else js. */
async function defaultBackend(): Promise<BackendName> {
  try {
    (await createSgdKernel('wasm', { activation: 'relu', alpha: 0, K: 1, M: 1, N: 4, lr: 0.1, replicas: 1 })).dispose();
    return 'wasm';
  } catch {
    return 'js';
  }
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Cross-check explicit finite-N training against the ODE: population GD (exact for every N) and online SGD (deviations shrinking with N and η), N ∈ {100, 1000, 10000}, several seeds. Writes summary.csv, runs.csv, fits.csv, trajectories.csv and SVG figures.')
    .option('--quick', 'a smaller sweep that runs in under 30 s')
    .option('--K <int>', 'student units K (default 4)', int('K', 1, 1000))
    .option('--M <int>', 'teacher units M (default 4)', int('M', 1, 1000))
    .option('--seeds <int>', 'seeds per configuration (default 3, quick 2)', int('seeds', 1, 1000))
    .option('--seed <int>', 'first seed', seedOption, 1)
    .option('--N <list>', 'dimensions of the N sweep, comma-separated (default 100,1000,10000)', list('N', int('N', 1, 10_000_000)))
    .option('--workers <int>', 'worker threads (results do not depend on it; default: available cores)', int('workers', 1, 256))
    .option('--backend <name>', `online-SGD kernel: ${BACKEND_NAMES.join(' | ')} (default: wasm if it loads, else js; they agree to ~1e-13)`, choice('backend', BACKEND_NAMES))
    .option('--out-dir <dir>', 'output directory', 'results/validate')
    .action(async (raw) => {
      const base = raw.quick ? VALIDATE_QUICK : VALIDATE_DEFAULTS;
      const o: ValidateOptions = {
        ...base,
        K: raw.K ?? base.K,
        M: raw.M ?? base.M,
        seeds: raw.seeds ?? base.seeds,
        seed0: raw.seed,
        Ns: raw.N ?? base.Ns,
        backend: raw.backend ?? (await defaultBackend()),
        workers: raw.workers ?? Math.max(1, availableParallelism()),
      };
      const total = validateRuns(o).length;
      const bar = process.stdout.isTTY ? new SingleBar({ stream: process.stderr, format: 'validate [{bar}] {value}/{total} runs {duration}s' }, Presets.shades_classic) : undefined;
      bar?.start(total, 0);
      const t0 = performance.now();
      let results;
      try {
        results = await runValidate(o, (d) => bar?.update(d));
      } finally {
        bar?.stop();
      }
      const seconds = (performance.now() - t0) / 1000;
      const report = await writeValidateReport(raw.outDir, o, results, { seconds, quick: Boolean(raw.quick), cliOptions: { ...raw } });
      const e = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));
      console.log(`validate: ${results.length} runs in ${seconds.toFixed(1)} s (${o.workers} worker(s), backend ${o.backend}); ODE: ${[...new Set(results.map((r) => r.ode))].join(', ')}`);
      for (const r of report.summary) {
        const what = r.algorithm === 'sgd' ? `η=${r.lr}` : `Δτ=${r.dtau}`;
        console.log(`  ${r.algorithm.padEnd(3)} N=${String(r.N).padEnd(6)} ${what.padEnd(9)} max|Δε| ${e(r.maxMaxLossErr)}  max|ΔQ| ${e(r.maxMaxQErr)}  max|ΔR| ${e(r.maxMaxRErr)}${r.diverged ? `  (${r.diverged} diverged)` : ''}`);
      }
      for (const f of report.fits.filter((x) => x.metric === 'loss')) console.log(`  slope of log max|Δε| vs log ${f.variable} (${f.algorithm}, ${f.fixed}): ${f.slope.toFixed(3)}`);
      console.log(`  wrote ${report.files.length} files to ${raw.outDir}`);
    });
}
