import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients by itself (@tensorflow/tfjs and tfjs-node do); the tests train on it alone.
import { Dense } from '@mempo/core-attention';
import { describe, expect, it } from 'vitest';
import { RIMCore } from './rimCore.js';

/**
 * A small copying task (RIM paper §4.1 at toy size): `digits` symbols from 1..symbols, a gap of blanks
 * ending in the marker, then blanks while the model must output the symbols again.
 */
function copyingBatch(batch: number, digits: number, symbols: number, gap: number, rng: () => number) {
  const marker = symbols + 1;
  const T = 2 * digits + gap;
  const xs: number[] = [];
  const ys: number[] = [];
  const seqs = Array.from({ length: batch }, () => Array.from({ length: digits }, () => 1 + Math.floor(rng() * symbols)));
  for (let t = 0; t < T; t++) {
    for (const s of seqs) {
      xs.push(t < digits ? s[t]! : t === digits + gap - 1 ? marker : 0);
      ys.push(t >= digits + gap ? s[t - digits - gap]! : 0);
    }
  }
  return {
    x: tf.reshape(tf.cast(tf.oneHot(tf.tensor1d(xs, 'int32'), marker + 1), 'float32'), [T, batch, 1, marker + 1]) as tf.Tensor4D,
    y: tf.reshape(tf.cast(tf.oneHot(tf.tensor1d(ys, 'int32'), symbols + 1), 'float32'), [T, batch, symbols + 1]),
    T,
  };
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('copying task (small)', () => {
  it('is learned by RIM: cross-entropy on the copied digits falls far below chance', () => {
    const [digits, symbols, gap, batch] = [2, 3, 3, 16];
    const core = new RIMCore({
      inputSize: symbols + 2,
      hiddenSize: 16,
      units: 4,
      k: 2,
      inputKeySize: 16,
      inputValueSize: 16,
      commKeySize: 8,
      numCommHeads: 2,
      inputDropout: 0,
      commDropout: 0,
      seed: 1,
    });
    const readout = new Dense({ inputSize: core.outputSize, outputSize: symbols + 1, seed: 2 });
    const vars = [...core.trainableVariables(), ...Object.values(readout.namedVariables())];
    const opt = tf.train.adam(0.02);
    const rng = mulberry32(7);
    const copiedDigitsLoss = (x: tf.Tensor4D, y: tf.Tensor, T: number, training: boolean) => {
      const s0 = core.initialState(batch);
      const { outputs } = core.sequence(x, s0, tf.zeros([T, batch]) as tf.Tensor2D, { training });
      const logits = readout.apply(outputs);
      const tail = tf.losses.softmaxCrossEntropy(tf.slice(y, [T - digits], [digits]), tf.slice(logits, [T - digits], [digits]));
      return { tail };
    };
    let tailLoss = Infinity;
    for (let step = 0; step < 150 && tailLoss > 0.05; step++) {
      const { x, y, T } = copyingBatch(batch, digits, symbols, gap, rng);
      // The copied digits are the hard part; the blanks are trivially predictable.
      opt.minimize(() => tf.tidy(() => copiedDigitsLoss(x, y, T, true).tail as tf.Scalar), false, vars);
      if (step % 10 === 9) {
        tailLoss = tf.tidy(() => copiedDigitsLoss(x, y, T, false).tail.arraySync() as number);
      }
      tf.dispose([x, y]);
    }
    const test = copyingBatch(batch, digits, symbols, gap, mulberry32(99));
    const heldOut = tf.tidy(() => copiedDigitsLoss(test.x, test.y, test.T, false).tail.arraySync() as number);
    // Chance over the symbols is ln(3) ≈ 1.10 nats.
    expect(heldOut).toBeLessThan(0.3);
  });
});
