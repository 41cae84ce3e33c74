import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients by itself; core-attention registers them for every mempo package.
import '@mempo/core-attention';
import { describe, expect, it } from 'vitest';
import { RIMCell } from './rimCell.js';
import { SequenceLinear } from './sequenceLinear.js';

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).arraySync() as number;

describe('SequenceLinear', () => {
  // A recurrence through the map, so each step's dy also depends on later steps (as in BPTT).
  const run = (w: tf.Tensor3D, b: tf.Tensor3D, xs: tf.Tensor3D[], deferred: boolean, skipLast: boolean) => {
    const lin = new SequenceLinear(w, b, xs.length, 2);
    let h = tf.zeros([3, 2, 4]) as tf.Tensor3D;
    let loss = tf.scalar(0);
    xs.forEach((x, t) => {
      const input = tf.concat([x, h], 2) as tf.Tensor3D; // [U, R, 5 + 4]
      const y = deferred ? lin.apply(t, input) : (tf.add(tf.matMul(input, w), b) as tf.Tensor3D);
      h = tf.tanh(y);
      // The last step's output reaches no loss when skipLast: its dy is zero and its op gets no backward pass.
      if (!(skipLast && t === xs.length - 1)) loss = tf.add(loss, tf.sum(tf.mul(h, h)));
    });
    return loss as tf.Scalar;
  };

  it.each([false, true])('gives the gradients of per-step matmuls (x, W and b; unused last step: %s)', (skipLast) => {
    const w = tf.variable(tf.randomNormal([3, 9, 4], 0, 0.5, 'float32', 1));
    const b = tf.variable(tf.randomNormal([3, 1, 4], 0, 0.5, 'float32', 2));
    const xs = [0, 1, 2, 3].map((s) => tf.randomNormal([3, 2, 5], 0, 1, 'float32', 10 + s) as tf.Tensor3D);
    const grads = (deferred: boolean) => {
      const { value, grads } = tf.variableGrads(() => run(w, b, xs, deferred, skipLast), [w, b]);
      // With the last step unused, the last x reaches no loss: differentiate with respect to the others.
      const free = skipLast ? xs.slice(0, -1) : xs;
      const dx = tf.grads((...x: tf.Tensor[]) => run(w, b, [...(x as tf.Tensor3D[]), ...xs.slice(free.length)], deferred, skipLast))(free);
      return { value, dw: grads[w.name]!, db: grads[b.name]!, dx };
    };
    const plain = grads(false);
    const deferred = grads(true);
    expect(maxAbsDiff(plain.value, deferred.value)).toBe(0);
    expect(maxAbsDiff(plain.dw, deferred.dw)).toBeLessThan(1e-5);
    expect(maxAbsDiff(plain.db, deferred.db)).toBeLessThan(1e-5);
    plain.dx.forEach((g, t) => expect(maxAbsDiff(g, deferred.dx[t]!)).toBeLessThan(1e-5));
    expect(tf.max(tf.abs(deferred.dw)).arraySync() as number).toBeGreaterThan(1e-2);
  });

  it('RIMCell: training-mode gradients (per-sequence weight gradients) equal eval-mode ones without dropout', () => {
    for (const kind of ['lstm', 'gru'] as const) {
      const cell = new RIMCell({
        inputSize: 5, hiddenSize: 6, units: 4, k: 2, inputKeySize: 8, inputValueSize: 7, commKeySize: 4,
        numCommHeads: 2, inputDropout: 0, commDropout: 0, cell: kind, seed: 4,
      });
      const [T, B] = [6, 3];
      const xs = tf.randomNormal([T, B, 2, 5], 0, 1, 'float32', 5) as tf.Tensor4D;
      const starts = tf.tensor2d([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0], [T, B]);
      const h0 = tf.randomNormal([B, 4, 6], 0, 1, 'float32', 6) as tf.Tensor3D;
      const state = kind === 'lstm' ? { h: h0, c: tf.randomNormal([B, 4, 6], 0, 1, 'float32', 7) as tf.Tensor3D } : { h: h0 };
      const w = tf.randomNormal([T, B, 4, 6], 0, 1, 'float32', 8);
      const vars = cell.trainableVariables();
      const grads = (training: boolean) =>
        tf.variableGrads(() => tf.sum(tf.mul(cell.sequence(xs, state, starts, { training }).hs, w)) as tf.Scalar, vars).grads;
      const evalGrads = grads(false);
      const trainGrads = grads(true);
      for (const v of vars) {
        const scale = Math.max(1, tf.max(tf.abs(evalGrads[v.name]!)).arraySync() as number);
        expect(maxAbsDiff(evalGrads[v.name]!, trainGrads[v.name]!) / scale, `${kind} ${v.name}`).toBeLessThan(1e-5);
      }
      cell.dispose();
    }
  });

  it('leaves no tensors behind after a forward and backward pass', () => {
    const w = tf.variable(tf.randomNormal([3, 9, 4], 0, 0.5, 'float32', 1));
    const b = tf.variable(tf.randomNormal([3, 1, 4], 0, 0.5, 'float32', 2));
    const xs = [0, 1, 2].map((s) => tf.randomNormal([3, 2, 5], 0, 1, 'float32', 20 + s) as tf.Tensor3D);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.variableGrads(() => run(w, b, xs, true, false), [w, b]);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.tidy(() => {
      run(w, b, xs, true, false);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
