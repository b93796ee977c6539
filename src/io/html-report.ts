// A self-contained HTML report: claims with coloured verdicts, tables and interactive figures.
// The vega, vega-lite and vega-embed runtimes are read from their installed packages and
// inlined, so the page works offline from a file:// URL; a Content-Security-Policy forbids
// every network fetch. Each figure's static SVG is shown without JavaScript, and stays as the
// fallback when the interactive chart fails to render.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';

export type Verdict = 'PASS' | 'FAIL' | 'INFO';
export type TableCell = string | number | boolean | null | undefined;

export interface ReportClaim {
  claim: string;
  measured: string | number;
  threshold: string | number;
  verdict: Verdict;
  detail?: string;
}

export interface ReportTable {
  caption: string;
  columns: string[];
  rows: TableCell[][];
}

export interface ReportFigure {
  caption: string;
  spec: TopLevelSpec;
  /** The statically rendered chart (shown without JavaScript or when rendering fails). */
  svg: string;
}

export interface HtmlReportInput {
  title: string;
  generated: { timestamp: string; version: string; commit: string };
  claims: ReportClaim[];
  tables: ReportTable[];
  figures: ReportFigure[];
}

/** The minified browser builds (UMD) of vega, vega-lite and vega-embed, with their versions. */
export interface VegaRuntimes {
  vega: string;
  vegaLite: string;
  vegaEmbed: string;
  versions: { vega: string; vegaLite: string; vegaEmbed: string };
}

const require = createRequire(import.meta.url);

/** The installed package's root and package.json (its `exports` need not expose either). */
function packageRoot(name: string): { dir: string; pkg: Record<string, unknown> } {
  let dir = dirname(require.resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      if (pkg.name === name) return { dir, pkg };
    } catch {
      // no package.json at this level
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`html-report: cannot find the package root of ${name}`);
    dir = up;
  }
}

/** A package's minified browser build: the file its `unpkg`/`jsdelivr` field names. */
function browserBuild(name: string): { code: string; version: string } {
  const { dir, pkg } = packageRoot(name);
  const file = (pkg.unpkg ?? pkg.jsdelivr) as string | undefined;
  if (!file || !/\.min\.js$/.test(file)) throw new Error(`html-report: ${name} names no minified browser build`);
  return { code: readFileSync(join(dir, file), 'utf8'), version: String(pkg.version) };
}

let cached: VegaRuntimes | undefined;

/** Reads the three runtimes from node_modules (once per process). */
export function loadVegaRuntimes(): VegaRuntimes {
  if (!cached) {
    const [v, vl, ve] = [browserBuild('vega'), browserBuild('vega-lite'), browserBuild('vega-embed')];
    cached = { vega: v.code, vegaLite: vl.code, vegaEmbed: ve.code, versions: { vega: v.version, vegaLite: vl.version, vegaEmbed: ve.version } };
  }
  return cached;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that is safe inside a <script> element (no "</script", "<!--" or line separators). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Inlines a script so that nothing in it can close the <script> element early. */
function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Numbers for people: integers as they are, others to 4 significant digits. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  const s = a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3).replace(/\.?0+e/, 'e') : String(Number(v.toPrecision(4)));
  return s.replace(/^-/, '−');
}

const cellText = (v: TableCell): string => (typeof v === 'number' ? formatNumber(v) : v === null || v === undefined ? '' : String(v));

/** The static SVG, made safe to inline: no scripts, no event handlers, ids unique in the page. */
function fallbackSvg(svg: string, prefix: string): string {
  const body = svg.replace(/^\s*<\?xml[^>]*>\s*/, '').replace(/<!DOCTYPE[^>]*>/i, '');
  if (!/^\s*<svg[\s>]/.test(body)) return `<pre>${escapeHtml(svg)}</pre>`;
  return body
    .replace(/<script[\s\S]*?<\/script\s*>/gi, '')
    .replace(/<foreignObject[\s\S]*?<\/foreignObject\s*>/gi, '')
    .replace(/\son[a-z]+\s*=\s*("[^"]*"|'[^']*')/gi, '')
    .replace(/\sid="([^"]+)"/g, ` id="${prefix}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}$1"`);
}

/** The spec as embedded: no $schema URL; tooltips everywhere, pan and zoom on single views. */
function interactiveSpec(spec: TopLevelSpec): Record<string, unknown> {
  const s = { ...(spec as unknown as Record<string, unknown>) };
  delete s.$schema;
  const config = (s.config ?? {}) as Record<string, unknown>;
  s.config = { ...config, mark: { tooltip: true, ...((config.mark ?? {}) as object) } };
  if ('mark' in s && 'encoding' in s && !('params' in s)) s.params = [{ name: 'zoom', select: 'interval', bind: 'scales' }];
  return s;
}

const CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; font-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'";

