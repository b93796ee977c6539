// src/io/html-report.ts and src/experiments/validate-html.ts without a browser: escaping, the
// inlined runtimes, no network references, the fallback SVG, and the claims' verdicts.
// The page itself is checked in Chromium by test/report-browser.test.ts.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { escapeHtml, formatNumber, loadVegaRuntimes, renderHtmlReport, scriptJson, type VegaRuntimes } from '../src/io/html-report.js';
import { lineChartSpec } from '../src/io/plot.js';
import { GD_MAX_DEVIATION, validateClaims } from '../src/studies/validate/html.js';
import type { FitRow, SummaryRow } from '../src/studies/validate/validate.js';

const fake: VegaRuntimes = { vega: '/*VEGA*/', vegaLite: '/*VL*/ var s = "</script><!--";', vegaEmbed: '/*EMBED*/', versions: { vega: '1', vegaLite: '2', vegaEmbed: '3' } };
const spec = lineChartSpec([{ x: 1, y: 2 }, { x: 2, y: 3 }], { x: 'x', y: 'y', title: 'a </script> title' });
const svg = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)" onclick="alert(1)"><script>alert(2)</script><path d="M0,0"/></g></svg>';

describe('html report', () => {
  it('escapes text, JSON and inlined scripts', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(scriptJson({ s: '</script><!-- \u2028' })).toBe('{"s":"\\u003c/script>\\u003c!-- \\u2028"}');
    const html = renderHtmlReport({
      title: 'T <1>', generated: { timestamp: 'now', version: 'v', commit: 'c' },
      claims: [{ claim: 'c <b>', measured: 1.5e-11, threshold: '≤ 1e-6', verdict: 'PASS', detail: '& "x"' }],
      tables: [{ caption: 'cap <i>', columns: ['a<'], rows: [[1, '<x>', null]] }],
      figures: [{ caption: 'fig <u>', spec, svg }],
    }, fake);
    expect(html).toContain('<title>T &lt;1&gt;</title>');
    expect(html).toContain('<td>c &lt;b&gt;</td><td class="num">1.5e-11</td>');
    expect(html).toContain('class="verdict PASS" data-verdict="PASS">PASS</td>');
    expect(html).toContain('<td>&amp; &quot;x&quot;</td>');
    expect(html).toContain('<caption>cap &lt;i&gt;</caption><thead><tr><th>a&lt;</th>');
    expect(html).toContain('<td>&lt;x&gt;</td>');
    expect(html).toContain('Figure 1. fig &lt;u&gt;');
    expect(html).toContain('var s = "<\\/script><\\!--";');
    // one </script> per <script>: nothing closes a script early
    expect(html.match(/<script[\s>]/g)!.length).toBe(html.match(/<\/script>/g)!.length);
    expect(html).not.toContain('a </script> title');
  });

  it('inlines the fallback SVG without scripts or handlers, with ids unique to the figure', () => {
    const html = renderHtmlReport({ title: 't', generated: { timestamp: '', version: '', commit: '' }, claims: [], tables: [], figures: [{ caption: '', spec, svg }, { caption: '', spec, svg }] }, fake);
    expect(html).not.toContain('<?xml');
    expect(html).toContain('<clipPath id="fb0-clip1">');
    expect(html).toContain('<g clip-path="url(#fb1-clip1)">');
    expect(html).not.toContain('alert(');
    expect(html).toContain('data-scmv-chart="1"');
    expect(html).not.toContain('"$schema"');
  });

  it('inlines the installed vega, vega-lite and vega-embed builds and references nothing on the network', () => {
    const rt = loadVegaRuntimes();
    const version = (p: string) => JSON.parse(readFileSync(`node_modules/${p}/package.json`, 'utf8')).version;
    expect(rt.versions).toEqual({ vega: version('vega'), vegaLite: version('vega-lite'), vegaEmbed: version('vega-embed') });
    expect(rt.vegaLite).toContain('vegaLite');
    expect(rt.vegaEmbed).toContain('vegaEmbed');
    const html = renderHtmlReport({ title: 't', generated: { timestamp: '', version: '', commit: '' }, claims: [], tables: [], figures: [{ caption: '', spec, svg }] });
    expect(html.length).toBeGreaterThan(rt.vega.length + rt.vegaLite.length + rt.vegaEmbed.length);
    expect(html).toContain("default-src 'none'");
    // outside the inlined runtimes, the only URLs are XML namespaces
    let page = html;
    for (const code of [rt.vega, rt.vegaLite, rt.vegaEmbed]) page = page.replace(code, '');
    expect(page.length).toBeLessThan(20_000);
    expect([...new Set(page.match(/https?:\/\/[^\s"'<>)]+/g) ?? [])]).toEqual(['http://www.w3.org/2000/svg']);
    expect(page).not.toMatch(/<(link|img|iframe)\b|<script[^>]+src=|@import|@font-face/i);
  });

  it('formats numbers for people', () => {
    expect([1000, 0.5, 1.5e-11, 0.0123456, -0.52, NaN, Infinity].map(formatNumber)).toEqual(['1000', '0.5', '1.5e-11', '0.01235', '−0.52', 'NaN', '∞']);
  });
});

describe('validate claims', () => {
  const row = (algorithm: 'gd' | 'sgd', N: number, dev: number, diverged = 0): SummaryRow => ({
    algorithm, N, lr: algorithm === 'gd' ? NaN : 0.2, dtau: algorithm === 'gd' ? 0.01 : NaN, runs: 2, diverged,
    meanMaxLossErr: dev, maxMaxLossErr: dev, meanMaxQErr: dev, maxMaxQErr: dev, meanMaxRErr: dev, maxMaxRErr: dev, meanSeconds: 1,
  });
  const fit = (variable: 'N' | 'lr', slope: number, metric: FitRow['metric'] = 'loss'): FitRow => ({ algorithm: 'sgd', variable, fixed: variable === 'N' ? 'lr=0.2' : 'N=100', metric, slope, points: 2, xMin: 100, xMax: 1000 });

  it('passes GD at round-off and SGD deviations shrinking with N and growing with η', () => {
    const claims = validateClaims([row('gd', 100, 1.5e-11), row('gd', 1000, 2e-11), row('sgd', 100, 0.1), row('sgd', 1000, 0.03)], [fit('N', -0.52), fit('N', -0.5, 'Q'), fit('lr', 0.4)], 'sgd-ode');
    expect(claims.map((c) => c.verdict)).toEqual(['PASS', 'PASS', 'PASS', 'PASS', 'INFO', 'PASS']);
    expect(claims[0]).toMatchObject({ measured: '2.00e-11', threshold: `≤ ${GD_MAX_DEVIATION.toExponential(2)}` });
    expect(claims[2].claim).toContain('SGD ODE as N grows');
    expect(claims[2].measured).toBe('−0.520');
    expect(claims[2].detail).toContain('Q −0.500');
  });

  it('fails GD off the ODE, SGD not converging and diverged runs; no fit is INFO', () => {
    const claims = validateClaims([row('gd', 100, 3e-5), row('sgd', 100, 0.1, 1)], [fit('N', 0.1), fit('lr', NaN)], 'gradient-flow');
    expect(claims.map((c) => c.verdict)).toEqual(['FAIL', 'FAIL', 'FAIL', 'INFO', 'INFO', 'FAIL']);
    expect(claims[2].claim).toContain('gradient flow');
    expect(claims[5].measured).toBe('1 of 4');
  });
});
