import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GroupLinear, groupMatMul } from './groupLinear.js';

const maxAbs = (a: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(a)).arraySync() as number);

/** The definition, one unit at a time: y[:, u] = x[:, u] · W[u] (+ b[u]). */
const perUnitLoop = (x: tf.Tensor3D, w: tf.Tensor3D, b: tf.Tensor2D | null): tf.Tensor3D =>
  tf.tidy(() => {
    const [B, U, din] = x.shape;
    const dout = w.shape[2];
    const rows = Array.from({ length: U }, (_, u) => {
      const xu = tf.reshape(tf.slice(x, [0, u, 0], [B, 1, din]), [B, din]);
      const wu = tf.reshape(tf.slice(w, [u, 0, 0], [1, din, dout]), [din, dout]);
      const yu = tf.matMul(xu, wu);
      return b ? tf.add(yu, tf.reshape(tf.slice(b, [u, 0], [1, dout]), [dout])) : yu;
    });
    return tf.stack(rows, 1) as tf.Tensor3D;
  });

describe('GroupLinear', () => {
  it.each([false, true])('equals a per-unit loop of matMuls (bias=%s)', (bias) => {
    const lin = new GroupLinear({ units: 5, inputSize: 3, outputSize: 7, bias, seed: 2 });
    if (bias) lin.setWeights({ kernel: lin.kernel, bias: tf.randomNormal([5, 7], 0, 1, 'float32', 3) });
    const x = tf.randomNormal([4, 5, 3], 0, 1, 'float32', 4) as tf.Tensor3D;
    const y = lin.apply(x);
    expect(y.shape).toEqual([4, 5, 7]);
    const expected = perUnitLoop(x, lin.kernel as tf.Tensor3D, lin.bias as tf.Tensor2D | null);
    expect(maxAbs(tf.sub(y, expected))).toBeLessThan(1e-6);
    // Units really are independent: unit 2's output ignores every other unit's input.
    const x2 = tf.concat([tf.slice(x, [0, 0, 0], [4, 2, 3]), tf.slice(x, [0, 2, 0], [4, 1, 3]), tf.zeros([4, 2, 3])], 1) as tf.Tensor3D;
    expect(maxAbs(tf.sub(tf.slice(lin.apply(x2), [0, 2, 0], [4, 1, 7]), tf.slice(y, [0, 2, 0], [4, 1, 7])))).toBe(0);
    lin.dispose();
  });

  it('has a bias variable only when asked, zero at first', () => {
    const without = new GroupLinear({ units: 2, inputSize: 3, outputSize: 4, seed: 1 });
    expect(Object.keys(without.namedVariables())).toEqual(['kernel']);
    expect(without.bias).toBeNull();
    const withBias = new GroupLinear({ units: 2, inputSize: 3, outputSize: 4, bias: true, seed: 1 });
    expect(Object.fromEntries(Object.entries(withBias.namedVariables()).map(([k, v]) => [k, v.shape]))).toEqual({
      kernel: [2, 3, 4],
      bias: [2, 4],
    });
    expect(maxAbs(withBias.bias!)).toBe(0);
    // Same seed, same kernel: the bias flag does not shift the random stream.
    expect(withBias.kernel.arraySync()).toEqual(without.kernel.arraySync());
    without.dispose();
    withBias.dispose();
  });

  it('rejects a wrong input shape, naming the expected one', () => {
    const lin = new GroupLinear({ units: 4, inputSize: 3, outputSize: 2, seed: 1 });
    expect(() => lin.apply(tf.zeros([2, 3, 3]) as tf.Tensor3D)).toThrow('GroupLinear: x must have shape [B,4,3] (got [2,3,3])');
    expect(() => lin.apply(tf.zeros([2, 4, 5]) as tf.Tensor3D)).toThrow('GroupLinear: x must have shape [B,4,3] (got [2,4,5])');
    expect(() => new GroupLinear({ units: 0, inputSize: 3, outputSize: 2 })).toThrow('units must be a positive integer (got 0)');
    lin.dispose();
  });

  it('groupMatMul and apply keep the tensor count flat and round-trip config', () => {
    const lin = new GroupLinear({ units: 3, inputSize: 2, outputSize: 2, bias: true, seed: 5 });
    const x = tf.ones([1, 3, 2]) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    tf.dispose([lin.apply(x), groupMatMul(x, lin.kernel)]);
    expect(tf.memory().numTensors).toBe(before);
    const copy = new GroupLinear(lin.config());
    expect(copy.kernel.arraySync()).toEqual(lin.kernel.arraySync());
    lin.dispose();
    copy.dispose();
  });
});
