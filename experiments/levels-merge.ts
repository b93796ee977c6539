// Merges CSV parts written by separate processes of experiments/levels*.ts into one file (same
// columns as the first part), sorted by (K − M, M, n, source, branch, replica); a row whose key
// repeats in a later part replaces the earlier one.
// Usage: npx tsx experiments/levels-merge.ts <out.csv> <part.csv>...
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { writeCsv } from '../src/io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../src/io/manifest.js';

const [out, ...parts] = process.argv.slice(2);
let columns: string[] = [];
const byKey = new Map<string, Record<string, string>>();
for (const p of parts) {
  const text = readFileSync(p, 'utf8');
  if (!columns.length) columns = text.slice(0, text.indexOf('\n')).split(',');
  for (const r of parse(text, { columns: true }) as Record<string, string>[])
    byKey.set([r.K, r.M, r.n, r.source ?? '', r.branch, r.replica ?? ''].join('|'), r);
}
const num = (v: string | undefined) => (v === undefined || v === '' ? 0 : Number(v));
const recs = [...byKey.values()].sort((a, b) =>
  num(a.K) - num(a.M) - (num(b.K) - num(b.M)) || num(a.M) - num(b.M) || num(a.n) - num(b.n) ||
  (a.source ?? '').localeCompare(b.source ?? '') || num(a.K) - num(b.K) || num(a.branch) - num(b.branch) || num(a.replica) - num(b.replica));
writeCsv(out, columns, recs.map((r) => columns.map((c) => r[c] ?? '')));
writeManifest(manifestPath(out), { ...makeManifest('experiments/levels-merge', { out, parts }), rows: recs.length });
console.error(`${recs.length} rows → ${out}`);
