// report.html of `scmv validate`: the claims checked by the sweep (PASS / FAIL / INFO), the
// summary and fit tables, and the three figures, as one self-contained page (src/io/html-report.ts).
// Written at the end of `scmv validate`, and rebuilt by `scmv report <dir>` from the CSVs and
// the manifest in an existing output directory. The figures' chart settings live here too, so
// both paths draw the same charts.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../io/files.js';
import { join } from 'node:path';
import { readCsvFile } from '../../io/csv.js';
import { renderHtmlReport, formatNumber, type ReportClaim, type ReportFigure, type ReportTable } from '../../io/html-report.js';
import { gitCommit, packageVersion } from '../../io/manifest.js';
import { lineChartSpec, renderSvg, type LineChart, type RenderedChart, type Row } from '../../io/plot.js';
import type { Algorithm } from '../../runs/train.js';
import type { FitRow, SummaryRow } from './validate.js';

/** Population GD must match the gradient flow to this absolute accuracy (loss, Q and R). */
export const GD_MAX_DEVIATION = 1e-6;

/** What the figure titles and claims need to know about the run. */
export interface ValidateFigureContext {
  K?: number;
  M?: number;
  seed0?: number;
  /** The largest N of the sweep (the N of the loss-vs-τ figure). */
  Nmax: number;
  /** The ODE the SGD runs were compared with. */
  sgdOde: string;
}

export type ValidateFigureName = 'loss-vs-tau' | 'deviation-vs-N' | 'deviation-vs-lr';
export const VALIDATE_FIGURES: readonly ValidateFigureName[] = ['loss-vs-tau', 'deviation-vs-N', 'deviation-vs-lr'];

const sgdOdeName = (ode: string) => (ode === 'sgd-ode' ? 'SGD ODE' : 'gradient flow');

/** The chart settings of each validate figure. */
export function validateChart(name: ValidateFigureName, c: ValidateFigureContext): LineChart {
  switch (name) {
    case 'loss-vs-tau': {
      const km = c.K !== undefined && c.M !== undefined ? `K = ${c.K}, M = ${c.M}` : '';
      const seed = c.seed0 !== undefined ? `seed ${c.seed0}` : '';
      const tail = [km, seed].filter(Boolean).join(', ');
      return {
        title: `Loss vs τ at N = ${c.Nmax}: explicit network vs ODE from its measured start${tail ? ` (${tail})` : ''}`,
        x: 'tau', y: 'loss', xTitle: 'τ', yTitle: 'population loss ε', yScale: 'log', color: 'run', dash: 'source',
      };
    }
    case 'deviation-vs-N':
      return {
        title: 'Max deviation from the ODE over τ (mean over seeds) vs N',
        x: 'N', y: 'deviation', xScale: 'log', yScale: 'log', color: 'run', dash: 'metric', points: true, xTitle: 'N', yTitle: 'max |ε − ε_ODE|, max |Q − Q_ODE|',
      };
    case 'deviation-vs-lr':
      return {
        title: `SGD vs ${sgdOdeName(c.sgdOde)}: max |ε − ε_ODE| over τ (mean over seeds) vs η`,
        x: 'lr', y: 'deviation', xScale: 'log', yScale: 'log', color: 'series', points: true, xTitle: 'η', yTitle: 'max |ε − ε_ODE|',
      };
  }
}

const CAPTIONS: Record<ValidateFigureName, string> = {
  'loss-vs-tau': 'Population loss against τ for one run per algorithm at the largest N (first seed): the explicit network and the ODE integrated from the run\'s own measured (Q0, R0, T). Drag to pan, scroll to zoom.',
  'deviation-vs-N': 'Max over τ of |ε − ε_ODE| and of max |Q − Q_ODE| (mean over seeds) against N, log-log. Colour: algorithm and the ODE it is compared with; line style and point shape: the metric.',
  'deviation-vs-lr': 'Online SGD: max over τ of |ε − ε_ODE| (mean over seeds) against the learning rate η at fixed N, log-log.',
};

