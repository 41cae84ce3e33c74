import * as tf from '@tensorflow/tfjs-core';

/** One LSTM gate: input, forget, cell candidate (g), output. */
export type LSTMGate = 'i' | 'f' | 'g' | 'o';

/** An order of the four LSTM gate blocks on a weight's last axis. */
export type LSTMGateOrder = readonly [LSTMGate, LSTMGate, LSTMGate, LSTMGate];

/**
 * The gate order of every LSTM weight stored here (`kernel`, `recurrentKernel`, `bias` of {@link LSTMCell} and
 * {@link GroupLSTMCell}, checkpoints, `getWeights`): PyTorch's `nn.LSTM` order, i, f, g, o. Code that needs
 * another order (the RIM reference's i, f, o, g; RIM's fused step) converts with {@link reorderGateBlocks}.
 */
export const LSTM_GATE_ORDER: LSTMGateOrder = ['i', 'f', 'g', 'o'];

/**
 * The four gate blocks of `z` (last axis 4H, in `order`, default {@link LSTM_GATE_ORDER}) by gate name.
 *
 * @example
 * const { i, f, g, o } = splitGates(z); // z [B, 4H] → four [B, H]
 */
export function splitGates<T extends tf.Tensor>(z: T, order: LSTMGateOrder = LSTM_GATE_ORDER): Record<LSTMGate, T> {
  const blocks = tf.split(z, 4, -1) as T[];
  return Object.fromEntries(order.map((gate, b) => [gate, blocks[b]!])) as Record<LSTMGate, T>;
}

/**
 * `w` with its four gate blocks (last axis) moved from order `from` to order `to`; a new tensor.
 *
 * @example
 * const ours = reorderGateBlocks(referenceI2h, ['i', 'f', 'o', 'g'], LSTM_GATE_ORDER); // RIM.py → stored order
 */
export function reorderGateBlocks<T extends tf.Tensor>(w: T, from: LSTMGateOrder, to: LSTMGateOrder): T {
  for (const order of [from, to])
    if (new Set(order).size !== 4) throw new Error(`reorderGateBlocks: a gate order names each of i, f, g, o once (got ${order.join(', ')})`);
  return tf.tidy(() => {
    const gates = splitGates(w, from);
    return tf.concat(to.map((gate) => gates[gate]), -1) as T;
  });
}
