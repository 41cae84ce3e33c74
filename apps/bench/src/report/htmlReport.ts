import { basename } from 'node:path';
import type { ChartFiles } from './charts.js';
import { recordedSettings } from './recordedSettings.js';
import { CI_NOTE, formatMeanCi, type ResultTable } from './tables.js';
import type { StudyResults } from './studyResults.js';

/** What the HTML page shows and links. */
export interface HtmlReportInput {
  results: StudyResults;
  tables: ResultTable[];
  curves: ChartFiles[];
  heatmaps: ChartFiles[];
  /** Paths relative to the report folder. */
  links: { markdown: string; csv: string; runs: RunLinks[] };
}

/** One run's line in the page's run list: what it links (paths relative to the report folder) or why it links nothing. */
export interface RunLinks {
  id: string;
  finished: boolean;
  /** E.g. the run folder and its log in a study folder; the exported files in an export. */
  files: { label: string; href: string }[];
  /** Shown after the links, e.g. why an export left the run out. */
  note?: string;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function tableHtml(t: ResultTable): string {
  const head = t.envs.map((env) => `<th>${escapeHtml(env)}${env === t.trainEnv ? ' ★' : ''}<br>ours</th><th>published</th>`).join('');
  const body = t.rows
    .map(
      (row) =>
        `<tr><td>${escapeHtml(row.label)}</td>${row.cells
          .map((c) => `<td>${escapeHtml(formatMeanCi(c.ours))}</td><td>${c.published === null ? '—' : c.published}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table><thead><tr><th>model</th>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function figure(chart: ChartFiles): string {
  // Inline SVG keeps the page self-contained; the links lead to the files for papers and slides.
  return `<figure>${chart.svgText}<figcaption><a href="${escapeHtml(basename(chart.svg))}">SVG</a> · <a href="${escapeHtml(basename(chart.png))}">PNG</a></figcaption></figure>`;
}

function runItem(run: RunLinks): string {
  const links = run.files.map((f) => ` · <a href="${escapeHtml(f.href)}">${escapeHtml(f.label)}</a>`).join('');
  return `<li>${escapeHtml(run.id)}${run.finished ? '' : ' (not finished)'}${links}${run.note ? ` · ${escapeHtml(run.note)}` : ''}</li>`;
}

/** One self-contained HTML page: tables, inlined plots, links to the CSV, the Markdown and each run's files. */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { study } = input.results;
  const finished = input.links.runs.filter((r) => r.finished).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(study.name)} — mempo study</title>
<style>
@font-face { font-family: 'DejaVu Sans'; src: url('DejaVuSans.ttf') format('truetype'); }
body { font-family: 'DejaVu Sans', sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; } th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
td:first-child, th:first-child { text-align: left; } figure { margin: 1em 0; } figcaption { font-size: 0.9em; }
</style></head><body>
<h1>${escapeHtml(study.name)}</h1>
<p>${escapeHtml(study.description)}</p>
<p>${finished} of ${input.links.runs.length} runs finished · evaluation with sampled actions, dropout off · ★ training env, others zero-shot.</p>
${recordedSettings(input.results).filter((line) => line !== '').map((line) => `<p>${escapeHtml(line.replace(/^- /, ''))}</p>`).join('\n')}
<p>${escapeHtml(CI_NOTE)}.${study.publishedSource ? ` Published: ${escapeHtml(study.publishedSource)}.` : ''}</p>
<p>Tables as <a href="${escapeHtml(input.links.markdown)}">Markdown</a> and <a href="${escapeHtml(input.links.csv)}">CSV</a>.</p>
${input.tables.map((t) => `<h2>Trained on ${escapeHtml(t.trainEnv)}</h2>\n${tableHtml(t)}`).join('\n')}
<h2>Learning curves</h2>
${input.curves.map(figure).join('\n') || '<p>No progress yet.</p>'}
<h2>Core diagnostics (final policy, env 0)</h2>
${input.heatmaps.map(figure).join('\n') || '<p>No core in this study reports diagnostics, or no run has finished.</p>'}
<h2>Runs</h2>
<ul>
${input.links.runs.map(runItem).join('\n')}
</ul>
</body></html>
`;
}
