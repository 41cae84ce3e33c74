import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { GraphProgram } from './graphProgram.js';
import type { NativeBackend } from './nativeBackend.js';
import { first, relativeError } from './test-utils/tensors.js';

// Every test disposes its variables: the engine scans registered variables while tracing.
const live: tf.Variable[] = [];
function variable(init: tf.Tensor, trainable = false): tf.Variable {
  const v = tf.variable(init, trainable);
  live.push(v);
  return v;
}
afterEach(() => {
  live.splice(0).forEach((v) => v.dispose());
});

/** A 2-layer tanh MLP with Adam (bias-corrected, step counter in state): 13 state variables. */
function mlpWithAdam() {
  const params = [
    variable(tf.randomNormal([4, 16], 0, 0.5, 'float32', 1), true),
    variable(tf.randomNormal([16], 0, 0.1, 'float32', 2), true),
    variable(tf.randomNormal([16, 1], 0, 0.5, 'float32', 3), true),
    variable(tf.randomNormal([1], 0, 0.1, 'float32', 4), true),
  ];
  const [w1, b1, w2, b2] = params as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const m = params.map((p) => variable(tf.zerosLike(p)));
  const v = params.map((p) => variable(tf.zerosLike(p)));
  const step = variable(tf.scalar(0));
  const loss = (x: tf.Tensor, y: tf.Tensor) => () => {
    const hidden = tf.tanh(tf.add(tf.matMul(x, w1), b1));
    return tf.mean(tf.square(tf.sub(tf.add(tf.matMul(hidden, w2), b2), y))) as tf.Scalar;
  };
  const update = (x: tf.Tensor, y: tf.Tensor, lr: tf.Tensor): tf.Tensor[] => {
    const { value, grads } = tf.variableGrads(loss(x, y), params);
    step.assign(tf.add(step, 1));
    const correction1 = tf.sub(1, tf.pow(0.9, step));
    const correction2 = tf.sub(1, tf.pow(0.999, step));
    params.forEach((p, i) => {
      const g = grads[p.name]!;
      m[i]!.assign(tf.add(tf.mul(m[i]!, 0.9), tf.mul(g, 0.1)));
      v[i]!.assign(tf.add(tf.mul(v[i]!, 0.999), tf.mul(tf.square(g), 0.001)));
      const direction = tf.div(tf.div(m[i]!, correction1), tf.add(tf.sqrt(tf.div(v[i]!, correction2)), 1e-8));
      p.assign(tf.sub(p, tf.mul(lr, direction)));
    });
    return [value];
  };
  return { state: [...params, ...m, ...v, step], params, update };
}

