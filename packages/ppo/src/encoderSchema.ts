import { INIT_SCHEMES, booleanField, enumField, numberField, showValue, type InitScheme } from '@mempo/core-attention';
import { z } from 'zod';

/*
 * The encoders' arguments as zod schemas, in the wording of every other option schema (core-attention README,
 * "Option schemas"): `encoder.<field>: <value> <problem>; must be <allowed>`. The constructors and
 * encoderFromConfig (a config.json read back by loadAgent) check with the same schemas, so they cannot disagree.
 */

const count = (description: string) => numberField({ integer: true, min: 1 }, description);
const seed = numberField({ integer: true }, 'seed of the weight initialiser');
const init = enumField(INIT_SCHEMES as readonly [InitScheme, ...InitScheme[]], "the layers' initialisation").optional();
const gain = numberField({ min: 0, minOpen: true }, "multiplies the layers' kernels").optional();

/** A list of counts; `nonEmpty` refuses `[]`. Items are checked with {@link count}, so `[0]` names its index. */
function countList(description: string, nonEmpty: boolean) {
  const allowed = `a list of integers ≥ 1${nonEmpty ? ', at least one' : ''}`;
  const list = z.array(count(description), {
    error: (issue) => (issue.input === undefined ? `missing; must be ${allowed}` : `${showValue(issue.input)} is not a list; must be ${allowed}`),
  });
  return (nonEmpty ? list.min(1, { error: `[] is empty; must be ${allowed}` }) : list).describe(description);
}

/**
 * An encoder's arguments: a misspelt or foreign field (`hiddenSize` for `hiddenSizes`) is named with the
 * fields the encoder takes, instead of being dropped.
 */
function encoderArgs<S extends z.core.$ZodLooseShape>(shape: S) {
  const fields = ['kind', ...Object.keys(shape)].join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `${issue.keys.map((key) => JSON.stringify(key)).join(', ')} ${issue.keys.length === 1 ? 'is not a field' : 'are not fields'}; must be among ${fields}`
        : undefined,
  });
}

/** {@link MlpEncoder}'s arguments (the ppo README, "Encoder schema"). */
export const MLP_ENCODER_ARGS = encoderArgs({
  obsShape: countList('shape of one observation; it is flattened', true),
  hiddenSizes: countList('widths of the hidden layers; [] passes the flat observation through', false),
  activation: enumField(['tanh', 'relu'], 'activation after every hidden layer').optional(),
  seed,
  init,
  gain,
  bias: booleanField('the layers have a bias').optional(),
});

/** {@link MinigridConvEncoder}'s arguments. */
export const MINIGRID_CONV_ENCODER_ARGS = encoderArgs({ seed, init });

/** {@link NatureCnnEncoder}'s arguments. */
export const NATURE_CNN_ENCODER_ARGS = encoderArgs({
  stack: count('frames stacked on the leading observation axis'),
  output: enumField(['regions', 'flat'], "'regions': [B, 49, 64] for RIM and IAM; 'flat': [B, 1, 3136]"),
  seed,
  init,
  gain,
});

const KINDS = ['mlp', 'minigrid-conv', 'nature-cnn'] as const;

/** The `kind` error of a config that names no encoder: the allowed kinds, or that the config is no object at all. */
function kindError(issue: { code?: string; input?: unknown }): string {
  const allowed = `one of ${KINDS.map((k) => `'${k}'`).join(', ')}`;
  if (issue.code !== 'invalid_union') return `${showValue(issue.input)} is not an object; must be an encoder config with a kind, ${allowed}`;
  const kind = (issue.input as { kind?: unknown }).kind;
  return kind === undefined ? `missing; must be ${allowed}` : `${showValue(kind)} is not allowed; must be ${allowed}`;
}

/**
 * An encoder's `config()` JSON, one schema per `kind`: what {@link encoderFromConfig} accepts.
 *
 * @example
 * parseEncoderOptions(ENCODER_OPTIONS, { kind: 'mlp', obsShape: [73], hiddenSizes: [0], seed: 1 });
 * // throws 'encoder.hiddenSizes[0]: 0 is out of range; must be an integer ≥ 1'
 */
export const ENCODER_OPTIONS = z.discriminatedUnion(
  'kind',
  [
    MLP_ENCODER_ARGS.extend({ kind: z.literal('mlp') }),
    MINIGRID_CONV_ENCODER_ARGS.extend({ kind: z.literal('minigrid-conv') }),
    NATURE_CNN_ENCODER_ARGS.extend({ kind: z.literal('nature-cnn') }),
  ],
  { error: kindError },
);

/** A parsed encoder config. */
export type EncoderOptions = z.infer<typeof ENCODER_OPTIONS>;

/**
 * Parses `value` with `schema`; throws one line per problem, `encoder.<path>` with list indices in brackets
 * (`encoder.hiddenSizes[0]`), so a message names the field as it is written in config.json.
 *
 * @example
 * parseEncoderOptions(NATURE_CNN_ENCODER_ARGS, { stack: 0, output: 'flat', seed: 1 }); // throws 'encoder.stack: 0 is out of range; must be an integer ≥ 1'
 */
export function parseEncoderOptions<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const path = (segments: readonly PropertyKey[]) =>
    segments.reduce<string>((text, s) => (typeof s === 'number' ? `${text}[${s}]` : `${text}.${String(s)}`), 'encoder');
  throw new Error(result.error.issues.map((issue) => `${path(issue.path)}: ${issue.message}`).join('\n'));
}
