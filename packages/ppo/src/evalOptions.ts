import { booleanField, numberField, optionalFields } from '@mempo/core-attention';
import { z } from 'zod';

/**
 * The schedule of evaluation during training a CLI or a study sets (`EvalCallback`'s `every`, `episodes`,
 * `deterministic`), as one zod schema with core-attention's error wording: `eval.every: 0 is out of range;
 * must be an integer ≥ 1`.
 *
 * @example
 * parseOptions(EVAL_OPTIONS, { every: 50_000, episodes: 20 }, 'eval');
 */
export const EVAL_OPTIONS = z.strictObject(
  optionalFields({
    every: numberField({ integer: true, min: 1 }, 'evaluate each time the agent steps pass a multiple of N, on a separate env, keeping the best agent in best/'),
    episodes: numberField({ integer: true, min: 1 }, 'episodes per evaluation'),
    deterministic: booleanField('evaluate with the most likely actions instead of sampled ones'),
  }),
);
