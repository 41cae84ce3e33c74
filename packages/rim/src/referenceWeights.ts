import * as tf from '@tensorflow/tfjs-core';
import { LSTM_GATE_ORDER, reorderGateBlocks, type LSTMGateOrder } from '@mempo/core-attention';
import type { RIMCellKind } from './rimCell.js';

/** The gate order of the reference's GroupLSTMCell (`RIM.py`): i, f, o, then the candidate g. */
const REFERENCE_LSTM_GATE_ORDER: LSTMGateOrder = ['i', 'f', 'o', 'g'];

/**
 * Converts the parameters of the PyTorch reference `RIMCell` (dido1998/Recurrent-Independent-Mechanisms,
 * `state_dict()` names) into {@link RIMCell} weights, so `setWeights` reproduces its outputs with
 * `selection: 'real-logit'` and `training: false`:
 *
 * | reference | mempo | conversion |
 * | --- | --- | --- |
 * | `key.weight` `[h·dk, D]`, `key.bias` | `inputKey.kernel` `[D, h·dk]`, `inputKey.bias` | transpose (dense `[out,in]` → `[in,out]`) |
 * | `value.weight`, `value.bias` | `inputValue.kernel`, `inputValue.bias` | transpose |
 * | `query.w` `[U, H, h·dk]` | `inputQuery.kernel` | as is (group weights are `[U, din, dout]` in both) |
 * | `rnn.i2h.w`, `rnn.h2h.w` (LSTM, gates i,f,o,g) | `cell.kernel`, `cell.recurrentKernel` (gates i,f,g,o) | swap the last two gate blocks |
 * | `rnn.x2h.w`, `rnn.h2h.w` (GRU, gates r,z,n) | `cell.kernel`, `cell.recurrentKernel` | as is |
 * | (no cell biases) | `cell.bias` (and GRU `cell.recurrentBias`) | zeros, or none for a cell made with `cellBias: false` |
 * | `query_.w`, `key_.w`, `value_.w`, `comm_attention_output.w` | `commQuery.kernel`, `commKey.kernel`, `commValue.kernel`, `commOutput.kernel` | as is |
 *
 * The returned tensors are new; the caller disposes them after `setWeights`.
 *
 * @param opts.cellBias false for a cell made with `cellBias: false` (no bias entries). Default true.
 */
export function weightsFromReferenceRIMCell(
  params: Record<string, tf.Tensor>,
  cell: RIMCellKind,
  opts: { cellBias?: boolean } = {},
): Record<string, tf.Tensor> {
  const get = (name: string): tf.Tensor => {
    const p = params[name];
    if (!p) throw new Error(`weightsFromReferenceRIMCell: missing reference parameter '${name}'`);
    return p;
  };
  return tf.tidy(() => {
    const i2h = get(cell === 'lstm' ? 'rnn.i2h.w' : 'rnn.x2h.w');
    const h2h = get('rnn.h2h.w');
    const [U, , gatesH] = h2h.shape as [number, number, number];
    const toOurGates = (w: tf.Tensor) => (cell === 'gru' ? tf.clone(w) : reorderGateBlocks(w, REFERENCE_LSTM_GATE_ORDER, LSTM_GATE_ORDER));
    const out: Record<string, tf.Tensor> = {
      'inputKey.kernel': tf.transpose(get('key.weight')),
      'inputKey.bias': tf.clone(get('key.bias')),
      'inputValue.kernel': tf.transpose(get('value.weight')),
      'inputValue.bias': tf.clone(get('value.bias')),
      'inputQuery.kernel': tf.clone(get('query.w')),
      'cell.kernel': toOurGates(i2h),
      'cell.recurrentKernel': toOurGates(h2h),
      'commQuery.kernel': tf.clone(get('query_.w')),
      'commKey.kernel': tf.clone(get('key_.w')),
      'commValue.kernel': tf.clone(get('value_.w')),
      'commOutput.kernel': tf.clone(get('comm_attention_output.w')),
    };
    if (opts.cellBias !== false) {
      out['cell.bias'] = tf.zeros([U, gatesH]);
      if (cell === 'gru') out['cell.recurrentBias'] = tf.zeros([U, gatesH]);
    }
    return out;
  });
}
