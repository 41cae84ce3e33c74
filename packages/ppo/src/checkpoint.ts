import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { processIsAlive, tempFolderOwner, writeFolderAtomic } from './atomicWrite.js';
import { CHECKPOINT_FILES } from './runFolder.js';

/** What a checkpoint holds: JSON metadata and named float32 tensors. */
export interface CheckpointContents {
  /** Counters, config, RNG state, … (anything JSON). */
  meta: Record<string, unknown>;
  /** Model weights, optimizer moments, recurrent state, … */
  tensors: Record<string, tf.Tensor>;
}

interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in float32 elements into tensors.bin. */
  offset: number;
}

const NAME = /^update-(\d+)$/;
const { manifest: MANIFEST, tensors: TENSORS } = CHECKPOINT_FILES;

/** The checkpoint folders under `dir`, oldest first. */
export function listCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => NAME.test(n))
    .sort((a, b) => Number(NAME.exec(a)![1]) - Number(NAME.exec(b)![1]))
    .map((n) => join(dir, n));
}

/** The reason a checkpoint folder cannot be loaded (missing file, corrupt manifest, wrong tensors.bin size). */
export class CheckpointDamagedError extends Error {
  override readonly name = 'CheckpointDamagedError';
}

/**
 * Writes `dir/update-<update>/` atomically ({@link writeFolderAtomic}: a temporary folder renamed into place
 * only when complete, removed again when the write fails), so a run killed mid-write or stopped by a full
 * disk leaves the previous checkpoints intact. Then deletes all but the newest `keep`. Returns the
 * checkpoint's path. Layout: `manifest.json` (meta and the tensor index) and `tensors.bin` (float32
 * little-endian, concatenated).
 */
export function saveCheckpoint(dir: string, update: number, contents: CheckpointContents, keep: number): string {
  const final = join(dir, `update-${String(update).padStart(6, '0')}`);
  writeFolderAtomic(final, encodeCheckpoint(contents));
  const all = listCheckpoints(dir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) rmSync(old, { recursive: true, force: true });
  return final;
}

/**
 * A checkpoint's two files (`manifest.json`, `tensors.bin`) as {@link writeFolderAtomic} takes them, for
 * folders laid out like a checkpoint (`best/`); {@link loadCheckpoint} reads them back.
 */
export function encodeCheckpoint(contents: CheckpointContents): Record<string, string | Uint8Array> {
  const entries: TensorEntry[] = [];
  let offset = 0;
  const arrays: Float32Array[] = [];
  for (const [name, t] of Object.entries(contents.tensors)) {
    if (t.dtype !== 'float32') throw new Error(`checkpoint tensor '${name}' must be float32 (got ${t.dtype})`);
    const data = t.dataSync() as Float32Array;
    entries.push({ name, shape: [...t.shape], offset });
    arrays.push(data);
    offset += data.length;
  }
  const blob = new Float32Array(offset);
  let at = 0;
  for (const a of arrays) {
    blob.set(a, at);
    at += a.length;
  }
  return {
    [TENSORS]: new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength),
    [MANIFEST]: JSON.stringify({ meta: contents.meta, tensors: entries }),
  };
}

/**
 * Removes the temporary folders of checkpoint writes that can no longer finish: those of dead processes and
 * this process's own (left by a failed write). Another live process's folder is kept unless the caller holds
 * the run lock (`runLockHeld`): then no other process can be writing here, and a live pid in a leftover's
 * name is a recycled one. Returns the removed paths.
 */
export function removeStaleTemps(dir: string, options: { runLockHeld?: boolean } = {}): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const pid = tempFolderOwner(name);
    if (pid === null || (!options.runLockHeld && pid !== process.pid && processIsAlive(pid))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

function damaged(message: string, cause?: unknown): CheckpointDamagedError {
  return new CheckpointDamagedError(message, cause === undefined ? undefined : { cause });
}

function readManifest(path: string): { meta: Record<string, unknown>; tensors: TensorEntry[] } {
  const file = join(path, MANIFEST);
  if (!existsSync(file)) throw damaged(`checkpoint ${path} is incomplete: ${MANIFEST} is missing`);
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw damaged(`checkpoint ${file} is not valid JSON (${(err as Error).message})`, err);
  }
  const m = manifest as { meta?: unknown; tensors?: unknown };
  const entryOk = (e: unknown): boolean => {
    const t = e as TensorEntry;
    return typeof t?.name === 'string' && Array.isArray(t.shape) && t.shape.every((d) => Number.isInteger(d) && d >= 0) && Number.isInteger(t.offset);
  };
  if (typeof m !== 'object' || m === null || typeof m.meta !== 'object' || m.meta === null || !Array.isArray(m.tensors) || !m.tensors.every(entryOk))
    throw damaged(`checkpoint ${file} is damaged: it must hold { meta, tensors: [{ name, shape, offset }] }`);
  return m as { meta: Record<string, unknown>; tensors: TensorEntry[] };
}

