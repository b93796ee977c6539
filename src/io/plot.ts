// Figures as SVG, built from data: a vega-lite spec is compiled to vega and rendered headless
// (`new vega.View(vega.parse(spec), { renderer: 'none' }).toSVG()`). Every figure is written
// with its data as a CSV beside it (fig.svg → fig.csv), so the numbers behind a plot are
// always at hand.
import { writeFileAtomic } from './files.js';
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
  /** Field whose values get one dash pattern each (and one point shape each when `points` is set). */
  dash?: string;
  /** Draw points on the line (for sparse data such as sweeps). */
  points?: boolean;
  /** Longest legend label in pixels before it is truncated (default 400: labels stay whole). */
  legendLabelLimit?: number;
  /** Fields of the lower and upper ends of an error bar at each point (e.g. quartiles over seeds). */
  yLow?: string;
  yHigh?: string;
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
  const legend = { labelLimit: c.legendLabelLimit ?? 400 };
  if (c.color) encoding.color = { field: c.color, type: 'nominal', title: c.color, legend };
  if (c.dash && c.points) {
    // one legend for dash and shape: outlined symbols, so that it shows both
    const both = { ...legend, symbolFillColor: 'white', symbolStrokeColor: 'black', symbolStrokeWidth: 1.5, symbolSize: 120 };
    encoding.strokeDash = { field: c.dash, type: 'nominal', title: c.dash, legend: both };
    encoding.shape = { field: c.dash, type: 'nominal', title: c.dash, legend: both };
  } else if (c.dash) encoding.strokeDash = { field: c.dash, type: 'nominal', title: c.dash, legend };
  const detail = [c.color, c.dash].filter((f): f is string => Boolean(f));
  if (detail.length) encoding.detail = detail.map((field) => ({ field, type: 'nominal' }));
  const common = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(c.title ? { title: c.title } : {}),
    width: c.width ?? 480,
    height: c.height ?? 300,
    background: 'white',
    data: { values },
  };
  const line = { mark: { type: 'line', point: Boolean(c.points), clip: true }, encoding };
  if (!c.yLow || !c.yHigh) return { ...common, ...line } as TopLevelSpec;
  // error bars from yLow to yHigh at each point, in the line's colour
  const bars = {
    transform: [{ filter: `isValid(datum['${c.yLow}']) && isValid(datum['${c.yHigh}']) && datum['${c.yLow}'] > 0` }],
    mark: { type: 'rule', clip: true },
    encoding: {
      x: encoding.x,
      y: { field: c.yLow, type: 'quantitative', scale: (encoding.y as { scale: unknown }).scale },
      y2: { field: c.yHigh },
      ...(encoding.color ? { color: encoding.color } : {}),
    },
  };
  return { ...common, layer: [line, bars] } as TopLevelSpec;
}

