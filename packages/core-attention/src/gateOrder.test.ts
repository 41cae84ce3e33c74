import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LSTM_GATE_ORDER, reorderGateBlocks, splitGates } from './gateOrder.js';

// Gate blocks of width 2 whose values name their gate: i = 1, f = 2, g = 3, o = 4.
const stored = () => tf.tensor2d([[1, 1, 2, 2, 3, 3, 4, 4]]);

describe('LSTM gate order', () => {
  it('is PyTorch’s i, f, g, o and names the blocks of a stored weight', () => {
    expect(LSTM_GATE_ORDER).toEqual(['i', 'f', 'g', 'o']);
    const z = stored();
    const gates = splitGates(z);
    expect(Object.fromEntries(Object.entries(gates).map(([name, t]) => [name, Array.from(t.dataSync())]))).toEqual({
      i: [1, 1], f: [2, 2], g: [3, 3], o: [4, 4],
    });
    tf.dispose([z, ...Object.values(gates)]);
  });

  it('reorders blocks between orders and back, on the last axis of any rank', () => {
    const z = stored();
    const fused = reorderGateBlocks(z, LSTM_GATE_ORDER, ['i', 'f', 'o', 'g']);
    expect(Array.from(fused.dataSync())).toEqual([1, 1, 2, 2, 4, 4, 3, 3]);
    const back = reorderGateBlocks(fused, ['i', 'f', 'o', 'g'], LSTM_GATE_ORDER);
    expect(Array.from(back.dataSync())).toEqual(Array.from(z.dataSync()));
    const grouped = tf.stack([z, z]); // [2, 1, 8]
    const before = tf.memory().numTensors;
    const groupedFused = reorderGateBlocks(grouped, LSTM_GATE_ORDER, ['i', 'f', 'o', 'g']);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(groupedFused.shape).toEqual([2, 1, 8]);
    expect(Array.from(groupedFused.dataSync().slice(8))).toEqual([1, 1, 2, 2, 4, 4, 3, 3]);
    tf.dispose([z, fused, back, grouped, groupedFused]);
  });

  it('refuses an order that does not name each gate once', () => {
    const z = stored();
    expect(() => reorderGateBlocks(z, LSTM_GATE_ORDER, ['i', 'f', 'f', 'o'])).toThrow(
      'reorderGateBlocks: a gate order names each of i, f, g, o once (got i, f, f, o)',
    );
    z.dispose();
  });
});
