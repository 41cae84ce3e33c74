import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { listCheckpoints, loadCheckpoint, loadLatestCheckpoint, saveCheckpoint } from './checkpoint.js';

const dir = mkdtempSync(join(tmpdir(), 'mempo-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkpoints', () => {
  it('round-trips tensors and metadata, keeps the newest few, ignores unfinished temp folders', () => {
    const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const b = tf.scalar(0.25);
    for (const update of [1, 2, 3]) saveCheckpoint(dir, update, { meta: { update, rng: [1, 2, 3, 4] }, tensors: { a, 'x/b': b } }, 2);
    // A crash during a write leaves only a temporary folder, which is never taken for a checkpoint.
    mkdirSync(join(dir, 'update-000004.tmp-99'));
    writeFileSync(join(dir, 'update-000004.tmp-99', 'manifest.json'), '{');
    expect(listCheckpoints(dir).map((p) => p.slice(dir.length + 1))).toEqual(['update-000002', 'update-000003']);
    const loaded = loadLatestCheckpoint(dir)!;
    expect(loaded.meta).toEqual({ update: 3, rng: [1, 2, 3, 4] });
    expect(loaded.tensors['a']!.shape).toEqual([2, 3]);
    expect(Array.from(loaded.tensors['a']!.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(loaded.tensors['x/b']!.dataSync()[0]).toBe(0.25);
    tf.dispose([a, b, ...Object.values(loaded.tensors)]);
  });

  it('reports a truncated tensor file and refuses non-float32 tensors', () => {
    const path = join(dir, 'update-000003');
    writeFileSync(join(path, 'tensors.bin'), new Uint8Array(8));
    expect(() => loadCheckpoint(path)).toThrow(`checkpoint ${path} is truncated: tensors.bin has 8 bytes, its manifest lists 28`);
    const ints = tf.tensor1d([1, 2], 'int32');
    expect(() => saveCheckpoint(dir, 9, { meta: {}, tensors: { ints } }, 2)).toThrow("checkpoint tensor 'ints' must be float32 (got int32)");
    ints.dispose();
    expect(readdirSync(dir)).not.toContain('update-000009');
  });
});
