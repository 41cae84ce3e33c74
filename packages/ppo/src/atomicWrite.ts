import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import writeFileAtomicLib from 'write-file-atomic';

/**
 * What to do about a failed write, by error code. The fix names `--out` because the bench's commands are
 * how most run folders are chosen; library callers read it as "another run folder".
 */
const FIXES: Record<string, (path: string) => string> = {
  ENOSPC: () => 'the disk is full (ENOSPC); free space or choose another --out',
  EDQUOT: () => 'the disk quota is used up (EDQUOT); free space or choose another --out',
  EROFS: () => 'the file system is read-only (EROFS); choose a writable --out',
  EACCES: () => 'permission denied (EACCES); make the folder writable or choose another --out',
  EPERM: () => 'permission denied (EPERM); make the folder writable or choose another --out',
  ENOENT: (path) => `its folder ${dirname(path)} does not exist (ENOENT); create it or choose another --out`,
  ENOTDIR: (path) => `a part of ${dirname(path)} is a file, not a folder (ENOTDIR); choose another --out`,
};

/**
 * The error a failed write of `path` is rethrown as: it names the path and, for the codes a user can act on
 * (ENOSPC, EROFS, EACCES, a missing folder, …), the fix. The original error is its `cause`.
 *
 * @example
 * describeWriteError('runs/x/config.json', enospc).message;
 * // "cannot write runs/x/config.json: the disk is full (ENOSPC); free space or choose another --out"
 */
export function describeWriteError(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const fix = code === undefined ? undefined : FIXES[code];
  const reason = fix ? fix(path) : err instanceof Error ? err.message : String(err);
  return new Error(`cannot write ${path}: ${reason}`, { cause: err });
}

/**
 * `mkdir -p` one folder at a time, so a failure reports its real cause: Node's recursive mkdir reports
 * ENOENT on a read-only file system, which would send the user looking for a missing folder.
 */
export function makeDirectory(path: string): void {
  const missing: string[] = [];
  for (let dir = path; !existsSync(dir); dir = dirname(dir)) {
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw describeWriteError(dir, err);
    }
  }
}

/**
 * Writes a file so that readers see the old content or the new, never a part: a temporary file beside it,
 * fsync, rename (write-file-atomic, which also removes the temporary file when the write fails or the
 * process exits). Creates missing parent folders. Failures name the path and the fix
 * ({@link describeWriteError}).
 *
 * @example
 * writeFileAtomic(runPath(runDir, 'progress'), 'update,global_step\n');
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  makeDirectory(dirname(path));
  try {
    writeFileAtomicLib.sync(path, typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  } catch (err) {
    throw describeWriteError(path, err);
  }
}

/**
 * {@link writeFileAtomic} of `value` as indented JSON with a final newline.
 *
 * @example
 * writeJsonAtomic(runPath(runDir, 'config'), { ppo, encoder, core, heads });
 */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Writes and fsyncs one file of a folder being assembled (no rename: the folder is renamed as a whole). */
function writeDurable(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let done = 0; done < bytes.byteLength; ) done += writeSync(fd, bytes, done, bytes.byteLength - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a folder of files atomically: everything goes to `<path>.tmp-<pid>`, fsynced, which is renamed to
 * `path` (replacing an old one) only when complete. On failure the temporary folder is removed, so a full
 * disk leaves no partial folder behind (one would keep the disk full), and the error names `path` and the
 * fix. The pid in the name lets a later run tell a dead writer's leftovers from a live one's
 * ({@link tempFolderOwner}).
 *
 * @example
 * writeFolderAtomic('runs/x/checkpoints/update-000010', { 'manifest.json': '{…}', 'tensors.bin': bytes });
 */
export function writeFolderAtomic(path: string, files: Record<string, string | Uint8Array>): void {
  makeDirectory(dirname(path));
  const temp = `${path}.tmp-${process.pid}`;
  try {
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp);
    for (const [name, data] of Object.entries(files)) writeDurable(join(temp, name), data);
    rmSync(path, { recursive: true, force: true });
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    throw describeWriteError(path, err);
  }
}

const TEMP_SUFFIX = /\.tmp-(\d+)$/;

/** The pid in a {@link writeFolderAtomic} temporary folder's name, or null when `name` is not one. */
export function tempFolderOwner(name: string): number | null {
  const match = TEMP_SUFFIX.exec(name);
  return match ? Number(match[1]) : null;
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
