import { numberField, optionalFields } from '@mempo/core-attention';
import { z } from 'zod';

/**
 * The env options the training commands and study files set, as one zod schema with core-attention's error
 * wording (its README, "Option schemas"): `env.flicker: 2 is out of range; must be in [0, 1]`. It lives here,
 * not in @mempo/envs, because envs depends on neither zod nor core-attention's field helpers.
 *
 * @example
 * parseOptions(ENV_OPTIONS, { flicker: 0.5, stack: 4 }, 'env');
 */
export const ENV_OPTIONS = z.strictObject(
  optionalFields({
    flicker: numberField({ min: 0, max: 1 }, 'Atari: probability that a frame is blanked (IAM paper: 0.5)'),
    stack: numberField({ integer: true, min: 1 }, 'frames stacked per observation (FrameStack k)'),
  }),
);