const e3 = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));
const slope = (v: number) => (Number.isFinite(v) ? v.toFixed(3).replace(/^-/, '−') : 'n/a');
const maxOf = (v: number[]) => (v.length && v.every(Number.isFinite) ? Math.max(...v) : NaN);

/** The claims that the sweep checks, from its summary rows and fits. */
export function validateClaims(summary: readonly SummaryRow[], fits: readonly FitRow[], sgdOde: string): ReportClaim[] {
  const claims: ReportClaim[] = [];
  const ode = sgdOdeName(sgdOde);
  const gd = summary.filter((r) => r.algorithm === 'gd');
  if (gd.length) {
    const runs = gd.reduce((n, r) => n + r.runs, 0);
    const Ns = gd.map((r) => r.N).join(', ');
    const loss = maxOf(gd.map((r) => r.maxMaxLossErr));
    const qr = maxOf(gd.flatMap((r) => [r.maxMaxQErr, r.maxMaxRErr]));
    for (const [what, v] of [['max |Δε|', loss], ['max |ΔQ|, |ΔR|', qr]] as const) {
      claims.push({
        claim: `population GD follows the gradient-flow ODE: ${what} over all runs and τ`,
        measured: e3(v), threshold: `≤ ${e3(GD_MAX_DEVIATION)}`, verdict: v <= GD_MAX_DEVIATION ? 'PASS' : 'FAIL',
        detail: `${runs} runs at N ∈ {${Ns}}, RK4 on W (Δτ = ${gd[0].dtau}); round-off is ~1e-11`,
      });
    }
  }
  const aux = (f: FitRow | undefined, m: 'Q' | 'R') => fits.find((x) => x.algorithm === f?.algorithm && x.variable === f?.variable && x.fixed === f?.fixed && x.metric === m)?.slope ?? NaN;
  const byN = fits.find((f) => f.algorithm === 'sgd' && f.variable === 'N' && f.metric === 'loss');
  if (byN) {
    claims.push({
      claim: `online SGD approaches the ${ode} as N grows: fitted slope of log max|Δε| vs log N`,
      measured: slope(byN.slope), threshold: '< 0',
      verdict: !Number.isFinite(byN.slope) ? 'INFO' : byN.slope < 0 ? 'PASS' : 'FAIL',
      detail: `${byN.fixed.replace(/^lr=/, 'η = ')}, ${byN.points} values of N from ${byN.xMin} to ${byN.xMax}; slopes for Q ${slope(aux(byN, 'Q'))}, R ${slope(aux(byN, 'R'))}`
        + (sgdOde === 'sgd-ode' ? '; fluctuations of O(√(η/N)) give about −0.5' : '')
        + (Number.isFinite(byN.slope) ? '' : '; fewer than two N: no fit'),
    });
  }
  for (const f of fits.filter((x) => x.algorithm === 'sgd' && x.variable === 'lr' && x.metric === 'loss')) {
    claims.push({
      claim: `online SGD deviates more from the ${ode} at larger η (${f.fixed.replace('=', ' = ')}): fitted slope of log max|Δε| vs log η`,
      measured: slope(f.slope), threshold: '> 0',
      verdict: !Number.isFinite(f.slope) ? 'INFO' : f.slope > 0 ? 'PASS' : 'FAIL',
      detail: `${f.points} values of η from ${f.xMin} to ${f.xMax}; slopes for Q ${slope(aux(f, 'Q'))}, R ${slope(aux(f, 'R'))}`,
    });
  }
  const sgd = summary.filter((r) => r.algorithm === 'sgd');
  if (sgd.length) {
    const Nmax = Math.max(...sgd.map((r) => r.N));
    const at = sgd.filter((r) => r.N === Nmax);
    claims.push({
      claim: `online SGD at the largest N = ${Nmax}: max |Δε| from the ${ode} over runs and τ`,
      measured: e3(maxOf(at.map((r) => r.maxMaxLossErr))), threshold: '—', verdict: 'INFO',
      detail: `η ∈ {${at.map((r) => r.lr).join(', ')}}, ${at.reduce((n, r) => n + r.runs, 0)} runs`,
    });
  }
  const diverged = summary.reduce((n, r) => n + r.diverged, 0);
  const runs = summary.reduce((n, r) => n + r.runs, 0);
  claims.push({
    claim: 'every run finished without diverging', measured: `${diverged} of ${runs}`, threshold: '0', verdict: diverged === 0 ? 'PASS' : 'FAIL',
    detail: diverged ? 'diverged runs are left out of the deviations and fits' : '',
  });
  return claims;
}

