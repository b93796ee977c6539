// src/io/plot.ts: vega-lite → vega → SVG from data, with the data written beside the figure.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineChartSpec, renderSvg, writeLineChart } from '../src/io/plot.js';

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
});
