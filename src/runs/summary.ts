// Statistics of an ensemble (issue 5): merge run CSVs (shards), deduplicate by
// (K, M, seed, run), and tabulate per (K, M) the fractions of runs in each class and each
// family n (docs/theory.md §6) with 95% Wilson score intervals and the mean final loss of each group;
// then the same per horizon τ_h for runs files written with --horizons (the class each run would
// have got had it stopped at τ_h, columns h<τ>_class, h<τ>_family_n, h<τ>_loss).
import { parseCsv, type CsvRecord } from '../io/csv.js';
import { describeBadRows, integer, number, oneOf, readInput, type BadRow, type InputSchema } from '../io/input.js';
import { UsageError } from '../errors.js';
import { wilson } from '../stats/wilson.js';

export interface RunRecord {
  run: number;
  seed: number;
  K: number;
  M: number;
  final_loss: number;
  class: string;
  family_n: number;
  /** The run's state at each horizon of its file (ascending τ). */
  horizons: HorizonRecord[];
}

/** What summarize needs of a horizon: its τ, ε, class and family. */
export interface HorizonRecord {
  tau: number;
  loss: number;
  class: string;
  family_n: number;
}

export interface MergeReport {
  rows: RunRecord[];
  duplicates: number;
  /** Duplicates of a (K, M, seed, run) key whose class or family differ. */
  conflicts: number;
}

const CLASSES = ['global', 'local', 'none', 'diverged'];

/** What a runs CSV must hold (io/input.ts checks every row against it). */
export const RUNS_SCHEMA: InputSchema = {
  what: 'an ensemble runs CSV (written by scmv ensemble)',
  columns: {
    run: integer(0), seed: integer(0), K: integer(1), M: integer(1), final_loss: number, class: oneOf(CLASSES), family_n: integer(-1),
  },
  optional: [
    { match: /^h.+_(loss|rhs_norm)$/, check: number },
    { match: /^h.+_class$/, check: oneOf(CLASSES) },
    { match: /^h.+_family_n$/, check: integer(-1) },
  ],
};

/** The horizons of a record: every h<τ>_class column with its _family_n and _loss, by ascending τ. */
function horizonsOf(r: CsvRecord): HorizonRecord[] {
  const out: HorizonRecord[] = [];
  for (const key of Object.keys(r)) {
    const m = /^h(.+)_class$/.exec(key);
    if (!m) continue;
    const tau = Number(m[1]);
    if (!Number.isFinite(tau)) continue;
    out.push({ tau, class: r[key], family_n: Number(r[`h${m[1]}_family_n`]), loss: Number(r[`h${m[1]}_loss`]) });
  }
  return out.sort((a, b) => a.tau - b.tau);
}

/**
 * Merges run records; the first occurrence of a (K, M, seed, run) key wins. The rows come
 * back sorted by (K, M, seed, run), so the sums behind mean_loss (floating point, hence
 * order-dependent) and the whole table do not depend on how the runs were sharded, on the order
 * of the files, or on the order rows were appended in.
 */
export function mergeRecords(groups: readonly (readonly CsvRecord[])[]): MergeReport {
  const seen = new Map<string, RunRecord>();
  let duplicates = 0;
  let conflicts = 0;
  for (const group of groups) {
    for (const r of group) {
      const rec: RunRecord = {
        run: Number(r.run), seed: Number(r.seed), K: Number(r.K), M: Number(r.M),
        final_loss: Number(r.final_loss), class: r.class, family_n: Number(r.family_n), horizons: horizonsOf(r),
      };
      const key = `${rec.K}|${rec.M}|${rec.seed}|${rec.run}`;
      const prev = seen.get(key);
      if (prev) {
        duplicates++;
        if (prev.class !== rec.class || prev.family_n !== rec.family_n) conflicts++;
        continue;
      }
      seen.set(key, rec);
    }
  }
  const rows = [...seen.values()].sort((a, b) => a.K - b.K || a.M - b.M || a.seed - b.seed || a.run - b.run);
  return { rows, duplicates, conflicts };
}

/** Merges run CSV texts (trusted input, e.g. tests): parsed with parseCsv, then mergeRecords. */
export function mergeRuns(texts: readonly string[]): MergeReport {
  return mergeRecords(texts.map(parseCsv));
}

