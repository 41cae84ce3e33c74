import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN_FILES, readJsonFile, runPath, writeFileAtomic, writeJsonAtomic } from '@mempo/ppo';
import prettyBytes from 'pretty-bytes';
import { z } from 'zod';
import { buildReport, type ReportFiles } from '../report/buildReport.js';
import { renderHtmlReport, type RunLinks } from '../report/htmlReport.js';
import { collectResults } from '../report/studyResults.js';
import { assessRun, type RunAssessment } from './runAssessment.js';
import { planRuns } from './studyRuns.js';
import type { Study } from './studySchema.js';

/**
 * The files of a finished run that an export copies: what the tables, the learning curves and a reader need
 * to check a number (the agent's config, the per-update log, the evaluation, the run's spec). Checkpoints,
 * `tb/`, `plan.json`, `diagnostics.json` and `run.log` stay in the study folder: they are large or local.
 */
export const EXPORTED_RUN_FILES = ['config', 'progress', 'evaluation', 'spec'] as const satisfies readonly (keyof typeof RUN_FILES)[];

/** The manifest an export writes into its folder: what it wrote, so the next export may remove only that. */
export const MANIFEST_FILE = 'export.json';
/** The study file, copied as it was read. */
export const STUDY_FILE = 'study.json';

/** A relative path inside the export folder: a manifest naming anything else is not one of ours. */
const insidePath = z
  .string()
  .min(1)
  .refine((p) => !isAbsolute(p) && !p.split(/[\\/]/).includes('..'), { message: 'must be a path inside the export folder' });

const manifestSchema = z.object({
  study: z.string().min(1),
  exportedAt: z.string(),
  mempoCommit: z.string().nullable(),
  overrides: z.object({ frames: z.number().optional(), seeds: z.number().optional() }),
  runs: z.array(z.string()),
  skipped: z.array(z.object({ id: z.string(), reason: z.string() })),
  files: z.array(insidePath),
});

/** `<to>/export.json`: the study, when, from which mempo commit, the runs exported and skipped, every file written. */
export type ExportManifest = z.infer<typeof manifestSchema>;

/** What {@link exportStudy} needs. */
export interface ExportOptions {
  study: Study;
  /** The study file as given (copied to `<to>/study.json`). */
  studyFile: string;
  /** The study folder the runs trained into (`--out`). */
  out: string;
  /** The export folder (`--to`), e.g. `results/minigrid-rim`. */
  to: string;
  /** The `--frames`/`--seeds` the study ran with, recorded in the manifest since `study.json` does not show them. */
  overrides?: { frames?: number; seeds?: number };
  /** The export's date (default: now). */
  now?: Date;
  /** mempo's git commit (default: `git rev-parse HEAD` of this checkout, null outside a git checkout). */
  commit?: string | null;
}

/** What one export wrote, skipped and removed. */
export interface StudyExport {
  to: string;
  /** The finished runs exported, with the bytes of their files. */
  runs: { id: string; bytes: number }[];
  report: { files: number; bytes: number };
  /** Planned runs not exported, with why (the runner's assessment). */
  skipped: { id: string; reason: string }[];
  /** Run folders a previous export wrote whose runs are no longer finished under the study (their exported files removed). */
  removedRuns: string[];
  /** Other files a previous export wrote and this one did not (e.g. a chart the report no longer draws). */
  removedFiles: string[];
  /** Runs the report's tables count although they are not exported (a stale or refused `eval.json`). */
  warnings: string[];
  manifest: ExportManifest;
}

/** Why a planned run is not exported, from the runner's decision about it ({@link assessRun}). */
function skipReason({ action, reason }: RunAssessment): string {
  switch (action) {
    case 'start':
      return 'not started';
    case 'resume':
      return 'unfinished: no eval.json yet';
    case 're-evaluate':
      return `its eval.json is stale: ${reason}; rerun the study to re-evaluate it`;
    case 'refuse':
      return `the runner refuses it: ${reason}`;
    case 'skip':
      throw new Error('a finished run is exported, not skipped');
  }
}

