// src/io/plot.ts: vega-lite → vega → SVG from data, with the data written beside the figure.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { histogramChartSpec, lineChartSpec, PANEL_MARK_COLOR, renderSvg, writeLineChart } from '../src/io/plot.js';

describe('plot', () => {
  const data = [1, 10, 100, 1000].flatMap((N) => [
    { N, err: 1 / Math.sqrt(N), algorithm: 'sgd' },
    { N, err: N === 1 ? 0 : 1e-9, algorithm: 'gd' },
  ]);

  it('drops non-positive values on log axes', () => {
    const spec = lineChartSpec(data, { x: 'N', y: 'err', xScale: 'log', yScale: 'log', color: 'algorithm' }) as { data: { values: unknown[] } };
    expect(spec.data.values).toHaveLength(7);
  });

  it('renders an SVG with lines and a legend entry per series and writes the CSV beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scmv-plot-'));
    const svgPath = join(dir, 'fig.svg');
    await writeLineChart(svgPath, data, { x: 'N', y: 'err', xScale: 'log', yScale: 'log', color: 'algorithm', title: 'deviation vs N', points: true });
    const svg = readFileSync(svgPath, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('deviation vs N');
    expect(svg).toContain('algorithm');
    expect(svg).toContain('mark-line');
    expect(svg).toContain('>sgd</text>');
    expect(svg).toContain('>gd</text>');
    expect(existsSync(join(dir, 'fig.csv'))).toBe(true);
    expect(readFileSync(join(dir, 'fig.csv'), 'utf8').split('\n')[0]).toBe('N,err,algorithm');
    const svg2 = await renderSvg(lineChartSpec(data.slice(0, 2), { x: 'N', y: 'err' }));
    expect(svg2).not.toBe(svg);
  });

  it('keeps long legend labels whole and tells series apart by colour and by dash and shape', async () => {
    const long = 'SGD η=0.2 vs SGD ODE, a longer label'; // past the default labelLimit of 160 px
    const rows = [100, 1000].flatMap((N) => ['loss', 'Q'].map((metric) => ({ N, run: long, metric, dev: metric === 'Q' ? 2 / N : 1 / N })));
    const spec = lineChartSpec(rows, { x: 'N', y: 'dev', xScale: 'log', yScale: 'log', color: 'run', dash: 'metric', points: true });
    const enc = (spec as { encoding: Record<string, { field: string; legend?: { labelLimit: number } }> }).encoding;
    expect([enc.color.field, enc.strokeDash.field, enc.shape.field]).toEqual(['run', 'metric', 'metric']);
    expect(enc.color.legend!.labelLimit).toBeGreaterThanOrEqual(400);
    const svg = await renderSvg(spec);
    expect(svg).toContain(`>${long}</text>`);
    expect(svg).not.toContain('…');
  });

  it('gives histogram counts integer ticks and an empty panel a clean 0–1 axis', async () => {
    const data = [10, 100].flatMap((N) => Array.from({ length: 5 }, (_, i) => ({ N, lo: i / 10, hi: (i + 1) / 10, count: N === 10 ? 0 : (i * 7) % 3 })));
    const svg = await renderSvg(histogramChartSpec(data, { x: 'lo', x2: 'hi', y: 'count', facet: 'N', rules: [0.25] }));
    // the labels of each y (count) axis, one list per panel
    const countLabels = svg.split(`aria-label="Y-axis`).slice(1)
      .map((part) => [...part.split('role-axis-label')[1].split('</g>')[0].matchAll(/>([^<>]*)<\/text>/g)].map((t) => t[1]));
    expect(svg).not.toContain('0.000000');
    expect(countLabels).toEqual([['0', '1'], ['0', '1', '2']]);
  });

  it('draws per-panel marks: a shaded band and a solid rule in their own panel, apart from the dashed rules', async () => {
    const data = [10, 100].flatMap((N) => Array.from({ length: 5 }, (_, i) => ({ N, lo: i / 10, hi: (i + 1) / 10, count: i + 1 })));
    const chart = { x: 'lo', x2: 'hi', y: 'count', facet: 'N', rules: [0.25] };
    const panelMarks = [{ facetValue: 10, x: 0.3, lo: 0.27, hi: 0.33 }, { facetValue: 100, x: 0.2, lo: 0.15, hi: 0.25 }, { facetValue: 7, x: 0.1, lo: 0, hi: 0.2 }];
    const spec = histogramChartSpec(data, { ...chart, panelMarks }) as unknown as {
      data: { values: Record<string, unknown>[] };
      spec: { layer: { mark: { type: string; color?: string; strokeDash?: number[] }; encoding: Record<string, { field: string }> }[] };
    };
    // the marks' rows, one per panel (the mark of a panel without bars is dropped)
    expect(spec.data.values.filter((r) => r.__kind === 'mark').map((r) => [r.N, r.__x, r.__lo, r.__hi])).toEqual([[10, 0.3, 0.27, 0.33], [100, 0.2, 0.15, 0.25]]);
    // band (rect __lo–__hi) behind the bars, the dashed rules, then the solid rule at __x
    const layers = spec.spec.layer.map((l) => [l.mark.type, l.mark.color ?? '', l.encoding.x.field, l.encoding.x2?.field ?? '', l.mark.strokeDash ? 'dashed' : 'solid']);
    expect(layers).toEqual([
      ['rect', PANEL_MARK_COLOR, '__lo', '__hi', 'solid'], ['rect', '', 'lo', 'hi', 'solid'], ['rule', 'black', '__rule', '', 'dashed'], ['rule', PANEL_MARK_COLOR, '__x', '', 'solid'],
    ]);
    const svg = await renderSvg(spec as never);
    // one band and one solid rule per panel, spanning the panel's height (90 px), at the marks' x (480 px = [0, 0.5])
    expect([...svg.matchAll(new RegExp(`<path d="M([0-9.]+),0h([0-9.]+)v90h[^"]*" fill="${PANEL_MARK_COLOR}"`, 'g'))].map((m) => [Number(m[1]), Number(m[1]) + Number(m[2])]))
      .toEqual([[0.27 * 960, 0.33 * 960], [0.15 * 960, 0.25 * 960]].map(([a, b]) => [expect.closeTo(a, 6), expect.closeTo(b, 6)]));
    expect([...svg.matchAll(new RegExp(`<line transform="translate\\(([0-9.]+),0\\)" x2="0" y2="90" stroke="${PANEL_MARK_COLOR}"`, 'g'))].map((m) => Number(m[1])))
      .toEqual([expect.closeTo(288, 6), expect.closeTo(192, 6)]);
    expect(svg.match(/stroke-dasharray/g)?.length).toBe(2);
    // without marks the spec is as before: bars and dashed rules only
    const plain = histogramChartSpec(data, chart) as unknown as typeof spec;
    expect(plain.spec.layer.map((l) => l.mark.type)).toEqual(['rect', 'rule']);
    expect(plain.data.values.some((r) => r.__kind === 'mark')).toBe(false);
  });
});
