import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { writePlan, type RunOutcome } from '../src/studies/executeRun.js';
import { addStudyCommands } from '../src/studies/studyCommands.js';
import { exportStudy, formatExport } from '../src/studies/exportStudy.js';
import { planRuns, type PlannedRun } from '../src/studies/studyRuns.js';
import { parseStudy } from '../src/studies/studySchema.js';

const tiny = {
  name: 'tiny',
  family: 'warehouse',
  preset: 'iam',
  frames: 2048,
  seeds: [1, 2, 3],
  evalEpisodes: 2,
  diagnosticSteps: 4,
  experiments: [{ train: 'warehouse' }],
  memories: [{ label: 'FNN', memory: 'fnn', stack: 1, hidden: 16 }],
  published: { FNN: { warehouse: 20 } },
};
const study = parseStudy(tiny);
const [S1, S2, S3] = ['warehouse--fnn--s1', 'warehouse--fnn--s2', 'warehouse--fnn--s3'];
const RUN_FILES = ['config.json', 'eval.json', 'progress.csv', 'run.json'];

/** Every file under `dir`, relative, sorted. */
function files(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else found.push(relative(dir, path));
    }
  };
  walk(dir);
  return found.sort();
}

/** What training leaves in a run folder, as the runner lays it out (runFolder.ts), with made-up numbers. */
function trained(plan: PlannedRun): void {
  writePlan(plan);
  const dir = plan.runDir;
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ppo: {}, encoder: {}, core: {}, heads: {} }));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ memory: plan.memory, seed: plan.seed }));
  writeFileSync(join(dir, 'progress.csv'), `update,global_step,charts/episode_return_mean\n1,1024,${plan.seed}\n2,2048,${2 * plan.seed}\n`);
  writeFileSync(join(dir, 'run.log'), 'log\n');
  mkdirSync(join(dir, 'checkpoints', 'update-000002'), { recursive: true });
  writeFileSync(join(dir, 'checkpoints', 'update-000002', 'tensors.bin'), new Uint8Array(64));
  mkdirSync(join(dir, 'tb'));
  writeFileSync(join(dir, 'tb', 'events.out.tfevents'), 'tb');
}

function finished(plan: PlannedRun): void {
  trained(plan);
  const evaluation = { env: 'warehouse', update: 2, weights: 'latest', episodes: 2, deterministic: false, returnMean: 10 * plan.seed };
  const outcome = { id: plan.id, label: plan.label, memory: plan.memory, seed: plan.seed, trainEnv: 'warehouse', globalStep: 2048, updates: 2 };
  const record: RunOutcome = { ...outcome, evaluations: [evaluation as RunOutcome['evaluations'][0]], seconds: 1, finishedAt: '2026-01-01T00:00:00.000Z', fingerprint: plan.fingerprint };
  writeFileSync(join(plan.runDir, 'eval.json'), JSON.stringify(record));
}

/** A study folder with seeds 1 and 2 finished and seed 3 interrupted after training started; its study file. */
function fakeStudy(): { root: string; out: string; file: string } {
  const root = mkdtempSync(join(tmpdir(), 'mempo-export-'));
  const out = join(root, 'out');
  const file = join(root, 'tiny.json');
  writeFileSync(file, JSON.stringify(tiny));
  const [s1, s2, s3] = planRuns(study, out);
  finished(s1!);
  finished(s2!);
  trained(s3!);
  return { root, out, file };
}

const options = (out: string, file: string, to: string) => ({ study, studyFile: file, out, to, now: new Date('2026-11-30T12:00:00Z'), commit: 'abc123' });

