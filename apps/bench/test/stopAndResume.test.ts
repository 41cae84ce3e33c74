import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { listCheckpoints, readProgressCsv, runPath } from '@mempo/ppo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEventFile, readEventFile } from '../src/training/tensorBoardEvents.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'apps/bench/dist/cli.js');
/** The iam preset's update: 8 envs × 128 steps. */
const STEPS_PER_UPDATE = 1024;
const UPDATES = 20;

/** Data rows of progress.csv so far (0 while it has none or does not exist). */
function rowsLogged(runDir: string): number {
  const path = runPath(runDir, 'progress');
  return existsSync(path) ? Math.max(0, readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').length - 1) : 0;
}

const updatesLogged = (runDir: string) => readProgressCsv(runPath(runDir, 'progress')).map((r) => r['update']);
const newestCheckpoint = (runDir: string) => listCheckpoints(runPath(runDir, 'checkpoints')).at(-1);
const checkpointName = (update: number) => `update-${String(update).padStart(6, '0')}`;

/** Every (tag, step) pair of the run's TensorBoard events, over all its event files. */
function tensorBoardPairs(runDir: string): string[] {
  const dir = runPath(runDir, 'tensorBoard');
  return readdirSync(dir)
    .filter(isEventFile)
    .flatMap((name) => readEventFile(join(dir, name)))
    .flatMap((e) => e.tags.map((tag) => `${tag}@${e.step}`));
}

/**
 * Trains the Warehouse run in a child process; once `rows` updates are logged, sends SIGINT `signals` times,
 * 10 ms apart: far enough for two deliveries, close enough for both to land within one update. Resolves with
 * the exit code and stderr.
 */
function trainChild(runDir: string, rows = Infinity, signals = 0): Promise<{ code: number | null; stderr: string }> {
  const args = [CLI, 'warehouse', '--memory', 'lstm', '--frames', String(UPDATES * STEPS_PER_UPDATE), '--out', runDir];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  void (async () => {
    if (signals === 0) return;
    while (child.exitCode === null && rowsLogged(runDir) < rows) await sleep(20);
    for (let i = 0; i < signals; i++) {
      child.kill('SIGINT');
      await sleep(10);
    }
  })();
  return exited.then((code) => ({ code, stderr }));
}

describe('Ctrl-C and resume (built dist/cli.js, native backend)', () => {
  let runDir: string;
  beforeAll(() => {
    execFileSync('npx', ['nx', 'run', 'bench:build'], { cwd: ROOT, stdio: 'ignore' });
    runDir = mkdtempSync(join(tmpdir(), 'mempo-stop-'));
  });
  afterAll(() => rmSync(runDir, { recursive: true, force: true }));

  it('stops after the update in progress with a checkpoint and the resume command, exit 130', async () => {
    const { code, stderr } = await trainChild(runDir, 3, 1);
    const stoppedAt = rowsLogged(runDir);
    expect(code).toBe(130);
    expect(stoppedAt).toBeGreaterThanOrEqual(3);
    expect(stoppedAt).toBeLessThan(10);
    expect(stderr).toContain('\nstopping after this update… (Ctrl-C again stops at once, losing the update)\n');
    expect(stderr).toContain(
      `stopped at update ${stoppedAt} (${stoppedAt * STEPS_PER_UPDATE} agent steps); ` +
        `checkpoint: ${join(runPath(runDir, 'checkpoints'), checkpointName(stoppedAt))}\n` +
        `resume with: ${process.execPath} ${CLI} warehouse --memory lstm --frames ${UPDATES * STEPS_PER_UPDATE} --out ${runDir}\n`,
    );
    expect(newestCheckpoint(runDir)).toBe(join(runPath(runDir, 'checkpoints'), checkpointName(stoppedAt)));
    expect(updatesLogged(runDir)).toEqual(Array.from({ length: stoppedAt }, (_, i) => i + 1));
    expect(existsSync(runPath(runDir, 'lock'))).toBe(false);
  });

  it('a second Ctrl-C stops at once (exit 130), leaving updates logged after the newest checkpoint', async () => {
    const { code, stderr } = await trainChild(runDir, 12, 2);
    expect(code).toBe(130);
    expect(stderr).toContain('\nSIGINT again: stopping now, without checkpointing the update in progress\n');
    expect(rowsLogged(runDir)).toBeGreaterThan(10);
    expect(newestCheckpoint(runDir)).toBe(join(runPath(runDir, 'checkpoints'), checkpointName(10)));
    // The steps after the checkpoint are in the event files: a resume that kept them would log them twice.
    expect(tensorBoardPairs(runDir)).toContain(`charts/fps@${11 * STEPS_PER_UPDATE}`);
    expect(existsSync(runPath(runDir, 'lock'))).toBe(false);
  });

  it('resumes to the end with every update in progress.csv once and no duplicate TensorBoard step', async () => {
    const { code } = await trainChild(runDir);
    expect(code).toBe(0);
    const all = Array.from({ length: UPDATES }, (_, i) => i + 1);
    expect(updatesLogged(runDir)).toEqual(all);
    const pairs = tensorBoardPairs(runDir);
    expect(pairs.length).toBe(new Set(pairs).size);
    const fpsSteps = pairs.filter((p) => p.startsWith('charts/fps@')).map((p) => Number(p.split('@')[1]));
    expect(fpsSteps.sort((a, b) => a - b)).toEqual(all.map((u) => u * STEPS_PER_UPDATE));
  });
});
