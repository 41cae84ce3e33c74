import { booleanField, enumField, formatIssues, numberField } from '@mempo/core-attention';
import { z } from 'zod';
import type { PpoConfig } from './config.js';

const count = (description: string) => numberField({ integer: true, min: 1 }, description);
const positive = (description: string) => numberField({ min: 0, minOpen: true }, description);
const nonNegative = (description: string) => numberField({ min: 0 }, description);
const unit = (description: string) => numberField({ min: 0, max: 1 }, description);
const schedule = (description: string) => enumField(['constant', 'linear'], description);

/**
 * Every PPO field's schema: type, range and the one-line description the CLI shows as the flag's help
 * (the ppo README, "Config", has the same list). Typed against {@link PpoConfig}, so a field added there
 * without a schema here does not compile.
 */
export const PPO_FIELD_SCHEMAS = {
  numEnvs: count('P: envs stepped together'),
  numSteps: count('T: steps per env per update'),
  bpttLength: count('L: BPTT length; must divide numSteps'),
  epochs: count('passes over the rollout per update'),
  sequenceShift: enumField(['none', 'half-on-odd-epochs'], "where sequences start: 'half-on-odd-epochs' starts them L/2 later on odd passes (torch-ac)"),
  memoryWriteBack: booleanField('write the core states each minibatch recomputes back where later sequences start (torch-ac)'),
  seqsPerBatch: count('sequences per minibatch; must divide numEnvs·numSteps/bpttLength'),
  minibatchGrouping: enumField(['sequences', 'time-blocks'], "how sequences are shuffled into minibatches: one by one, or 'time-blocks' keeping each time block's numEnvs sequences together (IAM)"),
  chunkLength: count('steps per chunk the update runs encoder and core in'),
  learningRate: positive('Adam learning rate at the start of the run'),
  lrSchedule: schedule("learning-rate schedule ('linear' decays to 0 at the last update)"),
  adamEpsilon: positive("Adam's ε"),
  clipEpsilon: numberField({ min: 0, minOpen: true, max: 1, maxOpen: true }, 'clip range ε of the policy ratio (and of the value change with clipValue)'),
  clipSchedule: schedule("clip-range schedule ('linear' decays ε to 0 at the last update)"),
  gamma: unit('discount γ'),
  gaeLambda: unit('GAE λ'),
  gaeHorizon: numberField({ integer: true, min: 1 }, 'GAE within blocks of this many steps', ', or null for the whole rollout')
    .nullable()
    .describe('GAE within blocks of this many steps, each bootstrapped with the next value (IAM time_horizon); must divide numSteps (null: the whole rollout)'),
  valueCoef: nonNegative('c_v, weight of the value loss'),
  valueLossHalf: booleanField('multiply the value loss by 0.5 (CleanRL)'),
  clipValue: booleanField('clip the value change to ±ε in the value loss'),
  entropyCoef: nonNegative('c_e, weight of the entropy bonus'),
  maxGradNorm: numberField({ min: 0, minOpen: true }, 'global gradient-norm clip', ', or null for none').nullable().describe('global gradient-norm clip (null: none)'),
  normalizeAdvantages: booleanField("normalise advantages over each update's rollout"),
  dropoutWhileActing: booleanField("keep the core's dropout on while collecting the rollout"),
  bootstrapTruncated: booleanField('bootstrap time-limit truncations with γ·V(final obs)'),
  totalSteps: count('agent steps summed over envs'),
  updateRounding: enumField(['floor', 'ceil'], "whole updates within totalSteps ('floor') or until it is reached ('ceil')"),
  seed: numberField({ integer: true }, "seed of the run's RNG; env i is reset with seed + i"),
  checkpointEvery: numberField({ integer: true, min: 0 }, 'write a checkpoint every this many updates (0: never)'),
  keepCheckpoints: count('checkpoints kept on disk'),
  statsWindow: count('episodes averaged for the logged recent return and length'),
  engine: enumField(['auto', 'graph', 'eager'], 'graph: one TensorFlow graph per update and acting step (native backend); eager: op by op; auto: graph where it can run'),
} satisfies { [K in keyof PpoConfig]-?: z.ZodType<PpoConfig[K]> };

/** The names of all config fields, in declaration order. */
export const CONFIG_FIELDS = Object.keys(PPO_FIELD_SCHEMAS) as (keyof PpoConfig)[];

