// Merges the per-part outputs of experiments/levels.ts (run as two processes: K = M and
// K = M + 1) into results/levels.csv, K = M rows first, each part sorted by (M, n, branch).
// Usage: npx tsx experiments/levels-merge.ts results/levels-equal.csv results/levels-plus1.csv
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { writeCsv } from '../src/io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../src/io/manifest.js';
import { LEVEL_COLUMNS } from '../src/commands/levels.js';

const parts = process.argv.slice(2);
const out = 'results/levels.csv';
const rows: string[][] = [];
for (const p of parts) {
  const recs = parse(readFileSync(p, 'utf8'), { columns: true }) as Record<string, string>[];
  recs.sort((a, b) => Number(a.K) - Number(b.K) || Number(a.n) - Number(b.n) || Number(a.branch) - Number(b.branch));
  for (const r of recs) rows.push(LEVEL_COLUMNS.map((c) => r[c] ?? ''));
}
writeCsv(out, LEVEL_COLUMNS, rows);
writeManifest(manifestPath(out), { ...makeManifest('experiments/levels-merge', { parts }), rows: rows.length });
console.error(`${rows.length} rows → ${out}`);
