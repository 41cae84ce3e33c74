import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterEach, describe, expect, it } from 'vitest';
import { GraphProgram } from './graphProgram.js';
import { activeNativeBackend } from './nativeBackend.js';
import { statelessRandomUniform } from './statelessRandom.js';

afterEach(async () => {
  await tf.setBackend('tensorflow');
});

async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  // The cpu backend advertises tfjs-node on first use in Node.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
}

describe('native backend', () => {
  it('runs this suite on tfjs-node', () => {
    expect(tf.getBackend()).toBe('tensorflow');
    expect(activeNativeBackend()).not.toBeNull();
  });

  it('refuses a program on another backend, saying which backend is active and what is needed', async () => {
    await useCpu();
    expect(activeNativeBackend()).toBeNull();
    const w = tf.variable(tf.ones([2]));
    expect(() => new GraphProgram({ state: [w] })).toThrow(
      "the graph engine needs the native 'tensorflow' backend (@tensorflow/tfjs-node), but the active backend is 'cpu'",
    );
    w.dispose();
  });

  it('refuses a program without state', () => {
    expect(() => new GraphProgram({ state: [] })).toThrow('state must hold at least one variable');
  });

  it('draws stateless uniforms on other backends too: a pure function of the seed, in [0, 1)', async () => {
    await useCpu();
    const s = tf.tensor1d([3, 4], 'int32');
    const t = tf.tensor1d([3, 5], 'int32');
    const a = Array.from(statelessRandomUniform([1000], s).dataSync());
    const b = Array.from(statelessRandomUniform([1000], s).dataSync());
    const c = Array.from(statelessRandomUniform([1000], t).dataSync());
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(a.reduce((x, y) => x + y, 0) / a.length - 0.5)).toBeLessThan(0.05);
    tf.disposeVariables();
  });
});