/**
 * Reads, checks (RUNS_SCHEMA) and merges run CSV files. Malformed rows are an error (one line with
 * file:line and the reason) unless `skipBadRows`, in which case they are counted in `skipped`.
 */
export function mergeRunFiles(paths: readonly string[], skipBadRows = false): MergeReport & { skipped: BadRow[] } {
  const files = paths.map((p) => readInput(p, RUNS_SCHEMA));
  const bad = files.flatMap((f) => f.bad);
  if (bad.length && !skipBadRows) throw new UsageError(`${describeBadRows(bad)}; fix them or pass --skip-bad-rows`);
  return { ...mergeRecords(files.map((f) => f.records)), skipped: bad };
}

export const SUMMARY_COLUMNS = ['K', 'M', 'horizon', 'runs', 'seeds', 'category', 'family_n', 'count', 'fraction', 'ci_low', 'ci_high', 'mean_loss'] as const;

export interface SummaryRow {
  K: number;
  M: number;
  /** τ_h of a horizon's rows (runs files written with --horizons); "" for the end of the runs. */
  horizon: number | '';
  /** Runs in the group (for a horizon: the runs that recorded it). */
  runs: number;
  /** Distinct ensemble seeds merged, ";"-separated. */
  seeds: string;
  /** global | local | none | diverged (class totals) or family (one row per n). */
  category: string;
  /** Family n for category "family" (0 = global, ≥ 1 = local with n anti-aligned units); "" otherwise. */
  family_n: number | '';
  count: number;
  fraction: number;
  ci_low: number;
  ci_high: number;
  mean_loss: number | '';
}

/** What is tabulated of one run: at the end of the run, or at a horizon. */
interface Outcome {
  seed: number;
  class: string;
  family_n: number;
  loss: number;
}

/**
 * Per (K, M): class fractions, then family fractions (n = 0 is global), all with Wilson CIs, at the
 * end of the runs (horizon ""); then the same for each horizon τ_h (ascending) of the runs that
 * recorded it.
 */
export function summarizeRuns(rows: readonly RunRecord[]): SummaryRow[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of rows) {
    const key = `${r.K}|${r.M}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  const keys = [...groups.keys()].sort((a, b) => {
    const [ka, ma] = a.split('|').map(Number);
    const [kb, mb] = b.split('|').map(Number);
    return ma - mb || ka - kb;
  });
  const out: SummaryRow[] = [];
  for (const key of keys) {
    const g = groups.get(key)!;
    const { K, M } = g[0];
    out.push(...tabulate(K, M, '', g.map((r) => ({ seed: r.seed, class: r.class, family_n: r.family_n, loss: r.final_loss }))));
    const taus = [...new Set(g.flatMap((r) => r.horizons.map((h) => h.tau)))].sort((a, b) => a - b);
    for (const tau of taus) {
      const at = g.flatMap((r) => r.horizons.filter((h) => h.tau === tau).map((h) => ({ seed: r.seed, class: h.class, family_n: h.family_n, loss: h.loss })));
      out.push(...tabulate(K, M, tau, at));
    }
  }
  return out;
}

/** The class rows, then the family rows (n = 0 is global), of one (K, M) and horizon. */
function tabulate(K: number, M: number, horizon: number | '', g: readonly Outcome[]): SummaryRow[] {
  const out: SummaryRow[] = [];
  const n = g.length;
  const seeds = [...new Set(g.map((r) => r.seed))].sort((a, b) => a - b).join(';');
  const emit = (category: string, family: number | '', members: Outcome[]) => {
    const [lo, hi] = wilson(members.length, n);
    const finite = members.filter((r) => Number.isFinite(r.loss));
    out.push({
      K, M, horizon, runs: n, seeds, category, family_n: family, count: members.length, fraction: members.length / n,
      ci_low: lo, ci_high: hi, mean_loss: finite.length ? finite.reduce((s, r) => s + r.loss, 0) / finite.length : '',
    });
  };
  for (const c of CLASSES) emit(c, '', g.filter((r) => r.class === c));
  const fams = [...new Set(g.filter((r) => r.class === 'local').map((r) => r.family_n))].sort((a, b) => a - b);
  emit('family', 0, g.filter((r) => r.class === 'global'));
  for (const f of fams) emit('family', f, g.filter((r) => r.class === 'local' && r.family_n === f));
  return out;
}
