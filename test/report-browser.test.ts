// The HTML report in a real browser: Debian's Chromium (/usr/bin/chromium, installed by
// .ci/run) driven by playwright-core, offline from a file:// URL. Every chart must render
// with marks, nothing may be fetched from the network, and the console must stay clean.
// A screenshot is left in test-artifacts/report.png.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { renderHtmlReport, type ReportClaim } from '../src/io/html-report.js';
import { histogramChartSpec, lineChartSpec, renderSvg, type Row } from '../src/io/plot.js';
import { validateChart, validateClaims, validateTables } from '../src/studies/validate/html.js';
import type { FitRow, SummaryRow } from '../src/studies/validate/validate.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A small validate-like sweep: GD at round-off, SGD deviations ∝ √(η/N). */
function syntheticSweep(): { summary: SummaryRow[]; fits: FitRow[] } {
  const row = (algorithm: 'gd' | 'sgd', N: number, lr: number, dev: number): SummaryRow => ({
    algorithm, N, lr, dtau: algorithm === 'gd' ? 0.01 : NaN, runs: 2, diverged: 0, meanMaxLossErr: dev, maxMaxLossErr: 1.2 * dev,
    meanMaxQErr: 2 * dev, maxMaxQErr: 2.4 * dev, meanMaxRErr: 1.5 * dev, maxMaxRErr: 1.8 * dev, meanSeconds: 0.1,
  });
  const summary = [
    ...[100, 1000, 3000].map((N) => row('gd', N, NaN, 1.5e-11)),
    ...[100, 1000, 3000].map((N) => row('sgd', N, 0.4, 0.5 * Math.sqrt(0.4 / N))),
    ...[0.1, 0.2].map((lr) => row('sgd', 100, lr, 0.5 * Math.sqrt(lr / 100))),
  ];
  const fit = (algorithm: 'gd' | 'sgd', variable: 'N' | 'lr', fixed: string, s: number, xMin: number, xMax: number): FitRow[] =>
    (['loss', 'Q', 'R'] as const).map((metric) => ({ algorithm, variable, fixed, metric, slope: s, points: 3, xMin, xMax }));
  const fits = [...fit('sgd', 'N', 'lr=0.4', -0.5, 100, 3000), ...fit('gd', 'N', 'rk4', 0.01, 100, 3000), ...fit('sgd', 'lr', 'N=100', 0.5, 0.1, 0.4)];
  return { summary, fits };
}

async function buildReport(): Promise<{ html: string; claims: ReportClaim[]; charts: number }> {
  const { summary, fits } = syntheticSweep();
  const ctx = { K: 2, M: 2, seed0: 1, Nmax: 3000, sgdOde: 'sgd-ode' };
  const taus = Array.from({ length: 20 }, (_, i) => i * 0.25);
  const lossRows: Row[] = taus.flatMap((tau) => [
    { run: 'SGD (η=0.4)', source: 'network', tau, loss: 0.5 * Math.exp(-tau) + 0.01 + 0.003 * Math.sin(7 * tau) },
    { run: 'SGD (η=0.4)', source: 'SGD ODE', tau, loss: 0.5 * Math.exp(-tau) + 0.01 },
    { run: 'GD (Δτ=0.01)', source: 'network', tau, loss: 0.6 * Math.exp(-0.8 * tau) + 0.002 },
    { run: 'GD (Δτ=0.01)', source: 'gradient flow', tau, loss: 0.6 * Math.exp(-0.8 * tau) + 0.002 },
  ]);
  const devN: Row[] = summary.filter((r) => r.algorithm === 'gd' || r.lr === 0.4).flatMap((r) => (['loss', 'Q'] as const).map((metric) => ({
    run: `${r.algorithm.toUpperCase()} ${r.algorithm === 'gd' ? 'Δτ=0.01 vs gradient flow' : 'η=0.4 vs SGD ODE'}`, metric, N: r.N,
    deviation: metric === 'loss' ? r.meanMaxLossErr : r.meanMaxQErr,
  })));
  // a faceted histogram whose N = 10 panel is empty
  const hist: Row[] = [10, 100].flatMap((N) => Array.from({ length: 8 }, (_, i) => ({ N, lo: i * 0.01, hi: (i + 1) * 0.01, count: N === 10 ? 0 : (i * 5) % 4 })));
  const specs = [
    { caption: 'Loss vs τ (synthetic)', spec: lineChartSpec(lossRows, validateChart('loss-vs-tau', ctx)) },
    { caption: 'Deviation vs N (synthetic)', spec: lineChartSpec(devN, validateChart('deviation-vs-N', ctx)) },
    { caption: 'Histogram with an empty panel (synthetic)', spec: histogramChartSpec(hist, { x: 'lo', x2: 'hi', y: 'count', facet: 'N', rules: [0.035], xDomain: [0, 0.08], height: 60 }) },
  ];
  const figures = await Promise.all(specs.map(async (f) => ({ ...f, svg: await renderSvg(f.spec) })));
  const claims: ReportClaim[] = [
    ...validateClaims(summary, fits, 'sgd-ode'),
    { claim: 'escaping: <script>window.__pwned = 1</script> & "quotes"', measured: '<b>1</b>', threshold: "'none'", verdict: 'FAIL', detail: '</td></tr></table><img src=x>' },
  ];
  const html = renderHtmlReport({
    title: 'Browser test <report> & co',
    generated: { timestamp: '2026-01-01T00:00:00Z', version: '0.0.0-test', commit: 'abc123' },
    claims, tables: validateTables(summary, fits, { K: 2, M: 2, Ns: [100, 1000, 3000] }), figures,
  });
  return { html, claims, charts: figures.length };
}