describe('GraphProgram: compiled update equals the eager one', () => {
  it('trains a 2-layer MLP with Adam for 5 calls like eager code (losses and weights within 1e-5 relative)', () => {
    const { state, update } = mlpWithAdam();
    const initial = state.map((s) => s.clone());
    const batches = [0, 1, 2, 3, 4].map((i) => [tf.randomNormal([8, 4], 0, 1, 'float32', 10 + i), tf.randomNormal([8, 1], 0, 1, 'float32', 20 + i)]);
    const lr = tf.scalar(0.05);

    const program = new GraphProgram({ state });
    const compiled = program.compile('adam', update);
    const graphLosses = batches.map(([x, y]) => first(compiled.call([x!, y!, lr]))[0]!);
    program.pullState();
    const graphState = state.map((s) => s.clone());
    program.dispose();

    state.forEach((s, i) => s.assign(initial[i]!));
    const eagerLosses = batches.map(([x, y]) => tf.tidy(() => update(x!, y!, lr)[0]!.dataSync()[0]!));

    expect(new Set(graphLosses).size).toBe(5); // the weights did move between calls
    expect(relativeError(graphLosses, eagerLosses)).toBeLessThan(1e-5);
    state.forEach((s, i) => expect(relativeError(graphState[i]!, s), `state ${i}`).toBeLessThan(1e-5));
    expect(relativeError(graphState[12]!, tf.scalar(5))).toBe(0); // the step counter
    tf.dispose([...initial, ...graphState, ...batches.flat(), lr]);
  });

  it('keeps state variables apart that were made from one tensor (Adam moments from a shared zeros)', () => {
    const zeros = tf.zeros([2]);
    const m = variable(zeros);
    const v = variable(zeros); // shares m's data until one of them is assigned
    const program = new GraphProgram({ state: [m, v] });
    const f = program.compile('moments', (x) => {
      m.assign(tf.add(m, x));
      v.assign(tf.add(v, tf.mul(x, 10)));
      return [tf.add(m, v)];
    });
    const x = tf.ones([2]);
    for (let i = 0; i < 3; i++) tf.dispose(f.call([x]));
    program.pullState();
    expect(Array.from(m.dataSync())).toEqual([3, 3]);
    expect(Array.from(v.dataSync())).toEqual([30, 30]);
    program.dispose();
    tf.dispose([zeros, x]);
  });

  it('treats an input that shares data with a state variable as an input (a clone of the state passed in)', () => {
    const w = variable(tf.ones([2]));
    const program = new GraphProgram({ state: [w] });
    const f = program.compile('shifted', (x) => [tf.add(x, tf.mul(w, 100))]);
    const alias = w.clone();
    const other = tf.tensor1d([5, 6]);
    expect(first(f.call([alias]))).toEqual([101, 101]);
    expect(first(f.call([other]))).toEqual([105, 106]);
    program.dispose();
    tf.dispose([alias, other]);
  });

  it('returns inputs and state variables unchanged without disposing them', () => {
    const w = variable(tf.tensor1d([1, 2]));
    const program = new GraphProgram({ state: [w] });
    const f = program.compile('passthrough', (x) => [x, w]);
    const x = tf.tensor1d([3, 4]);
    const [a, b] = f.call([x]) as [tf.Tensor, tf.Tensor];
    expect(x.isDisposed).toBe(false);
    expect(w.isDisposed).toBe(false);
    expect(Array.from(a.dataSync())).toEqual([3, 4]);
    expect(Array.from(b.dataSync())).toEqual([1, 2]);
    expect(Array.from(x.dataSync())).toEqual([3, 4]);
    program.dispose();
    tf.dispose([a, b, x]);
  });

  it('compiles two functions of the same name into one program', () => {
    const w = variable(tf.tensor1d([2, 3]));
    const program = new GraphProgram({ state: [w] });
    const add = program.compile('f', (x) => [tf.add(x, w)]);
    const mul = program.compile('f', (x) => [tf.mul(x, w)]);
    const x = tf.ones([2]);
    expect(first(add.call([x]))).toEqual([3, 4]);
    expect(first(mul.call([x]))).toEqual([2, 3]);
    program.dispose();
    x.dispose();
  });
});

