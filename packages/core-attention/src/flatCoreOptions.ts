import { z } from 'zod';
import { LSTM_INIT_FIELDS } from './lstmOptions.js';
import { numberField, optionalFields } from './optionFields.js';

/**
 * The options of the LSTM, GRU and FNN cores that a CLI or a study file sets, as one zod schema (every field
 * optional; the core-attention README, "Option schemas"). The input shape and seed come from the agent.
 *
 * @example
 * parseOptions(FLAT_CORE_OPTIONS, { hiddenSize: 64 }, 'lstm'); // { hiddenSize: 64 }
 */
export const FLAT_CORE_OPTIONS = z.strictObject(
  optionalFields({
    hiddenSize: numberField({ integer: true, min: 1 }, 'H: the LSTM/GRU state size, or the FNN layer width'),
  }),
);

/**
 * The LSTM core's options: {@link FLAT_CORE_OPTIONS} and the cell's initialisation (`init`, `forgetBias`; the
 * core-attention README, "LSTM initialisation"). The GRU and FNN cores take neither.
 *
 * @example
 * parseOptions(LSTM_CORE_OPTIONS, { init: 'glorot', forgetBias: 1 }, 'lstm'); // TF 1 BasicLSTMCell's
 */
export const LSTM_CORE_OPTIONS = z.strictObject({ ...FLAT_CORE_OPTIONS.shape, ...optionalFields(LSTM_INIT_FIELDS) });
