// `scmv validate`: the standard cross-check of explicit finite-N training (population GD and
// online SGD) against the ODE from each run's measured start, over N and η (docs/theory.md §3, §4).
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { runValidate, validateRuns, VALIDATE_DEFAULTS, VALIDATE_QUICK, type ValidateOptions } from '../../studies/validate/validate.js';
import { writeValidateReport } from '../../studies/validate/report.js';
import { LIMITS } from '../../defaults.js';
import { checkWritableDir } from '../../io/files.js';
import { addBackend, addSeed, addWorkers, int, list, resolveBackend } from '../options.js';

/** Where `scmv validate` writes by default: an untracked folder of the current directory. */
export const VALIDATE_OUT_DIR = 'scmv-out/validate';

export function registerValidate(program: Command): void {
  const cmd = program
    .command('validate')
    .description(`Cross-check explicit finite-N training against the ODE: population GD (exact for every N) and online SGD (deviations shrinking with N and η), N ∈ {${VALIDATE_DEFAULTS.Ns.join(', ')}}, several seeds. Writes summary.csv, runs.csv, fits.csv, trajectories.csv and SVG figures into --out-dir.`)
    .option('--quick', `a smaller sweep (N ∈ {${VALIDATE_QUICK.Ns.join(', ')}}, ${VALIDATE_QUICK.seeds} seeds) that runs in under 30 s`)
    .option('--K <int>', `student units K (default ${VALIDATE_DEFAULTS.K})`, int('K', 1, LIMITS.K))
    .option('--M <int>', `teacher units M (default ${VALIDATE_DEFAULTS.M})`, int('M', 1, LIMITS.M))
    .option('--seeds <int>', `seeds per configuration (default ${VALIDATE_DEFAULTS.seeds}, quick ${VALIDATE_QUICK.seeds})`, int('seeds', 1, 1000));
  addSeed(cmd, VALIDATE_DEFAULTS.seed0, 'first seed');
  cmd.option('--N <list>', `dimensions of the N sweep, comma-separated (default ${VALIDATE_DEFAULTS.Ns.join(',')})`, list('N', int('N', 1, LIMITS.N)));
  addWorkers(cmd);
  addBackend(cmd);
  cmd
    .option('--out-dir <dir>', 'output directory', VALIDATE_OUT_DIR)
    .action(async (raw) => {
      checkWritableDir(raw.outDir, '--out-dir');
      const base = raw.quick ? VALIDATE_QUICK : VALIDATE_DEFAULTS;
      const o: ValidateOptions = {
        ...base,
        K: raw.K ?? base.K,
        M: raw.M ?? base.M,
        seeds: raw.seeds ?? base.seeds,
        seed0: raw.seed,
        Ns: raw.N ?? base.Ns,
        backend: await resolveBackend(raw.backend),
        workers: raw.workers,
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