const STYLE = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1b1b1b;margin:0 auto;max-width:1100px;padding:1.5em}
h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.25em;margin:1.6em 0 .5em;border-bottom:1px solid #ddd}
.meta{color:#555;font-size:.9em}
table{border-collapse:collapse;margin:.4em 0 1.2em;font-size:.9em}
caption{text-align:left;font-weight:600;padding:.3em 0}
th,td{border:1px solid #d0d0d0;padding:.25em .6em;vertical-align:top}
th{background:#f3f3f3;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.verdict{font-weight:700;text-align:center}
.PASS{background:#d9f2dd;color:#0b5d1e}.FAIL{background:#fbdada;color:#8a1010}.INFO{background:#e3ecf9;color:#1d4a84}
.summary span{display:inline-block;margin-right:.6em;padding:.1em .5em;border-radius:3px;font-weight:600}
figure{margin:1em 0 2em}figcaption{color:#333;font-size:.92em;margin-top:.3em}
.fallback svg{max-width:100%;height:auto}
html.js .fallback{display:none}html.js figure.failed .fallback{display:block}
.status{color:#8a1010;font-size:.85em}
`;

const BOOT = `(function(){
var specs=JSON.parse(document.getElementById('scmv-specs').textContent);
function fail(fig,err){fig.classList.add('failed');fig.setAttribute('data-state','failed');
var s=fig.querySelector('.status');if(s)s.textContent='Interactive chart failed ('+(err&&err.message||err)+'); showing the static SVG.';
console.error('scmv report: figure '+fig.id+': '+(err&&err.message||err));}
var jobs=[];
document.querySelectorAll('[data-scmv-chart]').forEach(function(el){
var fig=el.closest('figure');var spec=specs[Number(el.getAttribute('data-scmv-chart'))];
if(typeof vegaEmbed!=='function'){fail(fig,'vega-embed did not load');return;}
jobs.push(vegaEmbed(el,spec,{mode:'vega-lite',renderer:'svg',actions:false}).then(function(){
fig.classList.add('rendered');fig.setAttribute('data-state','rendered');},function(e){fail(fig,e);}));});
Promise.all(jobs).then(function(){document.documentElement.setAttribute('data-scmv-charts','done');});
})();`;

function claimsTable(claims: readonly ReportClaim[]): string {
  if (!claims.length) return '<p>No claims.</p>';
  const val = (v: string | number) => escapeHtml(typeof v === 'number' ? formatNumber(v) : v);
  const rows = claims.map((c) =>
    `<tr><td>${escapeHtml(c.claim)}</td><td class="num">${val(c.measured)}</td><td class="num">${val(c.threshold)}</td>`
    + `<td class="verdict ${c.verdict}" data-verdict="${c.verdict}">${c.verdict}</td><td>${escapeHtml(c.detail ?? '')}</td></tr>`);
  return `<table class="claims"><thead><tr><th>claim</th><th>measured</th><th>threshold</th><th>verdict</th><th>detail</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function dataTable(t: ReportTable): string {
  const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const rows = t.rows.map((r) => `<tr>${r.map((v) => `<td${typeof v === 'number' ? ' class="num"' : ''}>${escapeHtml(cellText(v))}</td>`).join('')}</tr>`);
  return `<table><caption>${escapeHtml(t.caption)}</caption><thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** The whole report as one HTML string (runtimes default to the installed packages). */
export function renderHtmlReport(input: HtmlReportInput, runtimes: VegaRuntimes = loadVegaRuntimes()): string {
  const counts = (['PASS', 'FAIL', 'INFO'] as const).map((v) => [v, input.claims.filter((c) => c.verdict === v).length] as const);
  const g = input.generated;
  const figures = input.figures.map((f, i) =>
    `<figure id="figure-${i}"><div class="chart" data-scmv-chart="${i}"></div>`
    + `<div class="fallback">${fallbackSvg(f.svg, `fb${i}-`)}</div><p class="status"></p>`
    + `<figcaption>Figure ${i + 1}. ${escapeHtml(f.caption)}</figcaption></figure>`);
  const v = runtimes.versions;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<script>document.documentElement.className+=' js';</script>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<p class="meta">Generated ${escapeHtml(g.timestamp)} by scm-validator ${escapeHtml(g.version)} (commit ${escapeHtml(g.commit)}); charts by vega ${escapeHtml(v.vega)}, vega-lite ${escapeHtml(v.vegaLite)}, vega-embed ${escapeHtml(v.vegaEmbed)}, inlined: this file needs no network.</p>
<h2>Claims</h2>
<p class="summary">${counts.map(([k, n]) => `<span class="${k}">${n} ${k}</span>`).join('')}</p>
${claimsTable(input.claims)}
${input.tables.length ? `<h2>Tables</h2>\n${input.tables.map(dataTable).join('\n')}` : ''}
${input.figures.length ? `<h2>Figures</h2>\n${figures.join('\n')}` : ''}
<script type="application/json" id="scmv-specs">${scriptJson(input.figures.map((f) => interactiveSpec(f.spec)))}</script>
<script>${inlineScript(runtimes.vega)}</script>
<script>${inlineScript(runtimes.vegaLite)}</script>
<script>${inlineScript(runtimes.vegaEmbed)}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}
