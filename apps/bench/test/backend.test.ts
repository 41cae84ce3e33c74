import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend.js';

describe('tensor backend selection', () => {
  it('loads the native tensorflow backend by default after set-up', async () => {
    const saved = process.env.MEMPO_BACKEND;
    delete process.env.MEMPO_BACKEND;
    try {
      const info = await useBackend();
      expect(info.name).toBe('tensorflow');
      expect(tf.getBackend()).toBe('tensorflow');
      // provisioned from the pinned tensorflow-cpu wheel (tools/provision-libtensorflow.sh)
      expect(info.tensorflowVersion).toMatch(/^2\.\d+\.\d+/);
    } finally {
      if (saved !== undefined) process.env.MEMPO_BACKEND = saved;
    }
  });

  it('computes and differentiates on the native backend like the cpu reference', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(Array.from({ length: 2 * 9 * 9 * 2 }, (_, i) => Math.sin(i)), [2, 9, 9, 2]);
        const w = tf.tensor4d(Array.from({ length: 3 * 3 * 2 * 4 }, (_, i) => Math.cos(i)), [3, 3, 2, 4]);
        const loss = (filter: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, filter as tf.Tensor4D, 2, 'valid')));
        return Array.from(tf.grad(loss)(w).dataSync());
      });
    await useBackend('tensorflow');
    const native = run();
    await useBackend('cpu');
    const reference = run();
    await useBackend('tensorflow');
    native.forEach((v, i) => expect(v).toBeCloseTo(reference[i]!, 2));
  });

  it('switches to an explicitly requested backend', async () => {
    expect((await useBackend('wasm')).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect((await useBackend('cpu')).name).toBe('cpu');
    await useBackend('tensorflow');
  });

  it('rejects an unknown backend name, naming the allowed values', async () => {
    await expect(useBackend('webgpu')).rejects.toThrow(
      "--backend must be one of tensorflow, wasm, cpu (got 'webgpu')",
    );
  });

  it('names MEMPO_BACKEND when the bad value came from the environment', async () => {
    process.env.MEMPO_BACKEND = 'gpu';
    try {
      await expect(useBackend()).rejects.toThrow("MEMPO_BACKEND must be one of tensorflow, wasm, cpu (got 'gpu')");
    } finally {
      delete process.env.MEMPO_BACKEND;
    }
  });
});