describe('GraphProgram: resident state', () => {
  function counter() {
    const w = variable(tf.zeros([2]));
    const program = new GraphProgram({ state: [w] });
    // Adds the input's sum to w and returns the new w.
    const accumulate = program.compile('accumulate', (x) => {
      w.assign(tf.add(w, tf.sum(x)));
      return [tf.mul(w, 1)];
    });
    return { w, program, accumulate };
  }

  it('keeps updates in the session until pullState() copies them into the variables', () => {
    const { w, program, accumulate } = counter();
    const x = tf.ones([3]);
    expect(first(accumulate.call([x]))).toEqual([3, 3]);
    expect(first(accumulate.call([x]))).toEqual([6, 6]);
    expect(Array.from(w.dataSync())).toEqual([0, 0]); // not pulled yet
    program.pullState();
    expect(Array.from(w.dataSync())).toEqual([6, 6]);
    program.pullState(); // a no-op when they agree
    expect(Array.from(w.dataSync())).toEqual([6, 6]);
    program.dispose();
    x.dispose();
  });

  it('pushes an eager assignment made after pullState() into the session before the next call', () => {
    const { w, program, accumulate } = counter();
    const x = tf.ones([3]);
    tf.dispose(accumulate.call([x]));
    program.pullState();
    w.assign(tf.tensor1d([100, 200]));
    expect(first(accumulate.call([x]))).toEqual([103, 203]);
    program.pullState();
    expect(Array.from(w.dataSync())).toEqual([103, 203]);
    program.dispose();
    x.dispose();
  });

  it('pushes an eager assignment made before the first call', () => {
    const { w, program, accumulate } = counter();
    w.assign(tf.tensor1d([1, 2]));
    const x = tf.ones([1]);
    expect(first(accumulate.call([x]))).toEqual([2, 3]);
    program.dispose();
    expect(Array.from(w.dataSync())).toEqual([2, 3]); // dispose() pulls
    x.dispose();
  });

  it('throws when a state variable is assigned eagerly while the graph holds newer values, on any signature', () => {
    const { w, program, accumulate } = counter();
    const x = tf.ones([3]);
    tf.dispose(accumulate.call([x]));
    w.assign(tf.tensor1d([100, 200]));
    const conflict = 'a state variable was assigned eagerly while the graph held newer values: call pullState() before changing state variables outside compiled functions';
    expect(() => accumulate.call([x])).toThrow(conflict);
    const y = tf.ones([5]); // a new signature would pull first: it must not silently drop the eager value either
    expect(() => accumulate.call([y])).toThrow(conflict);
    expect(program.stats.compiles).toBe(1);
    // Resolving it: pullState() takes the graph's values, then the eager write is made again.
    program.pullState();
    expect(Array.from(w.dataSync())).toEqual([3, 3]);
    w.assign(tf.tensor1d([100, 200]));
    expect(first(accumulate.call([x]))).toEqual([103, 203]);
    program.dispose();
    tf.dispose([x, y]);
  });

  it('compiles a second input signature into the same program, sharing its state', () => {
    const { w, program, accumulate } = counter();
    const small = tf.ones([4]);
    const large = tf.ones([8]);
    expect(first(accumulate.call([small]))).toEqual([4, 4]);
    expect(first(accumulate.call([large]))).toEqual([12, 12]);
    expect(first(accumulate.call([small]))).toEqual([16, 16]);
    expect(first(accumulate.call([large]))).toEqual([24, 24]);
    expect(program.stats.compiles).toBe(2);
    program.pullState();
    expect(Array.from(w.dataSync())).toEqual([24, 24]);
    program.dispose();
    tf.dispose([small, large]);
  });

  it('stays usable after TensorFlow rejects a graph: the rejected signature is not kept', () => {
    const { program, accumulate } = counter();
    const x = tf.ones([2]);
    expect(first(accumulate.call([x]))).toEqual([2, 2]);
    const backend = tf.backend() as unknown as NativeBackend;
    const binding = backend.binding;
    backend.binding = Object.create(binding, {
      loadSavedModel: {
        value: () => {
          throw new Error('Failed to load SavedModel: injected');
        },
      },
    });
    const y = tf.ones([3]);
    try {
      expect(() => accumulate.call([y])).toThrow('injected');
    } finally {
      backend.binding = binding;
    }
    expect(program.stats.compiles).toBe(1);
    expect(first(accumulate.call([y]))).toEqual([5, 5]);
    expect(first(accumulate.call([x]))).toEqual([7, 7]);
    expect(program.stats.compiles).toBe(2);
    program.dispose();
    tf.dispose([x, y]);
  });

  it('rejects calls after dispose()', () => {
    const { program, accumulate } = counter();
    program.dispose();
    const x = tf.ones([1]);
    expect(() => accumulate.call([x])).toThrow('this GraphProgram was disposed');
    x.dispose();
  });
});
