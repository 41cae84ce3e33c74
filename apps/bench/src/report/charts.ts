import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { meanCi } from './stats.js';
import type { RunRecord } from './studyResults.js';

/** The files a chart was written to. */
export interface ChartFiles {
  svg: string;
  png: string;
  /** The SVG text (the HTML report inlines it). */
  svgText: string;
}

/** The report's one font, bundled (the `dejavu-fonts-ttf` package), so charts render alike on every machine. */
export const REPORT_FONT = { family: 'DejaVu Sans', file: createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf') } as const;

/** Copies the report font beside a report (its HTML loads it by this name); returns the copy's path. */
export function copyReportFont(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const target = join(dir, 'DejaVuSans.ttf');
  copyFileSync(REPORT_FONT.file, target);
  return target;
}

/**
 * Renders a Vega-Lite spec headless (no browser: vega's `toSVG`) to `<base>.svg`, and rasterises that SVG
 * to `<base>.png` at 2× with resvg. Every text is set in {@link REPORT_FONT}, also for the rasteriser, which
 * loads no system fonts.
 */
export async function renderChart(spec: TopLevelSpec, base: string): Promise<ChartFiles> {
  const withFont = { ...spec, config: { ...spec.config, font: REPORT_FONT.family } } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(withFont).spec), { renderer: 'none' });
  const svgText = await view.toSVG();
  view.finalize();
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(`${base}.svg`, svgText);
  const font = { fontFiles: [REPORT_FONT.file], loadSystemFonts: false, defaultFontFamily: REPORT_FONT.family };
  const png = new Resvg(svgText, { fitTo: { mode: 'zoom', value: 2 }, background: 'white', font }).render().asPng();
  writeFileSync(`${base}.png`, png);
  return { svg: `${base}.svg`, png: `${base}.png`, svgText };
}

/**
 * A chart's title: a short first line, and what the marks mean or where the data comes from on smaller lines
 * under it, so the title never sets the picture's width (a one-line title wider than the plot pads it on both sides).
 */
export interface ChartTitle {
  text: string;
  subtitle?: readonly string[];
}

function titleSpec(title: ChartTitle): { text: string; subtitle?: string[]; anchor: 'start' } {
  return { text: title.text, ...(title.subtitle?.length ? { subtitle: [...title.subtitle] } : {}), anchor: 'start' };
}

/** The returns an env family can give, for clipping CI bands (a band below the lowest return is not data). */
export type ReturnRange = readonly [number, number];

/**
 * Per label and update: mean over seeds and the 95% CI band of the recent-return curve, the band clipped to
 * `range` (a t-interval over 3 seeds can reach far below the lowest possible return).
 */
export function curveBands(
  runs: readonly RunRecord[],
  range: ReturnRange = [-Infinity, Infinity],
): { label: string; step: number; mean: number; lo: number; hi: number; n: number }[] {
  const byLabel = new Map<string, RunRecord[]>();
  for (const r of runs) if (r.curve.length > 0) byLabel.set(r.plan.label, [...(byLabel.get(r.plan.label) ?? []), r]);
  const rows = [];
  for (const [label, group] of byLabel) {
    // Seeds of one cell share the config, so update i is at the same agent step in every seed.
    const length = Math.max(...group.map((r) => r.curve.length));
    for (let i = 0; i < length; i++) {
      const points = group.map((r) => r.curve[i]).filter((p) => p !== undefined);
      const stats = meanCi(points.map((p) => p.value));
      const half = Number.isFinite(stats.ci95) ? stats.ci95 : 0;
      rows.push({ label, step: points[0]!.step, mean: stats.mean, lo: Math.max(range[0], stats.mean - half), hi: Math.min(range[1], stats.mean + half), n: stats.n });
    }
  }
  return rows;
}

/**
 * Learning curves of one training env: per model, each seed's curve (thin), the mean over seeds (thick) with
 * its 95% CI band, and the published final return as a dashed line. The legend takes the lines' colours
 * (not the pale band's).
 */