/** mempo's commit: the git HEAD of the checkout this module runs from, or null (a packed install, no git). */
export function mempoCommit(): string | null {
  try {
    const cwd = fileURLToPath(new URL('.', import.meta.url));
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** The manifest of a previous export into `to`, or null; one of another study refuses the export. */
function previousManifest(to: string, study: string): ExportManifest | null {
  const path = join(to, MANIFEST_FILE);
  if (!existsSync(path)) return null;
  const fix = `it is not an export manifest of mempo; move it or choose another --to`;
  const parsed = manifestSchema.safeParse(readJsonFile<unknown>(path, fix));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path} is damaged (${issue.path.join('.') || 'the file'}: ${issue.message}); ${fix}`);
  }
  if (parsed.data.study !== study)
    throw new Error(`--to ${to} holds an export of study '${parsed.data.study}' (${path}), not of '${study}': choose another --to, e.g. results/${study}`);
  return parsed.data;
}

/** Refuses an export folder that is a file or the study folder itself, and a study folder that does not exist. */
function checkFolders(out: string, to: string): void {
  if (!existsSync(out)) throw new Error(`--out ${out} does not exist: run the study first or pass its folder`);
  if (existsSync(to) && !statSync(to).isDirectory()) throw new Error(`--to ${to} is a file: pass a folder to export into (it is created when missing)`);
  if (resolve(to) === resolve(out)) throw new Error(`--to ${to} is the study folder itself: pass another folder, e.g. results/<study>`);
}

/** Every file {@link buildReport} wrote: tables, plots, the HTML and its font. */
function reportFiles(report: ReportFiles): string[] {
  const charts = [...report.curves, ...report.heatmaps].flatMap((c) => [c.svg, c.png]);
  return [report.markdown, report.csv, report.html, report.font, ...charts];
}

/**
 * The export's run list: an exported run links its files in `runs/<id>/`, any other run says why it is not
 * there (the study folder's page links run folders and logs, which an export does not hold).
 */
function exportedRunLinks(report: ReportFiles, exportedIds: Set<string>, skipped: { id: string; reason: string }[]): RunLinks[] {
  return report.page.links.runs.map(({ id, finished }) =>
    exportedIds.has(id)
      ? { id, finished, files: EXPORTED_RUN_FILES.map((file) => ({ label: RUN_FILES[file], href: posix.join('..', 'runs', id, RUN_FILES[file]) })) }
      : { id, finished, files: [], note: `not exported: ${skipped.find((s) => s.id === id)?.reason ?? 'not in this study'}` },
  );
}

/** Removes the folders between `path`'s folder and `root` (exclusive) that are left empty, innermost first. */
function removeEmptyParents(path: string, root: string): void {
  for (let dir = dirname(path); dir.startsWith(root + sep); dir = dirname(dir)) {
    if (!existsSync(dir) || readdirSync(dir).length > 0) return;
    rmdirSync(dir);
  }
}

/**
 * Exports a study's results for committing (issue 16): refreshes the report in the study folder (as
 * `mempo report` does), then copies into `to` the report (`report/`: tables as Markdown and CSV, SVG and PNG
 * plots, `index.html` linking each run's exported files, and its font), each finished run's {@link EXPORTED_RUN_FILES} (`runs/<id>/`), the study
 * file (`study.json`) and a manifest (`export.json`). Only runs the runner would skip as finished with the
 * study's fingerprint are exported; the others are listed with the reason. Every file is written atomically.
 * Files a previous export listed in its manifest and this one did not write are removed (so a run that is no
 * longer finished disappears from `runs/`); nothing else in `to` is touched.
 *
 * @example
 * const done = await exportStudy({ study: loadStudy(file), studyFile: file, out: 'study-results/minigrid-rim', to: 'results/minigrid-rim' });
 * console.log(formatExport(done).join('\n'));
 */
export async function exportStudy(options: ExportOptions): Promise<StudyExport> {
  const { study, out, to } = options;
  checkFolders(out, to);
  const previous = previousManifest(to, study.name);
  const plans = planRuns(study, out);
  const assessed = plans.map((plan) => ({ plan, assessment: assessRun(plan) }));
  const finished = assessed.filter(({ assessment }) => assessment.action === 'skip').map(({ plan }) => plan);
  const missing = (runDir: string) => EXPORTED_RUN_FILES.filter((file) => !existsSync(runPath(runDir, file))).map((file) => RUN_FILES[file]);
  const exported = finished.filter((plan) => missing(plan.runDir).length === 0);
  const skipped = assessed.flatMap(({ plan, assessment }) => {
    if (assessment.action !== 'skip') return [{ id: plan.id, reason: skipReason(assessment) }];
    const absent = missing(plan.runDir);
    return absent.length === 0 ? [] : [{ id: plan.id, reason: `finished, but ${absent.join(', ')} missing; rerun the study into a new --out` }];
  });
  const exportedIds = new Set(exported.map((plan) => plan.id));
  // The tables read every eval.json in the study folder: name the ones they count that are not exported.
  const warnings = assessed
    .filter(({ plan }) => !exportedIds.has(plan.id) && existsSync(runPath(plan.runDir, 'evaluation')))
    .map(({ plan }) => `the report's tables count ${plan.id}, which is not exported (${skipped.find((s) => s.id === plan.id)!.reason})`);

  const report = await buildReport(collectResults(study, out, plans));

  const written: string[] = [];
  // Manifest paths are POSIX (the same on every machine that checks the folder out).
  // Each file is written atomically: a reader sees the old or the new file, never a part.
  const write = (path: string, bytes: Uint8Array): number => {
    written.push(path);
    writeFileAtomic(join(to, path), bytes);
    return bytes.byteLength;
  };
  const copy = (from: string, path: string): number => write(path, readFileSync(from));
  const page = renderHtmlReport({ ...report.page, links: { ...report.page.links, runs: exportedRunLinks(report, exportedIds, skipped) } });
  const reportBytes =
    reportFiles(report)
      .filter((file) => file !== report.html)
      .reduce((sum, file) => sum + copy(file, posix.join('report', basename(file))), 0) +
    write(posix.join('report', basename(report.html)), new TextEncoder().encode(page));
  const runs = exported.map((plan) => ({
    id: plan.id,
    bytes: EXPORTED_RUN_FILES.reduce((sum, file) => sum + copy(runPath(plan.runDir, file), posix.join('runs', plan.id, RUN_FILES[file])), 0),
  }));
  copy(options.studyFile, STUDY_FILE);

  const kept = new Set([...written, MANIFEST_FILE]);
  const stale = (previous?.files ?? []).filter((path) => !kept.has(path));
  for (const path of stale) {
    const full = resolve(to, path);
    rmSync(full, { force: true });
    removeEmptyParents(full, resolve(to));
  }
  const removedRuns = (previous?.runs ?? []).filter((id) => !exportedIds.has(id));
  const inRemovedRun = (path: string) => removedRuns.some((id) => path.startsWith(`runs/${id}/`));

  const manifest: ExportManifest = {
    study: study.name,
    exportedAt: (options.now ?? new Date()).toISOString(),
    mempoCommit: options.commit === undefined ? mempoCommit() : options.commit,
    overrides: options.overrides ?? {},
    runs: exported.map((plan) => plan.id),
    skipped,
    files: [...written, MANIFEST_FILE].sort(),
  };
  writeJsonAtomic(join(to, MANIFEST_FILE), manifest);
  return {
    to,
    runs,
    report: { files: reportFiles(report).length, bytes: reportBytes },
    skipped,
    removedRuns,
    removedFiles: stale.filter((path) => !inRemovedRun(path)),
    warnings,
    manifest,
  };
}

/** The lines `mempo study export` prints: what was exported (runs, sizes), skipped and why, removed, and warnings. */
export function formatExport(done: StudyExport): string[] {
  const runBytes = done.runs.reduce((sum, run) => sum + run.bytes, 0);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    `exported ${plural(done.runs.length, 'finished run')} of ${done.manifest.study} (${prettyBytes(runBytes)}) and the report ` +
      `(${plural(done.report.files, 'file')}, ${prettyBytes(done.report.bytes)}) to ${done.to}, with ${STUDY_FILE} and ${MANIFEST_FILE}`,
    ...(done.skipped.length > 0 ? [`skipped ${plural(done.skipped.length, 'run')}:`, ...done.skipped.map((s) => `  ${s.id}: ${s.reason}`)] : []),
    ...(done.removedRuns.length > 0 ? [`removed ${plural(done.removedRuns.length, 'run folder')} of a previous export: ${done.removedRuns.join(', ')}`] : []),
    ...(done.removedFiles.length > 0 ? [`removed ${plural(done.removedFiles.length, 'file')} of a previous export: ${done.removedFiles.join(', ')}`] : []),
    ...done.warnings.map((w) => `warning: ${w}`),
  ];
}
