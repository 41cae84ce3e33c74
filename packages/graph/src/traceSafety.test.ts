import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { GraphProgram } from './graphProgram.js';
import { first } from './test-utils/tensors.js';
import { TraceError } from './traceError.js';

const live: tf.Variable[] = [];
function variable(init: tf.Tensor, name?: string): tf.Variable {
  const v = tf.variable(init, false, name);
  live.push(v);
  return v;
}
afterEach(() => {
  live.splice(0).forEach((v) => v.dispose());
});

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('trace safety', () => {
  it('rejects reading back a tensor derived from an input, naming the kernel that made it', () => {
    const w = variable(tf.ones([3]));
    const program = new GraphProgram({ state: [w] });
    const f = program.compile('readback', (x) => {
      const total = tf.sum(x).dataSync()[0]!;
      return [tf.mul(w, total)];
    });
    const x = tf.ones([3]);
    const error = errorOf(() => f.call([x]));
    expect(error).toBeInstanceOf(TraceError);
    expect(error.message).toMatch(/read the output of kernel #\d+ \(Sum\) back to JS/);
    expect(program.stats.compiles).toBe(0);
    program.dispose();
    x.dispose();
  });

  it('rejects reading back a tensor derived from the state', () => {
    const w = variable(tf.tensor1d([1, 2, 3]));
    const program = new GraphProgram({ state: [w] });
    const f = program.compile('readState', (x) => [tf.mul(x, tf.max(w).arraySync() as number)]);
    const x = tf.ones([3]);
    expect(() => f.call([x])).toThrow(/\(Max\) back to JS/);
    program.dispose();
    x.dispose();
  });

  it('rejects reading back a traced input itself', () => {
    const w = variable(tf.ones([1]));
    const program = new GraphProgram({ state: [w] });
    const f = program.compile('readInput', (x) => [tf.mul(w, x.dataSync()[0]!)]);
    const x = tf.ones([1]);
    expect(() => f.call([x])).toThrow(/read a traced input back to JS/);
    program.dispose();
    x.dispose();
  });

  it('rejects tf.randomUniform inside a compiled function: the two traces differ', () => {
    const w = variable(tf.ones([4]));
    const program = new GraphProgram({ state: [w] });
    const f = program.compile('noisy', (x) => [tf.mul(x, tf.randomUniform([4]))]);
    const x = tf.ones([4]);
    const error = errorOf(() => f.call([x]));
    expect(error).toBeInstanceOf(TraceError);
    expect(error.message).toContain('noisy: two traces of the same call built different graphs');
    expect(error.message).toContain('statelessRandomUniform');
    expect(program.stats.compiles).toBe(0);
    program.dispose();
    x.dispose();
  });

  it('rejects a counter kept in JS (the graph would freeze its first value)', () => {
    const w = variable(tf.ones([1]));
    const program = new GraphProgram({ state: [w] });
    let calls = 0;
    const f = program.compile('counted', (x) => [tf.add(x, tf.scalar(++calls))]);
    const x = tf.ones([1]);
    expect(() => f.call([x])).toThrow(/two traces of the same call built different graphs \(counted_0\/const_\d+ has a different value\)/);
    program.dispose();
    x.dispose();
  });

  it('rejects reading a tf.Variable that is not in the state, naming it', () => {
    const w = variable(tf.ones([2]));
    const hidden = variable(tf.tensor1d([7, 8]), 'hiddenScale');
    const program = new GraphProgram({ state: [w] });
    const f = program.compile('scaled', (x) => [tf.mul(tf.add(x, w), hidden)]);
    const x = tf.ones([2]);
    const error = errorOf(() => f.call([x]));
    expect(error).toBeInstanceOf(TraceError);
    expect(error.message).toContain("scaled reads tf.Variable 'hiddenScale', which is not in the program's state");
    program.dispose();
    x.dispose();
  });

  it('rejects an undeclared tf.Variable even with verifyDeterminism off and its values never uploaded', () => {
    const w = variable(tf.ones([2]));
    const program = new GraphProgram({ state: [w], verifyDeterminism: false });
    const fresh = variable(tf.tensor1d([7, 8]), 'freshScale'); // values still in JS: no native handle yet
    const f = program.compile('scaledOnce', (x) => [tf.mul(x, fresh)]);
    const x = tf.ones([2]);
    expect(() => f.call([x])).toThrow("scaledOnce reads tf.Variable 'freshScale', which is not in the program's state");
    program.dispose();
    x.dispose();
  });

  it('allows reading back a tensor not derived from inputs or state, and freezes captured tensors as constants', () => {
    const w = variable(tf.tensor1d([1, 2]));
    const program = new GraphProgram({ state: [w] });
    const captured = tf.tensor1d([10, 20]);
    const f = program.compile('constants', (x) => {
      const scale = tf.sum(captured).dataSync()[0]!; // 30, a constant: fine
      return [tf.add(tf.mul(x, scale), tf.add(w, captured))];
    });
    const x = tf.ones([2]);
    expect(first(f.call([x]))).toEqual([41, 52]);
    const y = tf.tensor1d([2, 0]);
    expect(first(f.call([y]))).toEqual([71, 22]);
    expect(program.stats.compiles).toBe(1);
    program.dispose();
    tf.dispose([captured, x, y]);
  });

  it('rejects calling a compiled function inside another (its outputs would be frozen)', () => {
    const w = variable(tf.ones([2]));
    const inner = new GraphProgram({ state: [w] });
    const double = inner.compile('double', (x) => [tf.mul(x, w)]);
    const v = variable(tf.ones([2]));
    const outer = new GraphProgram({ state: [v] });
    const nested = outer.compile('nested', (x) => [tf.add(double.call([x])[0]!, v)]);
    const x = tf.ones([2]);
    tf.dispose(double.call([x])); // the inner session exists
    const error = errorOf(() => nested.call([x]));
    expect(error).toBeInstanceOf(TraceError);
    expect(error.message).toContain('a traced function ran a TensorFlow session');
    inner.dispose();
    outer.dispose();
    x.dispose();
  });

  it('rejects a function that does not return an array of tensors', () => {
    const w = variable(tf.ones([1]));
    const program = new GraphProgram({ state: [w] });
    const f = program.compile('bad', (x) => tf.add(x, w) as unknown as tf.Tensor[]);
    const x = tf.ones([1]);
    expect(() => f.call([x])).toThrow('bad must return a non-empty array of tensors');
    program.dispose();
    x.dispose();
  });

  it('leaves the state as it was after a trace that throws', () => {
    const w = variable(tf.tensor1d([1, 2]));
    const program = new GraphProgram({ state: [w] });
    const f = program.compile('halfway', (x) => {
      w.assign(tf.add(w, x));
      tf.sum(w).dataSync();
      return [w];
    });
    const x = tf.ones([2]);
    expect(() => f.call([x])).toThrow(TraceError);
    expect(Array.from(w.dataSync())).toEqual([1, 2]);
    program.dispose();
    x.dispose();
  });
});