export function learningCurveSpec(
  title: ChartTitle,
  runs: readonly RunRecord[],
  unit: string,
  options: { published?: Record<string, number>; range?: ReturnRange } = {},
): TopLevelSpec {
  // No "nice" end: the axis stops at the budget rather than rounding 1M frames up to 1.1M.
  const x = { field: 'step', type: 'quantitative' as const, title: unit, scale: { nice: false } };
  // One colour scale; its legend comes from the mean lines only (full opacity), never from the pale bands.
  // Vega's default palette has 10 colours and repeats after that (an ablation has 13 rows): 20 distinct ones
  // beyond 10 models. Labels are shown whole, however long (an ablation row names what it undoes).
  const models = new Set(runs.map((r) => r.plan.label)).size;
  const color = {
    field: 'label',
    type: 'nominal' as const,
    title: 'model',
    ...(models > 10 ? { scale: { scheme: 'tableau20' } } : {}),
    legend: { symbolType: 'stroke', symbolStrokeWidth: 3, labelLimit: 0 },
  };
  const quiet = { ...color, legend: null };
  const seeds = runs.flatMap((r) => r.curve.map((p) => ({ label: r.plan.label, seed: r.plan.seed, step: p.step, value: p.value })));
  const published = Object.entries(options.published ?? {}).map(([label, value]) => ({ label, value }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleSpec(title),
    width: 520,
    height: 300,
    resolve: { legend: { color: 'independent' } },
    layer: [
      {
        data: { values: curveBands(runs, options.range) },
        mark: { type: 'area', opacity: 0.2 },
        encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'episode return (recent mean)' }, y2: { field: 'hi' }, color: quiet },
      },
      {
        data: { values: seeds },
        mark: { type: 'line', opacity: 0.35, strokeWidth: 1 },
        encoding: { x, y: { field: 'value', type: 'quantitative' }, detail: { field: 'seed', type: 'nominal' }, color: quiet },
      },
      { data: { values: curveBands(runs, options.range) }, mark: { type: 'line', strokeWidth: 2.5 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
      ...(published.length > 0
        ? [{ data: { values: published }, mark: { type: 'rule' as const, strokeDash: [6, 4] }, encoding: { y: { field: 'value', type: 'quantitative' as const }, color: quiet } }]
        : []),
    ],
  };
}

/**
 * A heatmap of one diagnostics series of env 0. A per-step vector (RIM `activeMask` [U], IAM `alpha` [N])
 * is drawn over time (step × index), with the steps where an episode started marked; a per-step matrix (RIM
 * `inputAttention` [U, N]) is averaged over the recorded steps (row × column). Every series is a probability or
 * a 0/1 mask, so the colour scale is fixed to [0, 1]: rounding noise around 0.5 stays one colour.
 */
export function diagnosticsHeatmapSpec(
  title: ChartTitle,
  shape: readonly number[],
  values: readonly (readonly number[])[],
  episodeStarts: readonly number[] = [],
): TopLevelSpec {
  const cells: { x: number; y: number; value: number }[] = [];
  let xTitle: string;
  let yTitle: string;
  if (shape.length <= 1) {
    values.forEach((row, t) => row.forEach((v, i) => cells.push({ x: t, y: i, value: v })));
    xTitle = 'step';
    yTitle = 'index (unit / region)';
  } else {
    const rows = shape[0]!;
    const cols = shape.slice(1).reduce((a, b) => a * b, 1);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const mean = values.reduce((a, row) => a + (row[r * cols + c] ?? 0), 0) / Math.max(1, values.length);
        cells.push({ x: c, y: r, value: mean });
      }
    xTitle = 'input element (last: null)';
    yTitle = 'unit';
  }
  const x = { field: 'x', type: 'ordinal' as const, title: xTitle, axis: { labelOverlap: true } };
  const heatmap = {
    data: { values: cells },
    mark: 'rect' as const,
    encoding: {
      x,
      y: { field: 'y', type: 'ordinal' as const, title: yTitle },
      color: { field: 'value', type: 'quantitative' as const, title: 'value', scale: { scheme: 'viridis', domain: [0, 1] } },
    },
  };
  const starts = shape.length <= 1 ? episodeStarts.map((t) => ({ x: t })) : [];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleSpec(starts.length > 0 ? { ...title, subtitle: [...(title.subtitle ?? []), 'red lines: an episode starts (memory reset)'] } : title),
    width: 520,
    height: 180,
    layer: [heatmap, ...(starts.length > 0 ? [{ data: { values: starts }, mark: { type: 'rule' as const, color: 'red', strokeWidth: 1.5 }, encoding: { x } }] : [])],
  };
}