/** A key that is not a PPO field, in the same wording. */
function unknownKeys(issue: { code?: string; keys?: readonly string[] }): string | undefined {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const keys = (issue.keys ?? []).map((k) => `'${k}'`).join(', ');
  return `unknown field ${keys}; must be one of ${CONFIG_FIELDS.join(', ')}`;
}

/**
 * Some PPO fields, each checked alone: what a study file's `ppo` block (study- or memory-level) and the CLI's
 * flags override a preset with. Relations between fields are checked when the overrides meet their preset.
 */
export const ppoOverridesSchema = z.strictObject(PPO_FIELD_SCHEMAS, { error: unknownKeys }).partial();

/**
 * A whole PPO config: every field in range, and the relations between them (L divides T, the minibatch size
 * divides the sequences, an even L under the half shift, at least one update of steps).
 */
export const ppoConfigSchema = z.strictObject(PPO_FIELD_SCHEMAS, { error: unknownKeys }).superRefine((c, ctx) => {
  const issue = (path: keyof PpoConfig, message: string): void => void ctx.addIssue({ code: 'custom', path: [path], message });
  if (c.numSteps % c.bpttLength !== 0) issue('bpttLength', `${c.bpttLength} does not divide numSteps ${c.numSteps}; must be a divisor of numSteps`);
  else if (c.sequenceShift === 'half-on-odd-epochs' && c.bpttLength % 2 !== 0)
    issue('bpttLength', `${c.bpttLength} is odd; must be even with sequenceShift 'half-on-odd-epochs', which starts sequences at bpttLength/2`);
  else {
    const sequences = (c.numEnvs * c.numSteps) / c.bpttLength;
    if (sequences % c.seqsPerBatch !== 0)
      issue('seqsPerBatch', `${c.seqsPerBatch} does not divide the ${sequences} sequences of an update (numEnvs·numSteps/bpttLength); must be a divisor of ${sequences}`);
  }
  // Only an in-range horizon has a relation to check (a bad one is already reported above).
  if (c.gaeHorizon !== null && Number.isInteger(c.gaeHorizon) && c.gaeHorizon >= 1 && c.numSteps % c.gaeHorizon !== 0)
    issue('gaeHorizon', `${c.gaeHorizon} does not divide numSteps ${c.numSteps}; must be a divisor of numSteps`);
  if (c.minibatchGrouping === 'time-blocks' && c.seqsPerBatch % c.numEnvs !== 0)
    issue('seqsPerBatch', `${c.seqsPerBatch} is not a multiple of numEnvs ${c.numEnvs}; must be one with minibatchGrouping 'time-blocks', which keeps each time block's numEnvs sequences together`);
  if (c.totalSteps < c.numEnvs * c.numSteps) issue('totalSteps', `${c.totalSteps} is less than one update; must be at least numEnvs·numSteps = ${c.numEnvs * c.numSteps}`);
});

/**
 * Checks one field's value alone, as a CLI flag or a study file sets it; throws the field's error
 * (`ppo.gamma: 2 is out of range; must be in [0, 1]`).
 *
 * @example
 * parsePpoField('learningRate', 3e-4); // 3e-4
 */
export function parsePpoField<K extends keyof PpoConfig>(field: K, value: unknown): PpoConfig[K] {
  const schema: z.ZodType = PPO_FIELD_SCHEMAS[field];
  const result = schema.safeParse(value);
  if (result.success) return result.data as PpoConfig[K];
  throw new Error(formatIssues(result.error, `ppo.${field}`));
}

/**
 * Validates overrides of some PPO fields (a study's `ppo` block, a library call's overrides); throws one line
 * per bad field.
 *
 * @example
 * parsePpoOverrides({ entropyCoef: 0.02 }); // { entropyCoef: 0.02 }
 */
export function parsePpoOverrides(overrides: unknown): Partial<PpoConfig> {
  const result = ppoOverridesSchema.safeParse(overrides);
  if (result.success) return result.data as Partial<PpoConfig>;
  throw new Error(formatIssues(result.error, 'ppo'));
}

/**
 * Checks every field and the relations between them; throws an Error with one line per problem, each naming
 * the field, the value and what it must be. Returns the config unchanged.
 *
 * @example
 * validateConfig({ ...PRESETS.atari, clipEpsilon: 1.5 }); // throws 'ppo.clipEpsilon: 1.5 is out of range; must be in (0, 1)'
 */
export function validateConfig(config: PpoConfig): PpoConfig {
  const result = ppoConfigSchema.safeParse(config);
  if (!result.success) throw new Error(formatIssues(result.error, 'ppo'));
  return config;
}
