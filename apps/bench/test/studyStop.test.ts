import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { listCheckpoints, readProgressCsv, runPath } from '@mempo/ppo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'apps/bench/dist/cli.js');
const UPDATES = 12;

/** Two Warehouse LSTM runs of 12 updates, one at a time: the first is stopped mid-run, the second never starts. */
const study = {
  name: 'stop-me',
  family: 'warehouse',
  preset: 'iam',
  frames: UPDATES * 1024,
  seeds: [1, 2],
  evalEpisodes: 2,
  experiments: [{ train: 'warehouse' }],
  memories: [{ label: 'LSTM', memory: 'lstm', hidden: 16 }],
};

function rowsLogged(runDir: string): number {
  const path = runPath(runDir, 'progress');
  return existsSync(path) ? Math.max(0, readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').length - 1) : 0;
}

/** Runs `mempo study` in a child; once the first run has logged `rows` updates, sends the runner one SIGINT. */
function studyChild(file: string, out: string, firstRunDir: string, rows = Infinity): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'study', file, '--out', out, '--parallelism', '1', '--no-report'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  void (async () => {
    if (rows === Infinity) return;
    while (child.exitCode === null && rowsLogged(firstRunDir) < rows) await sleep(20);
    child.kill('SIGINT');
  })();
  return exited.then((code) => ({ code, stderr }));
}

describe('Ctrl-C on a study (local pool, built dist/cli.js)', () => {
  let dir: string;
  beforeAll(() => {
    execFileSync('npx', ['nx', 'run', 'bench:build'], { cwd: ROOT, stdio: 'ignore' });
    dir = mkdtempSync(join(tmpdir(), 'mempo-study-stop-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops the running run at a checkpoint, starts no other, exits 130, and the same command resumes', async () => {
    const file = join(dir, 'stop-me.json');
    writeFileSync(file, JSON.stringify(study));
    const out = join(dir, 'out');
    const first = join(out, 'runs', 'warehouse--lstm--s1');
    const second = join(out, 'runs', 'warehouse--lstm--s2');

    const stopped = await studyChild(file, out, first, 2);
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('stopping the study: each running run finishes its update and checkpoints; no new run starts (Ctrl-C again stops at once)');
    expect(stopped.stderr).toContain('stopped warehouse--lstm--s1; it resumes from its checkpoint when the study runs again');
    expect(stopped.stderr).toContain('study stop-me: 0 finished, 0 skipped, 0 refused, 0 failed, 2 stopped');
    expect(stopped.stderr).toContain('study stop-me stopped: run the same command again to resume it');
    // The run got the signal once (from the runner, not also from a terminal's process group): it checkpointed.
    const rows = rowsLogged(first);
    expect(rows).toBeGreaterThanOrEqual(2);
    expect(rows).toBeLessThan(UPDATES);
    expect(listCheckpoints(runPath(first, 'checkpoints')).at(-1)).toBe(join(runPath(first, 'checkpoints'), `update-${String(rows).padStart(6, '0')}`));
    expect(readFileSync(runPath(first, 'log'), 'utf8')).toContain('stopping after this update');
    expect(existsSync(second)).toBe(false);

    const resumed = await studyChild(file, out, first);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('study stop-me: 2 finished, 0 skipped, 0 refused, 0 failed, 0 stopped');
    for (const runDir of [first, second]) {
      expect(readProgressCsv(runPath(runDir, 'progress')).map((r) => r['update'])).toEqual(Array.from({ length: UPDATES }, (_, i) => i + 1));
      expect(existsSync(runPath(runDir, 'evaluation'))).toBe(true);
    }
  }, 240_000);
});