describe('HTML report in headless Chromium', () => {
  it('renders every chart offline with a clean console, verdicts and tables', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium; .ci/run does this) to run the browser test of the HTML report`);
    }
    const { html, claims, charts } = await buildReport();
    const dir = mkdtempSync(join(tmpdir(), 'scmv-report-browser-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const userDataDir = mkdtempSync(join(tmpdir(), 'scmv-chromium-profile-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1200, height: 900 }, offline: true,
    });
    try {
      const problems: string[] = [];
      const external: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (/^(file|data|blob|about):/.test(url)) return route.continue();
        external.push(url);
        return route.abort();
      });
      const page = context.pages()[0] ?? (await context.newPage());
      page.on('console', (m) => { if (m.type() === 'error') problems.push(`console.error: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); void d.dismiss(); });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      await page.waitForSelector('html[data-scmv-charts="done"]', { timeout: 45_000 });

      const figs = await page.$$eval('[data-scmv-chart]', (els) => els.map((el) => {
        const fig = el.closest('figure')!;
        const g = el.querySelector('svg, canvas');
        const box = g?.getBoundingClientRect();
        const fallback = fig.querySelector('.fallback') as HTMLElement;
        return {
          state: fig.getAttribute('data-state'), kind: g?.tagName.toLowerCase(), width: box?.width ?? 0, height: box?.height ?? 0,
          marks: el.querySelectorAll('.role-mark > path, .role-mark > line, .role-mark > rect, .role-mark path').length,
          legend: [...el.querySelectorAll('.role-legend-label text, .role-legend-label')].map((t) => t.textContent ?? ''),
          fallbackShown: getComputedStyle(fallback).display !== 'none',
        };
      }));
      expect(figs).toHaveLength(charts);
      for (const [i, f] of figs.entries()) {
        expect(f.state, `figure ${i}`).toBe('rendered');
        expect(f.kind, `figure ${i}`).toMatch(/^(svg|canvas)$/);
        expect(f.width, `figure ${i}`).toBeGreaterThan(100);
        expect(f.height, `figure ${i}`).toBeGreaterThan(50);
        expect(f.marks, `figure ${i}: data marks`).toBeGreaterThan(0);
        expect(f.fallbackShown, `figure ${i}: static SVG hidden once the chart rendered`).toBe(false);
      }
      // deviation vs N: colour = run, dash = metric, and whole legend labels
      expect(figs[1].legend).toEqual(expect.arrayContaining(['GD Δτ=0.01 vs gradient flow', 'SGD η=0.4 vs SGD ODE', 'loss', 'Q']));

      const verdicts = await page.$$eval('td.verdict', (tds) => tds.map((td) => ({ text: td.textContent, bg: getComputedStyle(td).backgroundColor })));
      expect(verdicts.map((v) => v.text)).toEqual(claims.map((c) => c.verdict));
      expect(verdicts.map((v) => v.text)).toEqual(expect.arrayContaining(['PASS', 'FAIL', 'INFO']));
      const colour = (v: string) => verdicts.find((x) => x.text === v)!.bg;
      expect(new Set(['PASS', 'FAIL', 'INFO'].map(colour)).size).toBe(3);
      for (const v of verdicts) expect(v.bg).not.toBe('rgba(0, 0, 0, 0)');

      // text is escaped: the hostile claim shows literally and injects nothing
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('td', { hasText: '<script>window.__pwned = 1</script> & "quotes"' }).count()).toBe(1);
      expect(await page.locator('td img').count()).toBe(0);
      expect(await page.title()).toBe('Browser test <report> & co');
      expect(await page.locator('table caption').count()).toBe(3);

      expect(external, 'requests outside file://').toEqual([]);
      expect(problems).toEqual([]);

      mkdirSync(ARTIFACTS, { recursive: true });
      const png = join(ARTIFACTS, 'report.png');
      await page.screenshot({ path: png, fullPage: true });
      expect(statSync(png).size).toBeGreaterThan(10_000);

      // when the interactive chart cannot render, the static SVG is shown instead
      const broken = await context.newPage();
      const errors: string[] = [];
      broken.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await broken.addInitScript(() => Object.defineProperty(window, 'vegaEmbed', { get: () => undefined, set: () => {} }));
      await broken.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      await broken.waitForSelector('html[data-scmv-charts="done"]', { timeout: 45_000 });
      const fallbacks = await broken.$$eval('figure', (fs) => fs.map((f) => {
        const svg = f.querySelector('.fallback svg');
        return { state: f.getAttribute('data-state'), shown: svg ? getComputedStyle(f.querySelector('.fallback')!).display !== 'none' : false, width: svg?.getBoundingClientRect().width ?? 0, status: f.querySelector('.status')?.textContent ?? '' };
      }));
      expect(fallbacks).toHaveLength(charts);
      for (const f of fallbacks) {
        expect(f).toMatchObject({ state: 'failed', shown: true });
        expect(f.width).toBeGreaterThan(100);
        expect(f.status).toContain('showing the static SVG');
      }
      expect(errors).toHaveLength(charts);
      await broken.screenshot({ path: join(ARTIFACTS, 'report-fallback.png'), fullPage: true });
    } finally {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
