import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { summarizeDiagnostics, summaryLayout } from './acting.js';

/** RIM-like input attention `[B, U, N+1]`: a softmax over each unit's N+1 input elements. */
function attention(scores: number[][][]): tf.Tensor3D {
  return tf.tidy(() => tf.softmax(tf.tensor3d(scores)) as tf.Tensor3D);
}

/** The population standard deviation of one env's values. */
function spread(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
}

describe('summarizeDiagnostics', () => {
  // U = 6 units over N + 1 = 3 elements: 18 values per env, more than are logged per element.
  const focused = [
    [[4, 0, 0], [0, 3, 0], [1, 0, 0], [0, 0, 2], [5, 1, 0], [0, 2, 1]],
    [[0, 0, 6], [2, 0, 0], [0, 1, 0], [3, 3, 0], [0, 0, 0], [1, 0, 4]],
  ];
  const uniform = focused.map((env) => env.map((unit) => unit.map(() => 0)));

  it('logs the spread of a large attention map, which varies with the input where its mean is 1/(N+1)', () => {
    const a = attention(focused);
    const u = attention(uniform);
    // The statistic logged before: the overall mean, the same for every input.
    expect(tf.mean(a).dataSync()[0]).toBeCloseTo(1 / 3, 6);
    expect(tf.mean(u).dataSync()[0]).toBeCloseTo(1 / 3, 6);
    const perEnv = a.arraySync().map((env) => spread(env.flat()));
    expect(summarizeDiagnostics({ inputAttention: a }).dataSync()[0]).toBeCloseTo((perEnv[0]! + perEnv[1]!) / 2, 5);
    expect(summarizeDiagnostics({ inputAttention: u }).dataSync()[0]).toBeCloseTo(0, 6);
    expect(summaryLayout({ inputAttention: a })).toEqual([{ name: 'inputAttention_std', size: 1 }]);
    tf.dispose([a, u]);
  });

  it("the Atari RIM case (U = 6 over 49 regions and the null element): the old mean is 1/50 for any input, the spread is not", () => {
    const scores = (scale: number, seed: number) => tf.tidy(() => tf.softmax(tf.mul(tf.randomNormal([4, 6, 50], 0, 1, 'float32', seed), scale)) as tf.Tensor3D);
    const [soft, sharp] = [scores(0.5, 1), scores(4, 2)];
    for (const a of [soft, sharp]) expect(tf.mean(a).dataSync()[0]).toBeCloseTo(1 / 50, 6);
    const spreadOf = (a: tf.Tensor3D): number => {
      const summary = summarizeDiagnostics({ inputAttention: a });
      const value = summary.dataSync()[0]!;
      summary.dispose();
      return value;
    };
    expect(spreadOf(sharp)).toBeGreaterThan(4 * spreadOf(soft));
    tf.dispose([soft, sharp]);
  });

  it('keeps a small diagnostic per element (mean over envs), in key order before a large one', () => {
    const mask = tf.tensor2d([[1, 0, 1, 1, 0, 1], [0, 0, 1, 1, 1, 1]]);
    const a = attention(focused);
    const before = tf.memory().numTensors;
    const summary = summarizeDiagnostics({ activeMask: mask, inputAttention: a });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(summary.shape).toEqual([7]);
    expect(Array.from(summary.dataSync().slice(0, 6))).toEqual([0.5, 0, 1, 1, 0.5, 1]);
    expect(summaryLayout({ activeMask: mask, inputAttention: a })).toEqual([
      { name: 'activeMask', size: 6 },
      { name: 'inputAttention_std', size: 1 },
    ]);
    tf.dispose([mask, a, summary]);
  });
});
