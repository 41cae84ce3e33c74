import * as tf from '@tensorflow/tfjs-core';
import { activeNativeBackend } from './nativeBackend.js';

/**
 * Uniform floats in [0, 1) that are a pure function of `seed` (an int32 tensor `[2]`), so a compiled graph
 * draws fresh values on every call from the seed fed to it, and eager and graph calls with the same seed draw
 * the same values.
 *
 * On the native backend this is TensorFlow's `StatelessRandomUniform` kernel (Philox), run through tfjs-node's
 * addon: in a traced function it becomes a graph node fed by the seed input. Other backends (wasm, cpu: eager
 * only) read the seed and draw from a counter-based hash in JS; their numbers differ from TensorFlow's.
 *
 * Throws `seed must be an int32 tensor of shape [2] (got …)` for any other seed.
 *
 * @example
 * const u = statelessRandomUniform([8], tf.tensor1d([7, 0], 'int32')); // same 8 numbers for seed [7, 0]
 */
export function statelessRandomUniform(shape: readonly number[], seed: tf.Tensor): tf.Tensor {
  if (seed.dtype !== 'int32' || seed.shape.join() !== '2') throw new Error(`seed must be an int32 tensor of shape [2] (got ${seed.dtype} [${seed.shape}])`);
  const backend = activeNativeBackend();
  if (!backend) return hashedUniform(shape, seed.dataSync() as Int32Array);
  const binding = backend.binding;
  const shapeTensor = tf.tensor1d([...shape], 'int32');
  try {
    const [out] = binding.executeOp(
      'StatelessRandomUniform',
      [
        { name: 'dtype', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
        { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_INT32 },
        { name: 'Tseed', type: binding.TF_ATTR_TYPE, value: binding.TF_INT32 },
      ],
      backend.getInputTensorIds([shapeTensor, seed]),
      1,
    );
    return backend.createOutputTensor(out!);
  } finally {
    shapeTensor.dispose();
  }
}

/**
 * A seed for a second, independent stream: `seed + [0, salt]` (each call site of a function uses its own salt,
 * so one seed input feeds several draws). Returns a new tensor; nothing else is left behind.
 */
export function deriveSeed(seed: tf.Tensor, salt: number): tf.Tensor {
  return tf.tidy(() => tf.add(seed, tf.tensor1d([0, salt], 'int32')));
}

/** splitmix32-style hash of (seed, index) → [0, 1), for backends without TensorFlow's kernels. */
function hashedUniform(shape: readonly number[], seed: Int32Array): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  const base = (Math.imul(seed[0]!, 0x9e3779b9) ^ Math.imul(seed[1]!, 0x85ebca6b)) >>> 0;
  for (let i = 0; i < size; i++) {
    let z = (base + Math.imul(i + 1, 0x9e3779b9)) >>> 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z = (z ^ (z >>> 16)) >>> 0;
    values[i] = (z >>> 8) / 16777216;
  }
  return tf.tensor(values, [...shape], 'float32');
}
