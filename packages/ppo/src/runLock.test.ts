import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgent } from './loadAgent.js';
import { LOCK_FILES, runPath } from './runFolder.js';
import { acquireRunLock, assertRunNotLocked, readLockHolder, type RunLockHolder } from './runLock.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mempo-lock-'));
  dirs.push(d);
  return d;
};
const sleepers: { kill(): boolean }[] = [];
afterAll(() => {
  sleepers.forEach((p) => p.kill());
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** A lock folder as another process leaves it, with its holder's details. */
function plantLock(runDir: string, holder: RunLockHolder): void {
  mkdirSync(runPath(runDir, 'lock'), { recursive: true });
  writeFileSync(join(runPath(runDir, 'lock'), LOCK_FILES.holder), JSON.stringify(holder));
}

const holderOf = (pid: number, host = hostname()): RunLockHolder => ({
  pid,
  host,
  command: 'node cli.js warehouse --out runs/x',
  since: '2026-01-02T03:04:05.000Z',
});

describe('run lock', () => {
  it('refuses a second holder while a live process on this host holds it, and tells who and what to do', () => {
    const runDir = tempDir();
    const sleeper = spawn('sleep', ['60']);
    sleepers.push(sleeper);
    plantLock(runDir, holderOf(sleeper.pid!));
    const expected =
      `cannot use ${runDir}: it is being trained by pid ${sleeper.pid} on ${hostname()} (node cli.js warehouse --out runs/x), ` +
      `since 2026-01-02T03:04:05.000Z. Wait for that run to end, or stop it with kill -INT ${sleeper.pid} ` +
      `(it writes a checkpoint and can be resumed); if that process is not a mempo run, delete ${runPath(runDir, 'lock')}`;
    expect(() => acquireRunLock(runDir)).toThrow(expected);
    expect(() => assertRunNotLocked(runDir)).toThrow(expected);
    // An evaluation loads the agent: refused before it reads a checkpoint of the half-trained run.
    expect(() => loadAgent(runDir)).toThrow(expected);
    expect(readLockHolder(runDir)?.pid).toBe(sleeper.pid);
  });

  it('refuses a second acquisition in the same process, and releases on release', () => {
    const runDir = tempDir();
    const lock = acquireRunLock(runDir);
    const holder = readLockHolder(runDir)!;
    expect([holder.pid, holder.host, holder.command]).toEqual([process.pid, hostname(), process.argv.join(' ')]);
    expect(() => acquireRunLock(runDir)).toThrow(`cannot use ${runDir}: it is being trained by pid ${process.pid} on ${hostname()}`);
    // This process's own readers may read what it trains.
    expect(() => assertRunNotLocked(runDir)).not.toThrow();
    lock.release();
    lock.release();
    expect(existsSync(runPath(runDir, 'lock'))).toBe(false);
    acquireRunLock(runDir).release();
  });

  it('takes over a lock whose holder on this host is dead, with a warning', () => {
    const runDir = tempDir();
    const dead = spawnSync('true').pid;
    plantLock(runDir, holderOf(dead));
    expect(() => assertRunNotLocked(runDir)).not.toThrow();
    const warnings: string[] = [];
    const lock = acquireRunLock(runDir, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      `taking over the lock of ${runDir} from pid ${dead} on ${hostname()} (node cli.js warehouse --out runs/x), since 2026-01-02T03:04:05.000Z: pid ${dead} no longer runs`,
    ]);
    expect(JSON.parse(readFileSync(join(runPath(runDir, 'lock'), LOCK_FILES.holder), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('judges a holder on another host by the age of the lock: refused while fresh, taken over when not refreshed', () => {
    const runDir = tempDir();
    plantLock(runDir, holderOf(1, 'elsewhere'));
    expect(() => acquireRunLock(runDir)).toThrow(`cannot use ${runDir}: it is being trained by pid 1 on elsewhere`);
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(runPath(runDir, 'lock'), hourAgo, hourAgo);
    expect(() => assertRunNotLocked(runDir)).not.toThrow();
    const warnings: string[] = [];
    acquireRunLock(runDir, { warn: (m) => warnings.push(m) }).release();
    expect(warnings).toEqual([
      `taking over the lock of ${runDir} from pid 1 on elsewhere (node cli.js warehouse --out runs/x), since 2026-01-02T03:04:05.000Z: not refreshed for 3600 s`,
    ]);
  });

  it('notices a lock taken over by another process: assertHeld throws and release leaves the new holder alone', () => {
    const runDir = tempDir();
    const lock = acquireRunLock(runDir);
    expect(() => lock.assertHeld()).not.toThrow();
    plantLock(runDir, holderOf(1, 'elsewhere'));
    expect(() => lock.assertHeld()).toThrow(`lost the lock of ${runDir} to another process: it may be writing the run, so this one stops without writing`);
    lock.release();
    expect(readLockHolder(runDir)?.host).toBe('elsewhere');
  });

  it('refuses a lock folder whose holder has not recorded itself until it is stale', () => {
    const runDir = tempDir();
    mkdirSync(runPath(runDir, 'lock'));
    const lockPath = runPath(runDir, 'lock');
    expect(() => acquireRunLock(runDir)).toThrow(
      `cannot use ${runDir}: it is locked by a process that has not recorded itself in ${lockPath}; if no process trains this run, delete ${lockPath}`,
    );
  });
});
