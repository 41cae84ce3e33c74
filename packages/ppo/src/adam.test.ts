import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Adam } from './adam.js';

describe('Adam', () => {
  const target = [1, -2, 3];
  const loss = (x: tf.Variable) => () => tf.sum(tf.square(tf.sub(x, tf.tensor1d(target)))) as tf.Scalar;

  it('matches Algorithm 1 of Kingma & Ba step by step (computed by hand in float64)', () => {
    const x = tf.variable(tf.tensor1d([0, 0, 0]));
    const adam = new Adam({ variables: [x], epsilon: 1e-8 });
    const ref = [0, 0, 0];
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    for (let t = 1; t <= 5; t++) {
      const lr = 0.1 / t; // a schedule changes the rate every step
      adam.step(loss(x), { learningRate: tf.scalar(lr), iteration: tf.scalar(t), maxGradNorm: null }).dispose();
      for (let i = 0; i < 3; i++) {
        const g = 2 * (ref[i]! - target[i]!);
        m[i] = 0.9 * m[i]! + 0.1 * g;
        v[i] = 0.999 * v[i]! + 0.001 * g * g;
        const mHat = m[i]! / (1 - 0.9 ** t);
        const vHat = v[i]! / (1 - 0.999 ** t);
        ref[i] = ref[i]! - (lr * mHat) / (Math.sqrt(vHat) + 1e-8);
      }
    }
    Array.from(x.dataSync()).forEach((value, i) => expect(value).toBeCloseTo(ref[i]!, 5));
    adam.dispose();
    x.dispose();
  });

  it('reports the gradient norm and clips it globally', () => {
    const x = tf.variable(tf.tensor1d([0, 0, 0]));
    const adam = new Adam({ variables: [x], epsilon: 1e-8 });
    // ∇ = 2(x − target) = [−2, 4, −6], |∇| = √56.
    const gradNorm = adam.step(loss(x), { learningRate: tf.scalar(0.1), iteration: tf.scalar(1), maxGradNorm: 1 }).dataSync()[0];
    expect(gradNorm).toBeCloseTo(Math.sqrt(56), 4);
    // Adam's first step moves each coordinate by lr·sign(g) regardless of scale, so check the moments instead.
    const m = adam.getState().tensors['m/0']!.dataSync();
    const scale = 1 / (Math.sqrt(56) + 1e-6);
    [-2, 4, -6].forEach((g, i) => expect(m[i]).toBeCloseTo(0.1 * g * scale, 6));
    adam.dispose();
    x.dispose();
  });

  it('round-trips its state and refuses mis-shaped moments', () => {
    const x = tf.variable(tf.tensor1d([0, 0, 0]));
    const adam = new Adam({ variables: [x], epsilon: 1e-8 });
    adam.step(loss(x), { learningRate: tf.scalar(0.1), iteration: tf.scalar(1), maxGradNorm: null }).dispose();
    adam.iterations = 1;
    const other = new Adam({ variables: [x], epsilon: 1e-8 });
    other.setState(adam.getState());
    expect(other.iterations).toBe(1);
    expect(Array.from(other.getState().tensors['v/0']!.dataSync())).toEqual(Array.from(adam.getState().tensors['v/0']!.dataSync()));
    const bad = tf.zeros([2]);
    expect(() => other.setState({ iterations: 1, tensors: { ...adam.getState().tensors, 'm/0': bad } })).toThrow(
      "optimizer state 'm/0' must have shape [3] (got [2])",
    );
    tf.dispose([bad, x]);
    adam.dispose();
    other.dispose();
  });
});
