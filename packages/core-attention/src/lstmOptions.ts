import { z } from 'zod';
import { CELL_INITS } from './gatedCellBase.js';
import { enumField, numberField, optionalFields } from './optionFields.js';

/**
 * The initialisation options of an LSTM cell (the core-attention README, "LSTM initialisation"), as zod fields
 * with the one option wording: the LSTM core's and IAM's recurrent branch's schemas reuse them.
 */
export const LSTM_INIT_FIELDS = {
  init: enumField(CELL_INITS, "how the LSTM's kernels and bias start: 'uniform' (PyTorch), 'glorot' (TF 1 BasicLSTMCell), 'orthogonal' (CleanRL)"),
  forgetBias: numberField({}, "a constant added to the forget gate's pre-activation at every step (TF 1 BasicLSTMCell's forget_bias); 0 = none"),
};

/**
 * The LSTM cell's own options, every field optional; `LSTMCell` checks its arguments with it.
 *
 * @example
 * parseOptions(LSTM_CELL_OPTIONS, { init: 'he' }, 'LSTMCell'); // throws "LSTMCell.init: \"he\" is not allowed; must be one of 'uniform', 'glorot', 'orthogonal'"
 */
export const LSTM_CELL_OPTIONS = z.strictObject(optionalFields(LSTM_INIT_FIELDS));
