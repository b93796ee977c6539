// `scmv report <dir>`: rebuilds the self-contained report.html of a `scmv validate` output
// directory from its summary.csv, fits.csv, manifest and figure CSVs (src/experiments/validate-html.ts).
import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { rebuildValidateHtml } from '../../studies/validate/html.js';
import { UsageError } from '../../errors.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('Rebuild report.html (claims with PASS / FAIL verdicts, tables and interactive figures; works offline) from an existing scmv validate output directory.')
    .argument('<dir>', 'output directory of scmv validate (holds summary.csv and fits.csv)')
    .action(async (dir: string) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`"${dir}" is not a directory`);
      for (const f of ['summary.csv', 'fits.csv']) if (!existsSync(`${dir}/${f}`)) throw new UsageError(`"${dir}" holds no ${f}: not a scmv validate output directory`);
      const r = await rebuildValidateHtml(dir);
      const n = (v: string) => r.claims.filter((c) => c.verdict === v).length;
      console.log(`report: wrote ${r.path} (${r.figures} figures; claims: ${n('PASS')} PASS, ${n('FAIL')} FAIL, ${n('INFO')} INFO)`);
    });
}
