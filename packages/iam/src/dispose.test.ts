import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { IAMDynamicCore } from './iamDynamicCore.js';
import { IAMStaticCore } from './iamStaticCore.js';

// A study builds and drops many cores in one process: construction followed by dispose() must leave no
// tensor behind (initial values included, not only the variables).
describe('IAM cores release everything on dispose', () => {
  it.each([
    ['static d-set', () => new IAMStaticCore({ seed: 3 })],
    ['dynamic d-patch, 2 heads', () => new IAMDynamicCore({ numRegions: 9, regionSize: 8, attentionSize: 16, hiddenSize: 12, heads: 2, seed: 3 })],
  ])('%s', (_, make) => {
    const before = tf.memory().numTensors;
    const core = make();
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    core.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
