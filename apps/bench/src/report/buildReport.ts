import { makeDirectory, writeFileAtomic } from '@mempo/ppo';
import { join, relative, sep } from 'node:path';
import { copyReportFont, diagnosticsHeatmapSpec, learningCurveSpec, renderChart, type ChartFiles, type ReturnRange } from './charts.js';
import { renderHtmlReport, type HtmlReportInput } from './htmlReport.js';
import { recordedSettings } from './recordedSettings.js';
import { CI_NOTE, buildTables, tableMarkdown, tablesCsv, type ResultTable } from './tables.js';
import type { StudyResults } from './studyResults.js';
import type { Study } from '../studies/studySchema.js';

/**
 * The episode returns each env family can give; the learning curves' CI bands are clipped to them. MiniGrid:
 * 1 − 0.9·steps/max_steps on success, else 0; Warehouse: +1 per item, never negative; Atari depends on the
 * game (Pong's is negative), so it is not clipped.
 */
const RETURN_RANGES: Partial<Record<Study['family'], ReturnRange>> = { minigrid: [0, 1], warehouse: [0, Infinity] };

/** What {@link buildReport} wrote, paths relative to the study folder. */
export interface ReportFiles {
  markdown: string;
  csv: string;
  html: string;
  /** The bundled font beside the HTML, which it and the inline SVGs use. */
  font: string;
  curves: ChartFiles[];
  heatmaps: ChartFiles[];
  tables: ResultTable[];
  /** What `index.html` was rendered from: an export renders it again with the links of its own folder. */
  page: HtmlReportInput;
}

/** File-name fragment of an env id. */
function fileName(s: string): string {
  return s.replace(/[^A-Za-z0-9.-]+/g, '_');
}

/**
 * Aggregates a study into `<outDir>/report/`: `results.md` and `results.csv` (mean ± 95% CI over seeds beside
 * the published numbers), learning curves per training env and diagnostics heatmaps (SVG + PNG), and
 * `index.html` that inlines the plots and links every file.
 */
export async function buildReport(results: StudyResults): Promise<ReportFiles> {
  const dir = join(results.outDir, 'report');
  makeDirectory(dir);
  const { study } = results;
  const tables = buildTables(results);

  const finished = results.runs.filter((r) => r.outcome).length;
  const md = [
    `# ${study.name}`,
    '',
    study.description,
    '',
    `${finished} of ${results.runs.length} runs finished; evaluation with sampled actions, dropout off. ★ = training env, the others are zero-shot.`,
    '',
    ...recordedSettings(results),
    '',
    `${CI_NOTE}.${study.publishedSource ? ` Published: ${study.publishedSource}.` : ''}`,
    '',
    ...tables.flatMap((t) => [`## Trained on ${t.trainEnv}`, '', tableMarkdown(t), '']),
  ].join('\n');
  const markdown = join(dir, 'results.md');
  writeFileAtomic(markdown, md);
  const csv = join(dir, 'results.csv');
  writeFileAtomic(csv, tablesCsv(tables));

  const curves: ChartFiles[] = [];
  for (const experiment of study.experiments) {
    const runs = results.runs.filter((r) => r.plan.train.id === experiment.train);
    if (runs.every((r) => r.curve.length === 0)) continue;
    const title = { text: `${experiment.train}: recent mean return`, subtitle: ['mean ± 95% CI over seeds; thin: each seed; dashed: published'] };
    const published = Object.fromEntries(
      Object.entries(study.published).flatMap(([label, byEnv]) => (byEnv[experiment.train] !== undefined ? [[label, byEnv[experiment.train]!]] : [])),
    );
    const options = { published, ...(RETURN_RANGES[study.family] ? { range: RETURN_RANGES[study.family]! } : {}) };
    curves.push(await renderChart(learningCurveSpec(title, runs, study.unit, options), join(dir, `curve-${fileName(experiment.train)}`)));
  }

  // One heatmap per (training env, label, series): the first seed that recorded diagnostics.
  const heatmaps: ChartFiles[] = [];
  const seen = new Set<string>();
  for (const run of results.runs) {
    const d = run.diagnostics;
    if (!d) continue;
    for (const [name, series] of Object.entries(d.series)) {
      const key = `${run.plan.train.id}|${run.plan.label}|${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const title = { text: `${run.plan.label}: ${name}`, subtitle: [`${d.env}, seed ${run.plan.seed}, env 0, ${d.steps} steps`] };
      const base = join(dir, `diag-${fileName(run.plan.train.id)}-${fileName(run.plan.label)}-${name}`);
      heatmaps.push(await renderChart(diagnosticsHeatmapSpec(title, series.shape, series.values, d.episodeStarts), base));
    }
  }

  // The HTML and its inline SVGs use the bundled font, copied beside them.
  const font = copyReportFont(dir);
  const html = join(dir, 'index.html');
  // An href is a URL path: '/'-separated on every OS.
  const href = (to: string) => relative(dir, to).split(sep).join('/');
  const runLinks = (runDir: string) => [
    { label: 'folder', href: `${href(runDir)}/` },
    { label: 'log', href: `${href(runDir)}/run.log` },
  ];
  const page: HtmlReportInput = {
    results,
    tables,
    curves,
    heatmaps,
    links: {
      markdown: href(markdown),
      csv: href(csv),
      runs: results.runs.map((r) => ({ id: r.plan.id, finished: r.outcome !== null, files: runLinks(r.plan.runDir) })),
    },
  };
  writeFileAtomic(html, renderHtmlReport(page));
  return { markdown, csv, html, font, curves, heatmaps, tables, page };
}
