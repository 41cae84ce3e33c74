import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
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

/**
 * Renders a Vega-Lite spec headless (no browser: vega's `toSVG`) to `<base>.svg`, and rasterises that SVG
 * to `<base>.png` at 2× with resvg.
 */
export async function renderChart(spec: TopLevelSpec, base: string): Promise<ChartFiles> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svgText = await view.toSVG();
  view.finalize();
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(`${base}.svg`, svgText);
  const png = new Resvg(svgText, { fitTo: { mode: 'zoom', value: 2 }, background: 'white', font: { loadSystemFonts: true } }).render().asPng();
  writeFileSync(`${base}.png`, png);
  return { svg: `${base}.svg`, png: `${base}.png`, svgText };
}

/** Per label and update: mean over seeds and the 95% CI band of the recent-return curve. */
export function curveBands(runs: readonly RunRecord[]): { label: string; step: number; mean: number; lo: number; hi: number; n: number }[] {
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
      rows.push({ label, step: points[0]!.step, mean: stats.mean, lo: stats.mean - half, hi: stats.mean + half, n: stats.n });
    }
  }
  return rows;
}

/** Learning curves of one training env: mean recent return over seeds with a 95% CI band per memory. */
export function learningCurveSpec(title: string, runs: readonly RunRecord[], unit: string): TopLevelSpec {
  const x = { field: 'step', type: 'quantitative' as const, title: unit };
  const color = { field: 'label', type: 'nominal' as const, title: 'model' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 520,
    height: 300,
    data: { values: curveBands(runs) },
    layer: [
      { mark: { type: 'area', opacity: 0.2 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'episode return (recent mean)' }, y2: { field: 'hi' }, color } },
      { mark: { type: 'line' }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
    ],
  };
}

/**
 * A heatmap of one diagnostics series of env 0. A per-step vector (RIM `activeMask` [U], IAM `alpha` [N])
 * is drawn over time (step × index); a per-step matrix (RIM `inputAttention` [U, N]) is averaged over the
 * recorded steps (row × column).
 */
export function diagnosticsHeatmapSpec(title: string, shape: readonly number[], values: readonly (readonly number[])[]): TopLevelSpec {
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
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 520,
    height: 180,
    data: { values: cells },
    mark: 'rect',
    encoding: {
      x: { field: 'x', type: 'ordinal', title: xTitle, axis: { labelOverlap: true } },
      y: { field: 'y', type: 'ordinal', title: yTitle },
      color: { field: 'value', type: 'quantitative', scale: { scheme: 'viridis' } },
    },
  };
}