/**
 * The `meta` of the newest checkpoint under `dir` whose manifest reads (its tensors are not loaded), or
 * null when there is none: how far a run has trained, known before a backend starts.
 */
export function newestCheckpointMeta(dir: string): Record<string, unknown> | null {
  for (const path of listCheckpoints(dir).reverse()) {
    try {
      return readManifest(path).meta;
    } catch (err) {
      if (!(err instanceof CheckpointDamagedError)) throw err;
    }
  }
  return null;
}

/**
 * Reads one checkpoint folder; the caller owns (and disposes) the returned tensors. A missing file, a
 * manifest that is not JSON, or a `tensors.bin` whose size differs from what the manifest lists (to the
 * byte) throws a {@link CheckpointDamagedError} naming the folder or file.
 */
export function loadCheckpoint(path: string): CheckpointContents {
  const manifest = readManifest(path);
  const file = join(path, TENSORS);
  if (!existsSync(file)) throw damaged(`checkpoint ${path} is incomplete: ${TENSORS} is missing`);
  const bytes = readFileSync(file);
  let expected = 0;
  for (const { name, shape, offset } of manifest.tensors) {
    if (offset !== expected) throw damaged(`checkpoint ${join(path, MANIFEST)} is damaged: tensor '${name}' starts at ${offset}, not ${expected}`);
    expected += shape.reduce((a, b) => a * b, 1);
  }
  const expectedBytes = expected * Float32Array.BYTES_PER_ELEMENT;
  if (bytes.byteLength !== expectedBytes)
    throw damaged(
      `checkpoint ${path} is ${bytes.byteLength < expectedBytes ? 'truncated' : 'damaged'}: ${TENSORS} has ${bytes.byteLength} bytes, its manifest lists ${expectedBytes}`,
    );
  // Copy into an aligned buffer: a Buffer from readFileSync may start at any byte offset of a shared pool.
  const blob = new Float32Array(new Uint8Array(bytes).buffer);
  const tensors: Record<string, tf.Tensor> = {};
  for (const { name, shape, offset } of manifest.tensors) {
    const size = shape.reduce((a, b) => a * b, 1);
    tensors[name] = tf.tensor(blob.slice(offset, offset + size), shape, 'float32');
  }
  return { meta: manifest.meta, tensors };
}

/** Options of {@link loadLatestCheckpoint}. */
export interface LoadLatestOptions {
  /** Receives one line per damaged checkpoint passed over. Default `console.warn`. */
  warn?: (line: string) => void;
}

/**
 * The newest intact checkpoint under `dir` with its path, or null when there is none. A damaged newer one
 * (a truncated `tensors.bin`, a corrupt manifest, a missing file) is passed over with a warning naming it,
 * so a run resumes from the one before; when every checkpoint is damaged this throws, listing them.
 *
 * @example
 * const saved = loadLatestCheckpoint(runPath(runDir, 'checkpoints'), { warn: (line) => log.warn(line) });
 */
export function loadLatestCheckpoint(dir: string, options: LoadLatestOptions = {}): (CheckpointContents & { path: string }) | null {
  const warn = options.warn ?? ((line: string) => console.warn(line));
  const all = listCheckpoints(dir);
  const problems: string[] = [];
  for (let i = all.length - 1; i >= 0; i--) {
    const path = all[i]!;
    try {
      const contents = loadCheckpoint(path);
      if (problems.length > 0) warn(`warning: ${problems.join('; ')}; using ${path}`);
      return { ...contents, path };
    } catch (err) {
      if (!(err instanceof CheckpointDamagedError)) throw err;
      problems.push(err.message);
    }
  }
  if (problems.length > 0)
    throw new Error(`${dir} holds no intact checkpoint (${problems.join('; ')}): delete the damaged folders to start over, or use a new run folder`);
  return null;
}
