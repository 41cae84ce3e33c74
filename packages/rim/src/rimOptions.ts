import { INIT_SCHEMES, booleanField, enumField, numberField, optionalFields, type InitScheme } from '@mempo/core-attention';
import { z } from 'zod';

const count = (description: string) => numberField({ integer: true, min: 1 }, description);

/**
 * The RIM core's options a CLI or a study file sets, as one zod schema (every field optional; the rim README,
 * "Options"), with the relation k ≤ units when both are given. The input shape and seed come from the agent.
 * Errors read `rim.k: 5 is more than units 4; must be at most units`.
 *
 * @example
 * parseOptions(RIM_OPTIONS, { units: 6, k: 5, hiddenSize: 85 }, 'rim');
 */
export const RIM_OPTIONS = z
  .strictObject(
    optionalFields({
      units: count('U: the number of recurrent units'),
      k: count('k: units active per step (k ≤ U)'),
      hiddenSize: count('H: hidden size of each unit'),
      cell: enumField(['lstm', 'gru'], "each unit's cell"),
      selection: enumField(['null-attention', 'real-logit'], 'how the k active units are chosen: null-attention (paper) or real-logit (reference code)'),
      inputInit: enumField(INIT_SCHEMES as readonly [InitScheme, ...InitScheme[]], "initialisation of the input attention's key and value maps"),
      cellBias: booleanField('the group cells have a bias (the reference code has none)'),
      referenceQuirks: z
        .strictObject({ cellFromHidden: booleanField('c := h after every step, as the RIM reference model.py').optional() })
        .describe("the RIM reference code's quirks (RIMReferenceQuirks)"),
    }),
  )
  .superRefine((o, ctx) => {
    if (o.k !== undefined && o.units !== undefined && o.k > o.units)
      ctx.addIssue({ code: 'custom', path: ['k'], message: `${o.k} is more than units ${o.units}; must be at most units` });
  });
