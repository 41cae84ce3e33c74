import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { listCheckpoints, loadCheckpoint, loadLatestCheckpoint, removeStaleTemps, saveCheckpoint } from './checkpoint.js';

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

  it('takes only a tensors.bin of exactly the size its manifest lists, and names a missing file or corrupt manifest', () => {
    const sub = join(dir, 'exact');
    const a = tf.tensor1d([1, 2, 3]);
    const path = saveCheckpoint(sub, 1, { meta: {}, tensors: { a } }, 1);
    a.dispose();
    appendFileSync(join(path, 'tensors.bin'), new Uint8Array(4));
    expect(() => loadCheckpoint(path)).toThrow(`checkpoint ${path} is damaged: tensors.bin has 16 bytes, its manifest lists 12`);
    rmSync(join(path, 'tensors.bin'));
    expect(() => loadCheckpoint(path)).toThrow(`checkpoint ${path} is incomplete: tensors.bin is missing`);
    writeFileSync(join(path, 'manifest.json'), '{"meta":');
    expect(() => loadCheckpoint(path)).toThrow(`checkpoint ${join(path, 'manifest.json')} is not valid JSON (Unexpected end of JSON input)`);
    writeFileSync(join(path, 'manifest.json'), '{"meta":{}}');
    expect(() => loadCheckpoint(path)).toThrow(`checkpoint ${join(path, 'manifest.json')} is damaged: it must hold { meta, tensors: [{ name, shape, offset }] }`);
    rmSync(join(path, 'manifest.json'));
    expect(() => loadCheckpoint(path)).toThrow(`checkpoint ${path} is incomplete: manifest.json is missing`);
  });

  it('falls back past damaged newer checkpoints with one warning naming them, and refuses when none is intact', () => {
    const sub = join(dir, 'fallback');
    const a = tf.tensor1d([7, 8]);
    for (const update of [2, 4, 6]) saveCheckpoint(sub, update, { meta: { update }, tensors: { a } }, 3);
    a.dispose();
    const [p2, p4, p6] = listCheckpoints(sub) as [string, string, string];
    truncateSync(join(p6, 'tensors.bin'), 3);
    writeFileSync(join(p4, 'manifest.json'), '');
    const warnings: string[] = [];
    const loaded = loadLatestCheckpoint(sub, { warn: (line) => warnings.push(line) })!;
    expect([loaded.path, loaded.meta]).toEqual([p2, { update: 2 }]);
    expect(Array.from(loaded.tensors['a']!.dataSync())).toEqual([7, 8]);
    tf.dispose(Object.values(loaded.tensors));
    expect(warnings).toEqual([
      `warning: checkpoint ${p6} is truncated: tensors.bin has 3 bytes, its manifest lists 8; ` +
        `checkpoint ${join(p4, 'manifest.json')} is not valid JSON (Unexpected end of JSON input); using ${p2}`,
    ]);
    rmSync(join(p2, 'tensors.bin'));
    expect(() => loadLatestCheckpoint(sub, { warn: () => {} })).toThrow(
      `${sub} holds no intact checkpoint (checkpoint ${p6} is truncated: tensors.bin has 3 bytes, its manifest lists 8; ` +
        `checkpoint ${join(p4, 'manifest.json')} is not valid JSON (Unexpected end of JSON input); checkpoint ${p2} is incomplete: tensors.bin is missing): ` +
        'delete the damaged folders to start over, or use a new run folder',
    );
  });

  it("removes temporary folders of dead processes and its own, keeping a live process's", () => {
    const sub = join(dir, 'stale');
    const dead = join(sub, `update-000003.tmp-${2 ** 22 + 1}`);
    const own = join(sub, `update-000004.tmp-${process.pid}`);
    const live = join(sub, `update-000005.tmp-${process.ppid}`);
    for (const p of [dead, own, live]) mkdirSync(p, { recursive: true });
    mkdirSync(join(sub, 'update-000002'));
    expect(removeStaleTemps(sub).sort()).toEqual([dead, own].sort());
    expect(readdirSync(sub).sort()).toEqual(['update-000002', `update-000005.tmp-${process.ppid}`]);
    expect(removeStaleTemps(sub, { runLockHeld: true })).toEqual([live]);
  });
});