/** The summary and fit tables (and the run's configuration, when known). */
export function validateTables(summary: readonly SummaryRow[], fits: readonly FitRow[], config?: Record<string, unknown>): ReportTable[] {
  const opt = (v: number) => (Number.isNaN(v) ? '' : v);
  const tables: ReportTable[] = [
    {
      caption: 'Max deviation from the ODE over τ per configuration, mean and max over seeds (summary.csv)',
      columns: ['algorithm', 'N', 'η', 'Δτ', 'runs', 'diverged', 'mean max|Δε|', 'max max|Δε|', 'mean max|ΔQ|', 'max max|ΔQ|', 'mean max|ΔR|', 'max max|ΔR|', 'mean s'],
      rows: summary.map((r) => [r.algorithm, r.N, opt(r.lr), opt(r.dtau), r.runs, r.diverged, r.meanMaxLossErr, r.maxMaxLossErr, r.meanMaxQErr, r.maxMaxQErr, r.meanMaxRErr, r.maxMaxRErr, r.meanSeconds]),
    },
    {
      caption: 'Log-log slopes of the mean max deviation (fits.csv)',
      columns: ['algorithm', 'swept', 'fixed', 'metric', 'slope', 'points', 'from', 'to'],
      rows: fits.map((f) => [f.algorithm, f.variable === 'lr' ? 'η' : f.variable, f.fixed, f.metric, f.slope, f.points, f.xMin, f.xMax]),
    },
  ];
  if (config) {
    const show = (v: unknown) => (Array.isArray(v) ? v.join(', ') : typeof v === 'number' ? formatNumber(v) : String(v));
    tables.push({ caption: 'Configuration of the run (summary.manifest.json)', columns: ['option', 'value'], rows: Object.entries(config).map(([k, v]) => [k, show(v)]) });
  }
  return tables;
}

export interface ValidateHtmlInput {
  summary: readonly SummaryRow[];
  fits: readonly FitRow[];
  figures: ReadonlyArray<RenderedChart & { name: ValidateFigureName }>;
  sgdOde: string;
  config?: Record<string, unknown>;
}

/** Writes `dir/report.html` (atomically) and returns its path. */
export function writeValidateHtml(dir: string, input: ValidateHtmlInput): string {
  const figures: ReportFigure[] = input.figures.map((f) => ({ caption: CAPTIONS[f.name], spec: f.spec, svg: f.svg }));
  const html = renderHtmlReport({
    title: 'scm-validator: finite-N training against the ODE (scmv validate)',
    generated: { timestamp: new Date().toISOString(), version: packageVersion(), commit: gitCommit() },
    claims: validateClaims(input.summary, input.fits, input.sgdOde),
    tables: validateTables(input.summary, input.fits, input.config),
    figures,
  });
  const path = join(dir, 'report.html');
  writeFileAtomic(path, html);
  return path;
}

// ---- rebuilding from an output directory (`scmv report <dir>`) ----


