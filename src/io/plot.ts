// Figures as SVG, built from data: a vega-lite spec is compiled to vega and rendered headless
// (`new vega.View(vega.parse(spec), { renderer: 'none' }).toSVG()`). Every figure is written
// with its data as a CSV beside it (fig.svg → fig.csv), so the numbers behind a plot are
// always at hand.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { writeCsv, type Cell } from './csv.js';

export type Row = Record<string, Cell>;
export type ScaleType = 'linear' | 'log';

/** A line chart: one line per value of `color` (and optionally a dash per value of `dash`). */
export interface LineChart {
  title?: string;
  x: string;
  y: string;
  xTitle?: string;
  yTitle?: string;
  xScale?: ScaleType;
  yScale?: ScaleType;
  /** Field whose values get one colour (and one line) each. */
  color?: string;
  /** Field whose values get one dash pattern each. */
  dash?: string;
  /** Draw points on the line (for sparse data such as sweeps). */
  points?: boolean;
  width?: number;
  height?: number;
}

/** The vega-lite spec of a line chart over `data` (rows with non-positive values are dropped on log axes). */
export function lineChartSpec(data: readonly Row[], c: LineChart): TopLevelSpec {
  const ok = (r: Row) =>
    typeof r[c.x] === 'number' && Number.isFinite(r[c.x] as number) && typeof r[c.y] === 'number' && Number.isFinite(r[c.y] as number)
    && (c.xScale !== 'log' || (r[c.x] as number) > 0) && (c.yScale !== 'log' || (r[c.y] as number) > 0);
  const values = data.filter(ok).map((r) => ({ ...r }));
  const encoding: Record<string, unknown> = {
    x: { field: c.x, type: 'quantitative', title: c.xTitle ?? c.x, scale: { type: c.xScale ?? 'linear', ...(c.xScale === 'log' ? {} : { zero: false }) } },
    y: { field: c.y, type: 'quantitative', title: c.yTitle ?? c.y, scale: { type: c.yScale ?? 'linear', ...(c.yScale === 'log' ? {} : { zero: false }) } },
  };
  if (c.color) encoding.color = { field: c.color, type: 'nominal', title: c.color };
  if (c.dash) encoding.strokeDash = { field: c.dash, type: 'nominal', title: c.dash };
  const detail = [c.color, c.dash].filter((f): f is string => Boolean(f));
  if (detail.length) encoding.detail = detail.map((field) => ({ field, type: 'nominal' }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(c.title ? { title: c.title } : {}),
    width: c.width ?? 480,
    height: c.height ?? 300,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: Boolean(c.points), clip: true },
    encoding,
  } as TopLevelSpec;
}

/** Renders a vega-lite spec to an SVG string (headless, no canvas needed). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes `svgPath` (atomically) and the chart's data as CSV beside it (same name, .csv). */
export async function writeLineChart(svgPath: string, data: readonly Row[], chart: LineChart, columns?: readonly string[]): Promise<void> {
  const svg = await renderSvg(lineChartSpec(data, chart));
  mkdirSync(dirname(svgPath), { recursive: true });
  const tmp = `${svgPath}.partial`;
  writeFileSync(tmp, svg);
  renameSync(tmp, svgPath);
  const header = columns ?? (data.length ? Object.keys(data[0]) : [chart.x, chart.y]);
  writeCsv(svgPath.replace(/\.svg$/, '') + '.csv', header, data.map((r) => header.map((h) => r[h])));
}