/** A figure as written: its vega-lite spec and the SVG rendered from it. */
export interface RenderedChart {
  spec: TopLevelSpec;
  svg: string;
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
export async function writeLineChart(svgPath: string, data: readonly Row[], chart: LineChart, columns?: readonly string[]): Promise<RenderedChart> {
  const spec = lineChartSpec(data, chart);
  const svg = await renderSvg(spec);
  writeFileAtomic(svgPath, svg);
  const header = columns ?? (data.length ? Object.keys(data[0]) : [chart.x, chart.y]);
  writeCsv(svgPath.replace(/\.svg$/, '') + '.csv', header, data.map((r) => header.map((h) => r[h])));
  return { spec, svg };
}

/** A mark in one panel of a histogram: a solid rule at `x` over a shaded band from `lo` to `hi`. */
export interface PanelMark {
  /** The panel's facet value (ignored without a facet: every mark is in the one panel). */
  facetValue: Cell;
  x: number;
  lo: number;
  hi: number;
}

/**
 * A histogram from pre-binned counts (one bar per row from `x` to `x2`, height `y`), with
 * dashed vertical rules at reference values (e.g. loss levels), optionally faceted in rows, and
 * optional per-panel marks (e.g. a predicted mean as a solid rule and ± 1 sd as a shaded band).
 * Bars, rules and marks share one data source: rule rows carry `__rule` (the x position), mark rows
 * `__x`, `__lo`, `__hi`, and neither has a count.
 */
export interface HistogramChart {
  /** The title; an array gives one line per element. */
  title?: string | string[];
  /** Bin start, bin end and count fields of the bar rows. */
  x: string;
  x2: string;
  y: string;
  xTitle?: string;
  yTitle?: string;
  /** One panel per value of this field (rows), e.g. N. */
  facet?: string;
  /** Reference positions drawn as dashed rules in every panel. */
  rules?: readonly number[];
  /** Per-panel marks: a shaded band lo–hi behind the bars and a solid rule at x (colour PANEL_MARK_COLOR). */
  panelMarks?: readonly PanelMark[];
  /** Colour of the bars by this field (e.g. family). */
  color?: string;
  xDomain?: [number, number];
  width?: number;
  /** Height of one panel. */
  height?: number;
}

/** Colour of a histogram's per-panel marks (solid rule and band), apart from the bars' default blue and the black dashed rules. */
export const PANEL_MARK_COLOR = '#d62728';

/** The vega-lite spec of a (faceted) histogram with dashed rules and per-panel marks. */
export function histogramChartSpec(data: readonly Row[], c: HistogramChart): TopLevelSpec {
  const facetValues = c.facet ? [...new Set(data.map((r) => r[c.facet!]))] : [null];
  const bars = data.map((r) => ({ ...r, __kind: 'bar' }));
  const rules = (c.rules ?? []).flatMap((v) => facetValues.map((f) => ({ ...(c.facet ? { [c.facet]: f } : {}), __rule: v, __kind: 'rule' })));
  // a mark of a panel that has no bars would add a panel of its own: dropped
  const marks = (c.panelMarks ?? []).filter((m) => !c.facet || facetValues.includes(m.facetValue))
    .map((m) => ({ ...(c.facet ? { [c.facet]: m.facetValue } : {}), __x: m.x, __lo: m.lo, __hi: m.hi, __kind: 'mark' }));
  const xScale = { zero: false, ...(c.xDomain ? { domain: c.xDomain } : {}) };
  const barLayer = {
    transform: [{ filter: "datum.__kind === 'bar'" }],
    mark: { type: 'rect', clip: true },
    encoding: {
      x: { field: c.x, type: 'quantitative', title: c.xTitle ?? c.x, scale: xScale },
      x2: { field: c.x2 },
      // counts: integer ticks only, and a domain of at least [0, 1] so an empty panel gets a
      // proper axis (0 and 1) instead of a lone "0.000000" tick
      y: { field: c.y, type: 'quantitative', title: c.yTitle ?? c.y, axis: { tickMinStep: 1, format: 'd' }, scale: { domain: { unionWith: [0, 1] } } },
      ...(c.color ? { color: { field: c.color, type: 'nominal', title: c.color } } : {}),
    },
  };
  const ruleLayer = {
    transform: [{ filter: "datum.__kind === 'rule'" }],
    mark: { type: 'rule', strokeDash: [4, 3], color: 'black', opacity: 0.6, clip: true },
    encoding: { x: { field: '__rule', type: 'quantitative', scale: xScale } },
  };
  // per-panel marks: a rect with x and x2 only spans the panel's height
  const bandLayer = {
    transform: [{ filter: "datum.__kind === 'mark'" }],
    mark: { type: 'rect', color: PANEL_MARK_COLOR, opacity: 0.18, clip: true },
    encoding: { x: { field: '__lo', type: 'quantitative', scale: xScale }, x2: { field: '__hi' } },
  };
  const markRuleLayer = {
    transform: [{ filter: "datum.__kind === 'mark'" }],
    mark: { type: 'rule', color: PANEL_MARK_COLOR, strokeWidth: 1.5, clip: true },
    encoding: { x: { field: '__x', type: 'quantitative', scale: xScale } },
  };
  const layer = marks.length ? [bandLayer, barLayer, ruleLayer, markRuleLayer] : [barLayer, ruleLayer];
  const inner = { width: c.width ?? 480, height: c.height ?? 90, layer };
  const common = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(c.title ? { title: c.title } : {}),
    background: 'white',
    data: { values: [...bars, ...rules, ...marks] },
  };
  const spec = c.facet
    ? { ...common, facet: { row: { field: c.facet, type: 'ordinal', title: c.facet } }, resolve: { scale: { y: 'independent' } }, spec: inner }
    : { ...common, ...inner };
  return spec as unknown as TopLevelSpec;
}

/** Writes a histogram SVG (atomically) and its bar data as CSV beside it (same name, .csv). */
export async function writeHistogramChart(svgPath: string, data: readonly Row[], chart: HistogramChart, columns?: readonly string[]): Promise<RenderedChart> {
  const spec = histogramChartSpec(data, chart);
  const svg = await renderSvg(spec);
  writeFileAtomic(svgPath, svg);
  const header = columns ?? (data.length ? Object.keys(data[0]) : [chart.x, chart.x2, chart.y]);
  writeCsv(svgPath.replace(/\.svg$/, '') + '.csv', header, data.map((r) => header.map((h) => r[h])));
  return { spec, svg };
}
