import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

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

/** The checkpoint folders under `dir`, oldest first. */
export function listCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => NAME.test(n))
    .sort((a, b) => Number(NAME.exec(a)![1]) - Number(NAME.exec(b)![1]))
    .map((n) => join(dir, n));
}

/**
 * Writes `dir/update-<update>/` atomically: everything goes to a temporary folder that is renamed into place
 * only when complete (DESIGN.md, "Runs"), so a run killed mid-write leaves the previous checkpoints intact.
 * Then deletes all but the newest `keep`. Returns the checkpoint's path. Layout: `manifest.json` (meta and
 * the tensor index) and `tensors.bin` (float32 little-endian, concatenated).
 */
export function saveCheckpoint(dir: string, update: number, contents: CheckpointContents, keep: number): string {
  mkdirSync(dir, { recursive: true });
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
  const final = join(dir, `update-${String(update).padStart(6, '0')}`);
  const temp = `${final}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp);
  writeFileSync(join(temp, 'tensors.bin'), new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength));
  writeFileSync(join(temp, 'manifest.json'), JSON.stringify({ meta: contents.meta, tensors: entries }));
  rmSync(final, { recursive: true, force: true });
  renameSync(temp, final);
  const all = listCheckpoints(dir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) rmSync(old, { recursive: true, force: true });
  return final;
}

/** Reads one checkpoint folder; the caller owns (and disposes) the returned tensors. */
export function loadCheckpoint(path: string): CheckpointContents {
  const manifest = JSON.parse(readFileSync(join(path, 'manifest.json'), 'utf8')) as { meta: Record<string, unknown>; tensors: TensorEntry[] };
  const bytes = readFileSync(join(path, 'tensors.bin'));
  // Copy into an aligned buffer: a Buffer from readFileSync may start at any byte offset of a shared pool.
  const blob = new Float32Array(new Uint8Array(bytes).buffer);
  const tensors: Record<string, tf.Tensor> = {};
  for (const { name, shape, offset } of manifest.tensors) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (offset + size > blob.length) throw new Error(`checkpoint ${path} is truncated: tensor '${name}' runs past tensors.bin`);
    tensors[name] = tf.tensor(blob.slice(offset, offset + size), shape, 'float32');
  }
  return { meta: manifest.meta, tensors };
}

/** The newest checkpoint under `dir`, or null when there is none. */
export function loadLatestCheckpoint(dir: string): CheckpointContents | null {
  const all = listCheckpoints(dir);
  const last = all[all.length - 1];
  return last === undefined ? null : loadCheckpoint(last);
}
