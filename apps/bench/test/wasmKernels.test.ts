import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend.js';

/** dL/dW of L = Σ conv2d(x, W)·g for fixed x, W and upstream g; the same numbers on every backend. */
function filterGradient(xShape: number[], wShape: number[], strides: [number, number], pad: 'valid' | 'same', dilations: [number, number]): number[] {
  return tf.tidy(() => {
    const x = tf.tensor(Array.from({ length: xShape.reduce((a, b) => a * b) }, (_, i) => Math.sin(i * 0.37)), xShape) as tf.Tensor4D;
    const w = tf.tensor(Array.from({ length: wShape.reduce((a, b) => a * b) }, (_, i) => Math.cos(i * 0.11)), wShape) as tf.Tensor4D;
    const loss = (filter: tf.Tensor) => {
      const y = tf.conv2d(x, filter as tf.Tensor4D, strides, pad, 'NHWC', dilations);
      const g = tf.tensor(Array.from({ length: y.size }, (_, i) => Math.sin(i * 0.05 + 1)), y.shape);
      return tf.sum(tf.mul(y, g));
    };
    return Array.from(tf.grad(loss)(w).dataSync());
  });
}

describe('wasm training kernels', () => {
  it.each([
    ['Nature-CNN first layer, 8×8 stride 4 valid', [2, 20, 20, 4], [8, 8, 4, 3], [4, 4], 'valid', [1, 1]],
    ['3×3 stride 2 same (padding)', [2, 9, 7, 3], [3, 3, 3, 5], [2, 2], 'same', [1, 1]],
    ['2×2 stride 1 valid (MiniGrid conv)', [3, 7, 7, 3], [2, 2, 3, 4], [1, 1], 'valid', [1, 1]],
  ] as const)('Conv2DBackpropFilter matches the cpu backend: %s', async (_, xShape, wShape, strides, pad, dilations) => {
    await useBackend('cpu');
    const reference = filterGradient([...xShape], [...wShape], [...strides], pad, [...dilations]);
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const wasm = filterGradient([...xShape], [...wShape], [...strides], pad, [...dilations]);
    expect(tf.memory().numTensors).toBe(before);
    expect(wasm.length).toBe(reference.length);
    wasm.forEach((v, i) => expect(v).toBeCloseTo(reference[i]!, 3));
  });
});
