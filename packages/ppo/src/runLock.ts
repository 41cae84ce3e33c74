import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { describeWriteError, makeDirectory, processIsAlive, writeJsonAtomic } from './atomicWrite.js';
import { LOCK_FILES, runPath } from './runFolder.js';

/** Who holds a run's lock: what a second process is told. */
export interface RunLockHolder {
  pid: number;
  host: string;
  /** The holder's command line. */
  command: string;
  /** ISO time the lock was taken. */
  since: string;
}

/** Options of {@link acquireRunLock} and {@link assertRunNotLocked}. */
export interface RunLockOptions {
  /**
   * A lock whose folder's mtime is older than this is stale (its holder stopped refreshing it). Only a
   * holder on another host is judged by it: on this host a holder is stale exactly when its pid is gone.
   * Default 10 minutes.
   */
  staleMs?: number;
  /** Where the warning about a stale lock taken over goes (default `console.warn`). */
  warn?: (message: string) => void;
}

/** A held run lock; {@link acquireRunLock} returns it. */
export interface RunLock {
  readonly runDir: string;
  /** Throws when the lock was lost (another process took it over), so the caller stops before writing. */
  assertHeld(): void;
  /** Releases the lock (removes its folder). Idempotent. */
  release(): void;
}

const DEFAULT_STALE_MS = 10 * 60 * 1000;

/** The run folders this process holds (resolved): its own readers may read them. */
const held = new Set<string>();

/** A process that ends without releasing (process.exit on a second Ctrl-C, an uncaught error) still frees its runs. */
const releaseAllOnExit = (): void => {
  for (const runDir of held.keys()) if (readLockHolder(runDir)?.pid === process.pid) rmSync(runPath(runDir, 'lock'), { recursive: true, force: true });
};

/** The holder recorded in a run's lock, or null when there is no lock or it records nobody (yet). */
export function readLockHolder(runDir: string): RunLockHolder | null {
  try {
    return JSON.parse(readFileSync(join(runPath(runDir, 'lock'), LOCK_FILES.holder), 'utf8')) as RunLockHolder;
  } catch {
    return null;
  }
}

function describeHolder(holder: RunLockHolder): string {
  return `pid ${holder.pid} on ${holder.host} (${holder.command}), since ${holder.since}`;
}

function lockedMessage(runDir: string, holder: RunLockHolder | null): string {
  const lockPath = runPath(runDir, 'lock');
  if (holder === null)
    return `cannot use ${runDir}: it is locked by a process that has not recorded itself in ${lockPath}; if no process trains this run, delete ${lockPath}`;
  return (
    `cannot use ${runDir}: it is being trained by ${describeHolder(holder)}. ` +
    `Wait for that run to end, or stop it with kill -INT ${holder.pid} (it writes a checkpoint and can be resumed); ` +
    `if that process is not a mempo run, delete ${lockPath}`
  );
}

/** Why an existing lock no longer binds anyone, or null while its holder may still be alive. */
function staleness(runDir: string, holder: RunLockHolder | null, staleMs: number): string | null {
  if (holder !== null && holder.host === hostname()) return processIsAlive(holder.pid) ? null : `pid ${holder.pid} no longer runs`;
  const stat = statSync(runPath(runDir, 'lock'), { throwIfNoEntry: false });
  if (stat === undefined) return 'released meanwhile';
  const age = Date.now() - stat.mtimeMs;
  return age > staleMs ? `not refreshed for ${Math.round(age / 1000)} s` : null;
}

/**
 * Takes the run folder's lock (creating the folder): a second trainer of the same run, in this process, on
 * this host or on another sharing the file system, is refused with who holds it. A stale lock (its holder's
 * pid gone on this host, or not refreshed within `staleMs`) is taken over with a warning. The lock is a folder
 * made by one atomic `mkdir`, with `holder.json` inside and its mtime refreshed in the background; it is
 * removed on release and when the process exits.
 *
 * @example
 * const lock = acquireRunLock('runs/warehouse-gru-3');
 * try {
 *   // … train, writing the run folder …
 * } finally {
 *   lock.release();
 * }
 */
export function acquireRunLock(runDir: string, options: RunLockOptions = {}): RunLock {
  const key = resolve(runDir);
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const lockPath = runPath(runDir, 'lock');
  makeDirectory(runDir);
  let takenOver: string | null = null;
  if (existsSync(lockPath)) {
    const holder = readLockHolder(runDir);
    const stale = staleness(runDir, holder, staleMs);
    if (stale === null) throw new Error(lockedMessage(runDir, holder));
    takenOver = `taking over the lock of ${runDir}${holder ? ` from ${describeHolder(holder)}` : ''}: ${stale}`;
    rmSync(lockPath, { recursive: true, force: true });
  }
  try {
    mkdirSync(lockPath);
  } catch (err) {
    // Another process made the folder between the check and the mkdir.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(lockedMessage(runDir, readLockHolder(runDir)));
    throw describeWriteError(lockPath, err);
  }
  const holder: RunLockHolder = { pid: process.pid, host: hostname(), command: process.argv.join(' '), since: new Date().toISOString() };
  try {
    writeJsonAtomic(join(lockPath, LOCK_FILES.holder), holder);
  } catch (err) {
    rmSync(lockPath, { recursive: true, force: true });
    throw err;
  }
  if (held.size === 0) process.on('exit', releaseAllOnExit);
  held.add(key);
  if (takenOver) warn(takenOver);
  // Holders on other hosts are judged by the folder's age; a blocked event loop delays this, hence the margin.
  const refresh = setInterval(() => {
    const now = new Date();
    try {
      if (isOurs()) utimesSync(lockPath, now, now);
    } catch {
      // Removed meanwhile: assertHeld reports it before the next write.
    }
  }, staleMs / 4);
  refresh.unref();
  // Two processes taking over one stale lock at the same instant can both succeed; the loser finds out here.
  const isOurs = (): boolean => {
    const current = readLockHolder(runDir);
    return current !== null && current.pid === holder.pid && current.host === holder.host && current.since === holder.since;
  };
  let released = false;
  return {
    runDir,
    assertHeld() {
      if (!released && !isOurs())
        throw new Error(`lost the lock of ${runDir} to another process: it may be writing the run, so this one stops without writing`);
    },
    release() {
      if (released) return;
      released = true;
      clearInterval(refresh);
      held.delete(key);
      if (held.size === 0) process.off('exit', releaseAllOnExit);
      if (isOurs()) rmSync(lockPath, { recursive: true, force: true });
    },
  };
}

/**
 * Throws when another live process holds the run's lock (a trainer), with who holds it and what to do; for
 * readers such as an evaluation, which would see a half-trained run. A stale lock, or one this process
 * holds, does not stop them.
 *
 * @example
 * assertRunNotLocked('runs/warehouse-gru-3'); // before reading its checkpoints
 */
export function assertRunNotLocked(runDir: string, options: Pick<RunLockOptions, 'staleMs'> = {}): void {
  if (held.has(resolve(runDir)) || !existsSync(runPath(runDir, 'lock'))) return;
  const holder = readLockHolder(runDir);
  if (staleness(runDir, holder, options.staleMs ?? DEFAULT_STALE_MS) === null) throw new Error(lockedMessage(runDir, holder));
}
