import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphProgram } from './graphProgram.js';
import { deriveSeed, statelessRandomUniform } from './statelessRandom.js';

const seed = (a: number, b: number) => tf.tensor1d([a, b], 'int32');
const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('statelessRandomUniform', () => {
  // A program needs state; the draws do not use it.
  let anchor: tf.Variable;
  beforeAll(() => {
    anchor = tf.variable(tf.zeros([1]), false);
  });
  afterAll(() => anchor.dispose());

  it('draws the same values for the same seed, eagerly and in a compiled function', () => {
    const s = seed(7, 0);
    const a = statelessRandomUniform([64], s);
    const b = statelessRandomUniform([64], s);
    const program = new GraphProgram({ state: [anchor] });
    const draw = program.compile('draw', (x) => [statelessRandomUniform([64], x)]);
    const [c] = draw.call([s]) as [tf.Tensor];
    expect(values(b)).toEqual(values(a));
    expect(values(c)).toEqual(values(a));
    program.dispose();
    tf.dispose([s, a, b, c]);
  });

  it('draws different values for different seeds (either word)', () => {
    const [s1, s2, s3] = [seed(7, 0), seed(8, 0), seed(7, 1)];
    const [a, b, c] = [s1, s2, s3].map((s) => values(statelessRandomUniform([32], s)));
    expect(b).not.toEqual(a);
    expect(c).not.toEqual(a);
    expect(c).not.toEqual(b);
    tf.dispose([s1, s2, s3]);
  });

  it('draws from [0, 1) with mean 0.5 (10,000 draws within 0.02)', () => {
    const s = seed(123, 456);
    const u = statelessRandomUniform([100, 100], s);
    expect(u.shape).toEqual([100, 100]);
    expect(u.dtype).toBe('float32');
    const v = u.dataSync();
    let sum = 0;
    for (const x of v) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
    }
    expect(Math.abs(sum / v.length - 0.5)).toBeLessThan(0.02);
    tf.dispose([s, u]);
  });

  it('is not frozen in a compiled function: three seeds, three different draws from one graph', () => {
    const program = new GraphProgram({ state: [anchor] });
    const noisy = program.compile('noisy', (x, s) => [tf.mul(x, statelessRandomUniform([16], s))]);
    const x = tf.ones([16]);
    const seeds = [seed(1, 0), seed(2, 0), seed(3, 0)];
    const draws = seeds.map((s) => {
      const [out] = noisy.call([x, s]) as [tf.Tensor];
      const eager = statelessRandomUniform([16], s);
      expect(values(out)).toEqual(values(eager));
      const result = values(out);
      tf.dispose([out, eager]);
      return result.join();
    });
    expect(new Set(draws).size).toBe(3);
    expect(program.stats.compiles).toBe(1);
    program.dispose();
    tf.dispose([x, ...seeds]);
  });

  it('derives independent streams with deriveSeed, in and out of a compiled function, without leaking', () => {
    const s = seed(5, 5);
    const before = tf.memory().numTensors;
    const d1 = deriveSeed(s, 1);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(values(d1)).toEqual([5, 6]);
    const program = new GraphProgram({ state: [anchor] });
    const two = program.compile('two', (x) => [statelessRandomUniform([8], deriveSeed(x, 1)), statelessRandomUniform([8], deriveSeed(x, 2))]);
    const [a, b] = two.call([s]) as [tf.Tensor, tf.Tensor];
    const eager = statelessRandomUniform([8], d1);
    expect(values(a)).toEqual(values(eager));
    expect(values(b)).not.toEqual(values(a));
    program.dispose();
    tf.dispose([s, d1, a, b, eager]);
  });

  it('rejects a seed that is not an int32 tensor of shape [2]', () => {
    const bad = [tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([1, 2], 'float32'), tf.tensor2d([[1, 2]], [1, 2], 'int32')];
    expect(() => statelessRandomUniform([4], bad[0]!)).toThrow('seed must be an int32 tensor of shape [2] (got int32 [3])');
    expect(() => statelessRandomUniform([4], bad[1]!)).toThrow('seed must be an int32 tensor of shape [2] (got float32 [2])');
    expect(() => statelessRandomUniform([4], bad[2]!)).toThrow('seed must be an int32 tensor of shape [2] (got int32 [1,2])');
    tf.dispose(bad);
  });
});