describe('mempo study export', () => {
  it("writes the report, each finished run's four files, study.json and export.json, and no checkpoint, tb or log", async () => {
    const { root, out, file } = fakeStudy();
    const to = join(root, 'results', 'tiny');
    const done = await exportStudy(options(out, file, to));
    const report = ['DejaVuSans.ttf', 'curve-warehouse.png', 'curve-warehouse.svg', 'index.html', 'results.csv', 'results.md'].map((f) => `report/${f}`);
    const runs = [S1, S2].flatMap((id) => RUN_FILES.map((f) => `runs/${id}/${f}`));
    expect(files(to)).toEqual([...report, ...runs, 'export.json', 'study.json'].sort());
    // The report was refreshed in the study folder first, and the export's copy is that report.
    expect(readFileSync(join(to, 'report', 'results.csv'), 'utf8')).toBe(readFileSync(join(out, 'report', 'results.csv'), 'utf8'));
    expect(readFileSync(join(to, 'report', 'results.csv'), 'utf8')).toContain('warehouse,FNN,warehouse,2,15');
    expect(readFileSync(join(to, 'study.json'), 'utf8')).toBe(JSON.stringify(tiny));
    expect(readFileSync(join(to, 'runs', S2, 'progress.csv'), 'utf8')).toBe(readFileSync(join(out, 'runs', S2, 'progress.csv'), 'utf8'));
    const manifest = JSON.parse(readFileSync(join(to, 'export.json'), 'utf8'));
    expect(manifest).toEqual({
      study: 'tiny',
      exportedAt: '2026-11-30T12:00:00.000Z',
      mempoCommit: 'abc123',
      overrides: {},
      runs: [S1, S2],
      skipped: [{ id: S3, reason: 'unfinished: no eval.json yet' }],
      files: files(to),
    });
    expect(done.runs.map((r) => r.id)).toEqual([S1, S2]);
    expect(done.runs[0]!.bytes).toBe(RUN_FILES.reduce((sum, f) => sum + statSync(join(to, 'runs', S1, f)).size, 0));
    const lines = formatExport(done);
    expect(lines[0]).toMatch(new RegExp(`^exported 2 finished runs of tiny \\([\\d.]+ kB\\) and the report \\(6 files, [\\d.]+ [kM]B\\) to ${to}, with study.json and export.json$`));
    expect(lines.slice(1)).toEqual(['skipped 1 run:', `  ${S3}: unfinished: no eval.json yet`]);
  });

  it("every link of the exported index.html leads to a file of the export; the study folder's page links run folders and logs", async () => {
    const { root, out, file } = fakeStudy();
    const to = join(root, 'results', 'tiny');
    await exportStudy(options(out, file, to));
    const links = (page: string) => [...readFileSync(page, 'utf8').matchAll(/(?:href|src)="([^"#]+)"/g)].map((m) => m[1]!);
    const exported = links(join(to, 'report', 'index.html'));
    expect(exported.filter((href) => !existsSync(join(to, 'report', href)))).toEqual([]);
    expect(exported).toEqual(expect.arrayContaining(RUN_FILES.map((f) => `../runs/${S1}/${f}`)));
    expect(exported.some((href) => href.includes(S3))).toBe(false);
    expect(readFileSync(join(to, 'report', 'index.html'), 'utf8')).toContain(`${S3} (not finished) · not exported: unfinished: no eval.json yet`);
    const local = links(join(out, 'report', 'index.html'));
    expect(local).toEqual(expect.arrayContaining([`../runs/${S3}/`, `../runs/${S3}/run.log`]));
    expect(local.filter((href) => !existsSync(join(out, 'report', href)))).toEqual([]);
  });

  it('a second export after a run is gone removes only the files the first export wrote for it', async () => {
    const { root, out, file } = fakeStudy();
    const to = join(root, 'results');
    // Seed 1's core diagnostics give the first report a heatmap, which the second no longer draws.
    const trace = { steps: 2, episodeStarts: [0], series: { alpha: { shape: [2], values: [[0.5, 0.5], [0.2, 0.8]] } }, env: 'warehouse', memory: 'fnn', label: 'FNN' };
    writeFileSync(join(out, 'runs', S1, 'diagnostics.json'), JSON.stringify(trace));
    const first = await exportStudy(options(out, file, to));
    const heatmap = ['report/diag-warehouse-FNN-alpha.png', 'report/diag-warehouse-FNN-alpha.svg'];
    expect(first.manifest.files).toEqual(expect.arrayContaining(heatmap));
    // Files someone else put into the export folder, also inside an exported run folder.
    writeFileSync(join(to, 'README.md'), 'ours beside the published numbers\n');
    writeFileSync(join(to, 'runs', S1, 'notes.md'), 'seed 1 notes\n');
    mkdirSync(join(to, 'runs', 'by-hand'));
    writeFileSync(join(to, 'runs', 'by-hand', 'eval.json'), '{}\n');
    rmSync(join(out, 'runs', S2), { recursive: true });
    rmSync(join(out, 'runs', S1, 'eval.json'));
    rmSync(join(out, 'runs', S1, 'diagnostics.json'));

    const done = await exportStudy(options(out, file, to));
    expect(done.runs).toEqual([]);
    expect(done.removedRuns).toEqual([S1, S2]);
    expect(done.removedFiles).toEqual(heatmap);
    expect(existsSync(join(to, heatmap[0]!))).toBe(false);
    expect(existsSync(join(to, 'report', 'index.html'))).toBe(true);
    expect(done.skipped).toEqual([
      { id: S1, reason: 'unfinished: no eval.json yet' },
      { id: S2, reason: 'not started' },
      { id: S3, reason: 'unfinished: no eval.json yet' },
    ]);
    expect(existsSync(join(to, 'runs', S2))).toBe(false);
    expect(files(join(to, 'runs'))).toEqual(['by-hand/eval.json', `${S1}/notes.md`]);
    expect(readFileSync(join(to, 'README.md'), 'utf8')).toBe('ours beside the published numbers\n');
    expect(formatExport(done).slice(-2)).toEqual([
      `removed 2 run folders of a previous export: ${S1}, ${S2}`,
      `removed 2 files of a previous export: ${heatmap.join(', ')}`,
    ]);
  });

  it('names a run the tables count but the export skips (an eval.json made under other evaluation settings)', async () => {
    const { root, out, file } = fakeStudy();
    const changed = parseStudy({ ...tiny, evalEpisodes: 5 });
    const done = await exportStudy({ ...options(out, file, join(root, 'results')), study: changed });
    expect(done.runs).toEqual([]);
    const reason = 'its eval.json is stale: the evaluation changed (evalEpisodes 5 in the study, 2 in the run); training is unchanged; rerun the study to re-evaluate it';
    expect(done.skipped.slice(0, 2)).toEqual([
      { id: S1, reason },
      { id: S2, reason },
    ]);
    expect(done.warnings).toEqual([`the report's tables count ${S1}, which is not exported (${reason})`, `the report's tables count ${S2}, which is not exported (${reason})`]);
  });

  it('refuses a --to that is a file, the study folder itself or an export of another study, with the fix', async () => {
    const { root, out, file } = fakeStudy();
    const notAFolder = join(root, 'results.txt');
    writeFileSync(notAFolder, 'x');
    await expect(exportStudy(options(out, file, notAFolder))).rejects.toThrow(
      `--to ${notAFolder} is a file: pass a folder to export into (it is created when missing)`,
    );
    await expect(exportStudy(options(out, file, out))).rejects.toThrow(`--to ${out} is the study folder itself: pass another folder, e.g. results/<study>`);
    const other = join(root, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'export.json'), JSON.stringify({ study: 'warehouse-iam', exportedAt: '', mempoCommit: null, overrides: {}, runs: [], skipped: [], files: [] }));
    await expect(exportStudy(options(out, file, other))).rejects.toThrow(
      `--to ${other} holds an export of study 'warehouse-iam' (${join(other, 'export.json')}), not of 'tiny': choose another --to, e.g. results/tiny`,
    );
    writeFileSync(join(other, 'export.json'), JSON.stringify({ study: 'tiny', exportedAt: '', mempoCommit: null, overrides: {}, runs: [], skipped: [], files: ['../../etc/passwd'] }));
    await expect(exportStudy(options(out, file, other))).rejects.toThrow(
      `${join(other, 'export.json')} is damaged (files.0: must be a path inside the export folder); it is not an export manifest of mempo; move it or choose another --to`,
    );
    await expect(exportStudy(options(join(root, 'missing'), file, join(root, 'results')))).rejects.toThrow(
      `--out ${join(root, 'missing')} does not exist: run the study first or pass its folder`,
    );
    expect(existsSync(join(root, 'results'))).toBe(false);
  });

  it('runs as `study export` from the CLI: the same error for a bad --to, the summary on stdout', async () => {
    const { root, out, file } = fakeStudy();
    const mempo = (...args: string[]) => {
      const program = new Command().exitOverride().enablePositionalOptions();
      addStudyCommands(program, () => undefined);
      return program.parseAsync(['node', 'mempo', 'study', 'export', file, '--out', out, ...args]);
    };
    await expect(mempo('--to', file)).rejects.toThrow(`--to ${file} is a file: pass a folder to export into (it is created when missing)`);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await mempo('--to', join(root, 'results'), '--seeds', '2');
      expect(log).toHaveBeenCalledTimes(1);
      expect(String(log.mock.calls[0]![0])).toMatch(/^exported 2 finished runs of tiny .* with study.json and export.json$/);
    } finally {
      log.mockRestore();
    }
    const manifest = JSON.parse(readFileSync(join(root, 'results', 'export.json'), 'utf8'));
    expect([manifest.overrides, manifest.runs, manifest.skipped]).toEqual([{ seeds: 2 }, [S1, S2], []]);
    expect(manifest.mempoCommit).toMatch(/^[0-9a-f]{40}$/);
  });
});
