import { markdownTable } from 'markdown-table';
import { meanCi, type MeanCi } from './stats.js';
import type { StudyResults } from './studyResults.js';

/** One cell of a results table: our mean ± CI over seeds on one env, beside the published number. */
export interface TableCell {
  env: string;
  ours: MeanCi;
  published: number | null;
}

/** One table per training env: rows are the memories' labels, columns the training env (★) and the evaluation envs. */
export interface ResultTable {
  trainEnv: string;
  envs: string[];
  rows: { label: string; cells: TableCell[] }[];
}

/** Header note of every table (the statistic, stated once). */
export const CI_NOTE = 'mean return of the final policy per seed; ours = mean ± 95% CI over seeds (t-distribution, n − 1 dof), n = seeds finished';

/** Groups finished runs into tables; a run contributes its evaluation mean on each env. */
export function buildTables(results: StudyResults): ResultTable[] {
  const { study } = results;
  return study.experiments.map((experiment) => {
    const envs = [experiment.train, ...experiment.evaluate.filter((e) => e !== experiment.train)];
    const rows = study.memories.map((memory) => ({
      label: memory.label,
      cells: envs.map((env): TableCell => {
        const values = results.runs
          .filter((r) => r.plan.train.id === experiment.train && r.plan.label === memory.label && r.outcome)
          .map((r) => r.outcome!.evaluations.find((e) => e.env === env)?.returnMean)
          .filter((v): v is number => v !== undefined && Number.isFinite(v));
        return { env, ours: meanCi(values), published: study.published[memory.label]?.[env] ?? null };
      }),
    }));
    return { trainEnv: experiment.train, envs, rows };
  });
}

/** `0.912 ± 0.031 (n=5)`; a single seed has no interval. */
export function formatMeanCi(m: MeanCi, digits = 3): string {
  if (m.n === 0) return '—';
  const ci = Number.isFinite(m.ci95) ? ` ± ${m.ci95.toFixed(digits)}` : '';
  return `${m.mean.toFixed(digits)}${ci} (n=${m.n})`;
}

function envHeader(env: string, trainEnv: string): string {
  return env === trainEnv ? `${env} ★` : env;
}

/** A table as Markdown: per env one "ours" and one "published" column. */
export function tableMarkdown(table: ResultTable): string {
  const header = ['model', ...table.envs.flatMap((env) => [`${envHeader(env, table.trainEnv)} ours`, 'published'])];
  const rows = table.rows.map((row) => [
    row.label,
    ...row.cells.flatMap((c) => [formatMeanCi(c.ours), c.published === null ? '—' : String(c.published)]),
  ]);
  return markdownTable([header, ...rows]);
}

function csvField(value: string | number): string {
  const s = typeof value === 'number' ? (Number.isFinite(value) ? String(Number(value.toPrecision(7))) : '') : value;
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** All tables in one long CSV: one line per (training env, label, env). */
export function tablesCsv(tables: readonly ResultTable[]): string {
  const lines = [['train_env', 'model', 'env', 'n', 'mean', 'ci95', 'std', 'published'].join(',')];
  for (const t of tables)
    for (const row of t.rows)
      for (const c of row.cells)
        lines.push([t.trainEnv, row.label, c.env, c.ours.n, c.ours.mean, c.ours.ci95, c.ours.std, c.published ?? NaN].map(csvField).join(','));
  return lines.join('\n') + '\n';
}