/** A CSV cell as a number: '' → NaN, 'Inf' / '-Inf' spelled out as written by src/io/csv.ts. */
function num(s: string | undefined): number {
  if (s === undefined || s.trim() === '') return NaN;
  if (s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

/** A figure CSV row with numeric cells as numbers. */
function castRow(r: Record<string, string>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(r)) {
    const x = num(v);
    out[k] = v.trim() !== '' && (Number.isFinite(x) || v === 'NaN' || v === 'Inf' || v === '-Inf') ? x : v;
  }
  return out;
}

export function readSummaryCsv(path: string): SummaryRow[] {
  return readCsvFile(path).map((r) => ({
    algorithm: r.algorithm as Algorithm, N: num(r.N), lr: num(r.lr), dtau: num(r.dtau), runs: num(r.runs), diverged: num(r.diverged),
    meanMaxLossErr: num(r.mean_max_loss_abs_err), maxMaxLossErr: num(r.max_max_loss_abs_err), meanMaxQErr: num(r.mean_max_Q_err),
    maxMaxQErr: num(r.max_max_Q_err), meanMaxRErr: num(r.mean_max_R_err), maxMaxRErr: num(r.max_max_R_err), meanSeconds: num(r.mean_seconds),
  }));
}

export function readFitsCsv(path: string): FitRow[] {
  return readCsvFile(path).map((r) => ({
    algorithm: r.algorithm as Algorithm, variable: r.variable as FitRow['variable'], fixed: r.fixed, metric: r.metric as FitRow['metric'],
    slope: num(r.slope), points: num(r.points), xMin: num(r.x_min), xMax: num(r.x_max),
  }));
}

/** Rebuilds `dir/report.html` from the CSVs (and manifest, if any) of a validate output directory. */
export async function rebuildValidateHtml(dir: string): Promise<{ path: string; figures: number; claims: ReportClaim[] }> {
  for (const f of ['summary.csv', 'fits.csv']) if (!existsSync(join(dir, f))) throw new Error(`${join(dir, f)} does not exist (not a validate output directory?)`);
  const summary = readSummaryCsv(join(dir, 'summary.csv'));
  const fits = readFitsCsv(join(dir, 'fits.csv'));
  const manifestFile = join(dir, 'summary.manifest.json');
  const manifest = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as { config?: Record<string, unknown>; ode?: string }) : {};
  const config = manifest.config;
  const data = new Map<ValidateFigureName, Row[]>();
  for (const name of VALIDATE_FIGURES) {
    const p = join(dir, `${name}.csv`);
    if (existsSync(p)) data.set(name, readCsvFile(p).map(castRow));
  }
  // deviation-vs-N.csv written before the `run` column: the series minus its ": loss" / ": Q"
  for (const r of data.get('deviation-vs-N') ?? []) if (r.run === undefined && typeof r.series === 'string') r.run = r.series.replace(/: [^:]*$/, '');
  const lossRows = data.get('loss-vs-tau') ?? [];
  const sgdOde = manifest.ode?.includes('sgd-ode') || lossRows.some((r) => r.source === 'SGD ODE') ? 'sgd-ode' : 'gradient-flow';
  const Ns = Array.isArray(config?.Ns) ? (config.Ns as number[]) : [...summary.map((r) => r.N), ...lossRows.map((r) => Number(r.N))];
  const ctx: ValidateFigureContext = {
    K: typeof config?.K === 'number' ? config.K : undefined, M: typeof config?.M === 'number' ? config.M : undefined,
    seed0: typeof config?.seed0 === 'number' ? config.seed0 : undefined, Nmax: Math.max(...Ns.filter(Number.isFinite)), sgdOde,
  };
  const figures: ValidateHtmlInput['figures'][number][] = [];
  for (const [name, rows] of data) {
    const spec = lineChartSpec(rows, validateChart(name, ctx));
    figures.push({ name, spec, svg: await renderSvg(spec) });
  }
  const path = writeValidateHtml(dir, { summary, fits, figures, sgdOde, config });
  return { path, figures: figures.length, claims: validateClaims(summary, fits, sgdOde) };
}
