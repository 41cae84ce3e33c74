import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphProgram } from './graphProgram.js';
import type { NativeBinding } from './nativeBackend.js';

const binding = () => (tf.backend() as unknown as { binding: NativeBinding }).binding;

// SavedModels are written under os.tmpdir(); a private one keeps other test files' compiles out of the count.
const originalTmp = process.env.TMPDIR;
let privateTmp: string;
beforeAll(() => {
  privateTmp = mkdtempSync(join(tmpdir(), 'graph-hygiene-'));
  process.env.TMPDIR = privateTmp;
});
afterAll(() => {
  if (originalTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = originalTmp;
  rmSync(privateTmp, { recursive: true, force: true });
});

function snapshot() {
  return {
    numTensors: tf.memory().numTensors,
    nativeTensors: binding().getNumOfTensors(),
    savedModels: binding().getNumOfSavedModels(),
    tempFolders: readdirSync(tmpdir()).filter((name) => name.startsWith('mempo-graph-')).length,
  };
}

describe('resource hygiene', () => {
  it('keeps tensors, native handles, sessions and temp folders flat over 50 compiled updates', () => {
    expect(tmpdir()).toBe(privateTmp);
    const w = tf.variable(tf.randomNormal([6, 3], 0, 1, 'float32', 1), true);
    const b = tf.variable(tf.zeros([3]), true);
    const velocity = [tf.variable(tf.zeros([6, 3])), tf.variable(tf.zeros([3]))];
    const program = new GraphProgram({ state: [w, b, ...velocity] });
    const update = program.compile('momentum', (x, y, lr) => {
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y))) as tf.Scalar, [w, b]);
      [w, b].forEach((p, i) => {
        velocity[i]!.assign(tf.add(tf.mul(velocity[i]!, 0.9), grads[p.name]!));
        p.assign(tf.sub(p, tf.mul(lr, velocity[i]!)));
      });
      return [value];
    });
    const x = tf.randomNormal([10, 6], 0, 1, 'float32', 2);
    const y = tf.randomNormal([10, 3], 0, 1, 'float32', 3);
    const lr = tf.scalar(0.01);

    tf.dispose(update.call([x, y, lr])); // warm-up: compiles and loads the session
    program.pullState();
    const before = snapshot();
    expect(before.tempFolders).toBe(0);
    let lastLoss = Infinity;
    for (let i = 0; i < 50; i++) {
      const [loss] = update.call([x, y, lr]) as [tf.Tensor];
      if (i === 49) lastLoss = loss.dataSync()[0]!;
      loss.dispose();
      if (i % 10 === 9) program.pullState();
    }
    expect(snapshot()).toEqual(before);
    expect(Number.isFinite(lastLoss)).toBe(true);

    // A second signature replaces the session rather than adding one.
    const x2 = tf.randomNormal([4, 6], 0, 1, 'float32', 4);
    const y2 = tf.randomNormal([4, 3], 0, 1, 'float32', 5);
    tf.dispose(update.call([x2, y2, lr]));
    expect(program.stats.compiles).toBe(2);
    expect(snapshot().savedModels).toBe(before.savedModels);
    expect(snapshot().tempFolders).toBe(0);

    program.dispose();
    expect(snapshot().savedModels).toBe(before.savedModels - 1);
    program.dispose(); // idempotent
    expect(snapshot().savedModels).toBe(before.savedModels - 1);
    tf.dispose([x, y, x2, y2, lr, w, b, ...velocity]);
  });

  it('leaves no tensors behind after tracing and disposing a program', () => {
    const w = tf.tidy(() => tf.variable(tf.ones([4]))); // no other tensor holds w's initial data
    const x = tf.ones([4]);
    tf.add(w, x).dispose(); // gives w and x their native handles, so the count compares like with like
    const before = snapshot();
    const program = new GraphProgram({ state: [w] });
    const f = program.compile('f', (input) => {
      w.assign(tf.add(w, tf.mul(input, tf.scalar(2))));
      return [tf.sum(w), input];
    });
    tf.dispose(f.call([x]));
    tf.dispose(f.call([x]));
    program.dispose();
    // dispose() pulled the state: w holds new data in place of the old (same count).
    expect(Array.from(w.dataSync())).toEqual([5, 5, 5, 5]);
    expect(snapshot()).toEqual(before);
    tf.dispose([w, x]);
  });
});
