import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { appendNullElement, competition, inputAttention, maskedRead, maskedUpdate, unitMajorMask } from './rimStep.js';

const lowerIndex = (U: number) =>
  tf.tidy(() => {
    const index = tf.range(0, U, 1, 'int32');
    return tf.expandDims(tf.less(tf.reshape(index, [1, U]), tf.reshape(index, [U, 1])), 0) as tf.Tensor3D;
  });

describe('the named parts of a RIM step', () => {
  it('null element: one all-zero row after the N real inputs', () => {
    const xs = tf.ones([2, 3, 2, 4]) as tf.Tensor4D;
    const withNull = appendNullElement(xs);
    expect(withNull.shape).toEqual([2, 3, 3, 4]);
    expect(Array.from(tf.slice(withNull, [0, 0, 2, 0], [-1, -1, 1, -1]).dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose([xs, withNull]);
  });

  it('input attention sums to 1 over the N+1 elements; competition picks the k units that attend most to the input', () => {
    // U = 3 units, B = 1, one real input and the null element; keys are one-hot so a query's entries are its logits.
    const queries = tf.tensor3d([[[2, 0]], [[0, 1]], [[1, 1]]]); // [U, B, 2]
    const keys = tf.tensor3d([[[1, 0], [0, 1]]]); // [B, N+1, 2]: real input, null
    const { logits, probs } = inputAttention(queries, keys);
    expect(probs.shape).toEqual([1, 3, 2]);
    expect(Array.from(tf.sum(probs, 2).dataSync()).map((v) => Number(v.toFixed(6)))).toEqual([1, 1, 1]);
    const li = lowerIndex(3);
    // P(null): unit 0 lowest, unit 2 a tie of logits 1 and 1 (0.5), unit 1 highest: k = 2 takes units 0 and 2.
    const mask = competition(logits, probs, 'null-attention', 2, li);
    expect(Array.from(mask.dataSync())).toEqual([1, 0, 1]);
    // By the largest real-input logit (2, 0, 1 for units 0, 1, 2), k = 1 keeps unit 0.
    expect(Array.from(competition(logits, probs, 'real-logit', 1, li).dataSync())).toEqual([1, 0, 0]);
    tf.dispose([queries, keys, logits, probs, li, mask]);
  });

  it('masked read is exactly zero for inactive units; masked update keeps their h and c bit for bit', () => {
    const probs = tf.tensor3d([[[0.25, 0.75], [0.5, 0.5]]]); // [B=1, U=2, N+1=2]
    const values = tf.tensor3d([[[4, 8], [1, 2]]]); // [B, N+1, dv=2]
    const mask = tf.tensor2d([[0, 1]]);
    const read = maskedRead(probs, values, mask, null); // [U, B, dv]
    expect(read.arraySync()).toEqual([[[0, 0]], [[2.5, 5]]]);
    const { maskU, active } = unitMajorMask(mask, 2);
    expect(maskU.shape).toEqual([2, 1, 1]);
    const h = tf.tensor3d([[[0.1, 0.2]], [[0.3, 0.4]]]);
    const c = tf.tensor3d([[[1.1, 1.2]], [[1.3, 1.4]]]);
    const hNew = tf.tensor3d([[[9, 9]], [[7, 7]]]);
    const next = maskedUpdate(active, hNew, h, hNew, c);
    expect(Array.from(next.h.dataSync())).toEqual([...Array.from(tf.slice(h, [0], [1]).dataSync()), 7, 7]);
    expect(Array.from(next.c!.dataSync())).toEqual([...Array.from(tf.slice(c, [0], [1]).dataSync()), 7, 7]);
    tf.dispose([probs, values, mask, read, maskU, active, h, c, hNew, next.h, next.c!]);
  });
});
