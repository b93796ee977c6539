// `scmv summarize`: merge ensemble run CSVs (shards) and tabulate class and family fractions
// with 95% Wilson intervals per (K, M), and per horizon (runs/summary.ts).
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mergeRunFiles, summarizeRuns, SUMMARY_COLUMNS } from '../../runs/summary.js';
import { toCsv, writeCsv } from '../../io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../../io/manifest.js';
import { UsageError } from '../../errors.js';
import { checkWritable } from '../../io/files.js';
import { describeBadRows } from '../../io/input.js';

export function registerSummarize(program: Command): void {
  program
    .command('summarize')
    .description('Merge ensemble run CSVs (deduplicated by K, M, seed, run) and write, per (K, M), the fractions global / local / none / diverged and per family n, with 95% Wilson score intervals and mean final losses; then the same per horizon τ for runs files written with scmv ensemble --horizons (column horizon; empty for the end of the runs).')
    .argument('<runs...>', 'runs CSVs written by scmv ensemble (e.g. shards)')
    .option('--out <file>', 'summary CSV (default stdout); a manifest is written beside it')
    .option('--skip-bad-rows', 'skip malformed rows (counted on stderr and in the manifest) instead of refusing the input')
    .action((files: string[], opts) => {
      for (const f of files) if (!existsSync(f)) throw new UsageError(`runs file "${f}" does not exist`);
      if (opts.out !== undefined) checkWritable(opts.out, '--out');
      const merged = mergeRunFiles(files, Boolean(opts.skipBadRows));
      if (merged.skipped.length) process.stderr.write(`skipped ${describeBadRows(merged.skipped)}\n`);
      if (merged.rows.length === 0) throw new UsageError('the runs files hold no rows');
      const table = summarizeRuns(merged.rows);
      const rows = table.map((r) => SUMMARY_COLUMNS.map((c) => r[c]));
      const note = `${merged.rows.length} runs from ${files.length} file(s), ${merged.duplicates} duplicates dropped${merged.conflicts ? `, ${merged.conflicts} CONFLICTING duplicates` : ''}`;
      if (opts.out) {
        writeCsv(opts.out, SUMMARY_COLUMNS, rows);
        writeManifest(manifestPath(opts.out), makeManifest('summarize', { ...opts, files }, { runs: merged.rows.length, duplicates: merged.duplicates, conflicts: merged.conflicts, skippedBadRows: merged.skipped.length }));
        console.log(note);
      } else {
        process.stdout.write(toCsv(SUMMARY_COLUMNS, rows));
        process.stderr.write(note + '\n');
      }
    });
}
