import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Dense } from './dense.js';

describe('Dense initialisers', () => {
  it("'glorot' draws the kernel within gain·√(6/(in+out)) and starts the bias at zero", () => {
    const [inputSize, outputSize] = [40, 10];
    const limit = Math.sqrt(6 / (inputSize + outputSize));
    const plain = new Dense({ inputSize, outputSize, init: 'glorot', seed: 3 });
    const small = new Dense({ inputSize, outputSize, init: 'glorot', gain: 0.01, seed: 3 });
    const k = plain.kernel.dataSync();
    expect(Math.max(...Array.from(k, Math.abs))).toBeLessThanOrEqual(limit);
    // Spread over the range, not collapsed near zero: the largest draw of 400 is close to the limit.
    expect(Math.max(...Array.from(k, Math.abs))).toBeGreaterThan(0.9 * limit);
    expect(Array.from(plain.bias!.dataSync())).toEqual(new Array(outputSize).fill(0));
    // Same seed, so the gain scales the very same draws.
    Array.from(small.kernel.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(0.01 * k[i]!, 7));
    expect(small.config()).toEqual({ inputSize, outputSize, init: 'glorot', gain: 0.01, seed: 3 });
    tf.dispose([plain, small].flatMap((d) => Object.values(d.namedVariables())));
  });

  it('rejects an unknown init and a non-positive gain, naming the field', () => {
    expect(() => new Dense({ inputSize: 2, outputSize: 2, init: 'he' as 'glorot' })).toThrow(
      "init must be one of 'uniform', 'glorot', 'torch-ac', 'orthogonal', 'variance-scaling' (got init=he)",
    );
    expect(() => new Dense({ inputSize: 2, outputSize: 2, gain: 0 })).toThrow('gain must be a positive finite number (got gain=0)');
  });
});
