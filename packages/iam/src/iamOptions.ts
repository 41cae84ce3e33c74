import { LSTM_INIT_FIELDS, enumField, numberField, optionalFields } from '@mempo/core-attention';
import { z } from 'zod';

/**
 * The IAM cores' options a CLI or a study file sets, as one zod schema (every field optional; the iam README,
 * "Usage"). The input shape, d-set and seed come from the agent.
 *
 * @example
 * parseOptions(IAM_OPTIONS, { hiddenSize: 0 }, 'iam'); // throws 'iam.hiddenSize: 0 is out of range; must be an integer ≥ 1'
 */
export const IAM_OPTIONS = z.strictObject(
  optionalFields({
    variant: enumField(['static', 'dynamic'], 'static: a fixed d-set; dynamic: attention over the regions (d-patch)'),
    hiddenSize: numberField({ integer: true, min: 1 }, "H: the recurrent branch's state size"),
    // core-attention's LSTM init fields, named for the branch (the iam README, "Recurrent cell").
    cellInit: LSTM_INIT_FIELDS.init,
    forgetBias: LSTM_INIT_FIELDS.forgetBias,
  }),
);
