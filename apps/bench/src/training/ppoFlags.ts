import { InvalidArgumentError, Option } from 'commander';
import { parseOptions } from '@mempo/core-attention';
import { CONFIG_FIELDS, PPO_FIELD_SCHEMAS, PRESETS, parsePpoField, type PpoConfig, type PresetName } from '@mempo/ppo';
import type { z } from 'zod';

/**
 * Flags whose names predate the generated ones and stay (the root README's commands): `--frames` for
 * totalSteps (rounded to whole updates, see `resolveRun`), `--envs` for numEnvs.
 */
const RENAMED: Partial<Record<keyof PpoConfig, string>> = { totalSteps: 'frames', numEnvs: 'envs' };

/** What a flag does beyond setting its field. */
const NOTES: Partial<Record<keyof PpoConfig, string>> = {
  totalSteps: ', rounded to whole updates (small values make smoke runs)',
};

/** `learningRate` → `learning-rate`. */
function kebab(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The CLI flag of every PPO field, without dashes: the kebab-case of the field's name, or its older name. */
export const PPO_FLAGS = Object.fromEntries(CONFIG_FIELDS.map((field) => [field, RENAMED[field] ?? kebab(field)])) as Record<keyof PpoConfig, string>;

/** The key commander stores a flag's value under (`learning-rate` → `learningRate`). */
function attribute(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

interface SchemaNode {
  description?: string;
  def: { type: string; innerType?: SchemaNode };
  options?: readonly string[];
}

/**
 * What a field's schema accepts under its `optional`/`nullable` wrappers: zod's type name of the value, whether
 * null is allowed, the enum's options, and the first description on the way down.
 */
export function ppoFieldShape(field: keyof PpoConfig): { type: string; nullable: boolean; options: readonly string[]; description: string } {
  let node = PPO_FIELD_SCHEMAS[field] as unknown as SchemaNode;
  let nullable = false;
  let description = node.description;
  while ((node.def.type === 'optional' || node.def.type === 'nullable') && node.def.innerType) {
    nullable ||= node.def.type === 'nullable';
    node = node.def.innerType;
    description ??= node.description;
  }
  return { type: node.def.type, nullable, options: node.options ?? [], description: description ?? field };
}

/**
 * A flag's text as the value the schema checks: `true`/`false` for booleans, `null` for a nullable field,
 * numbers as numbers. Text that is none of these is passed on as it is, so the schema's message shows it.
 */
function fromText(field: keyof PpoConfig, text: string): unknown {
  const { type, nullable } = ppoFieldShape(field);
  if (nullable && text === 'null') return null;
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  if (type === 'number') return numberFromText(text);
  return text;
}

/** A flag's text as a number when it is one, else the text itself, for a schema to refuse with its message. */
export function numberFromText(text: string): unknown {
  return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
}

function placeholder(field: keyof PpoConfig): string {
  const { type, nullable, options } = ppoFieldShape(field);
  const value = type === 'boolean' ? 'true|false' : type === 'enum' ? options.join('|') : 'x';
  return `<${value}${nullable ? '|null' : ''}>`;
}

/**
 * The argument parser of a numeric flag for `field` of an options schema (env, evaluation): the text as a
 * number, checked by the schema, a bad value failing with its message under `prefix`
 * (`env.flicker: 2 is out of range; must be in [0, 1]`).
 *
 * @example
 * command.option('--flicker <p>', 'flicker probability', optionFlag(ENV_OPTIONS, 'flicker', 'env'), 0.5);
 */
export function optionFlag<T extends Record<string, unknown>>(schema: z.ZodType<T>, field: keyof T & string, prefix: string) {
  return (text: string): T[typeof field] => {
    try {
      return parseOptions(schema, { [field]: numberFromText(text) }, prefix)[field];
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

/** Parses a flag's text through the field's schema; a bad value fails with the schema's message (`ppo.gamma: 2 is out of range; must be in [0, 1]`). */
export function parsePpoFlag<K extends keyof PpoConfig>(field: K, text: string): PpoConfig[K] {
  try {
    return parsePpoField(field, fromText(field, text));
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/**
 * One commander option per PPO field, generated from the schema: the field's description as help, with the
 * value of `preset` (the command's default preset) in it. No option has a commander default but `--seed` (1),
 * so an absent flag leaves the value of the preset the user chose.
 *
 * @example
 * for (const option of ppoOptions('atari')) command.addOption(option); // --learning-rate <x>, --entropy-coef <x>, …
 */
export function ppoOptions(preset: PresetName): Option[] {
  return CONFIG_FIELDS.map((field) => {
    const flag = PPO_FLAGS[field];
    const presetValues: Partial<PpoConfig> = PRESETS[preset];
    const value = presetValues[field];
    const { description } = ppoFieldShape(field);
    const shown = value === undefined ? '' : ` (${preset} preset: ${JSON.stringify(value)})`;
    const option = new Option(`--${flag} ${placeholder(field)}`, `ppo.${field}: ${description}${NOTES[field] ?? ''}${field === 'seed' ? '' : shown}`).argParser(
      (text: string) => parsePpoFlag(field, text),
    );
    return field === 'seed' ? option.default(1) : option;
  });
}

/** The PPO fields the parsed flags set, by field name (absent flags are absent). */
export function ppoFlagValues(flags: Readonly<Record<string, unknown>>): Partial<PpoConfig> {
  const values: Partial<Record<keyof PpoConfig, unknown>> = {};
  for (const field of CONFIG_FIELDS) {
    const value = flags[attribute(PPO_FLAGS[field])];
    if (value !== undefined) values[field] = value;
  }
  return values as Partial<PpoConfig>;
}
