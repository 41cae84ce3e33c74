import { z } from 'zod';

/*
 * Option schemas with one wording for every error, whichever package owns the options (ppo's PPO config,
 * each core's options): `<prefix>.<field>: <value> <problem>; must be <allowed>`. The CLI, study files and
 * the libraries check values with these, so a bad value reads the same wherever it comes from.
 */

/**
 * The allowed values of a numeric field: bounds (open or closed) and whether it must be an integer. One
 * description serves the schema's checks, every error message and the CLI's help, so they cannot disagree.
 */
export interface NumberRange {
  integer?: boolean;
  /** Lower bound; `minOpen` excludes it. */
  min?: number;
  minOpen?: boolean;
  /** Upper bound; `maxOpen` excludes it. */
  max?: number;
  maxOpen?: boolean;
}

/** `in (0, 1)`, `in [0, 1]`, `> 0`, `≥ 0`, `an integer ≥ 1`: what a value of `range` must be, in words. */
export function rangeText(range: NumberRange): string {
  const { min, max } = range;
  if (range.integer) return min === undefined ? 'an integer' : `an integer ≥ ${min}`;
  if (min !== undefined && max !== undefined) return `in ${range.minOpen ? '(' : '['}${min}, ${max}${range.maxOpen ? ')' : ']'}`;
  if (min !== undefined) return `${range.minOpen ? '>' : '≥'} ${min}`;
  return 'a finite number';
}

/** A value as an error message shows it: numbers and booleans as written, strings quoted, absence as `missing`. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  return JSON.stringify(value) ?? String(value);
}

/** `<value> <problem>; must be <allowed>`: the one wording of every option error (the core-attention README, "Option schemas"). */
function fieldError(problem: (input: unknown) => string, allowed: string) {
  return (issue: { input?: unknown }): string => {
    const shown = showValue(issue.input);
    return issue.input === undefined ? `missing; must be ${allowed}` : `${shown} ${problem(issue.input)}; must be ${allowed}`;
  };
}

/**
 * A number field with `range`; `orNull` words a null the caller allows with `.nullable()`. Integers must be
 * safe (beyond 2^53 − 1 they are not exact, so `1e99` steps is refused as out of range).
 *
 * @example
 * numberField({ min: 0, max: 1 }, 'discount γ').safeParse(2).error?.issues[0]?.message; // '2 is out of range; must be in [0, 1]'
 */
export function numberField(range: NumberRange, description: string, orNull = '') {
  const allowed = rangeText(range) + orNull;
  const outOfRange = fieldError(() => 'is out of range', allowed);
  // zod takes ±Infinity for no number at all; it is one, only out of every range.
  let schema = z.number({ error: fieldError((v) => (v === Infinity || v === -Infinity ? 'is out of range' : 'is not a number'), allowed) });
  if (range.integer)
    schema = schema.int({
      error: fieldError((v) => (Number.isInteger(v) ? 'is out of range' : 'is not an integer'), allowed),
    });
  else schema = schema.finite({ error: outOfRange });
  if (range.min !== undefined) schema = range.minOpen ? schema.gt(range.min, { error: outOfRange }) : schema.gte(range.min, { error: outOfRange });
  if (range.max !== undefined) schema = range.maxOpen ? schema.lt(range.max, { error: outOfRange }) : schema.lte(range.max, { error: outOfRange });
  return schema.describe(description);
}

/** A field that takes one of `values`. */
export function enumField<const T extends readonly [string, ...string[]]>(values: T, description: string) {
  const allowed = `one of ${values.map((v) => `'${v}'`).join(', ')}`;
  return z.enum(values, { error: fieldError(() => 'is not allowed', allowed) }).describe(description);
}

/** A true/false field. */
export function booleanField(description: string) {
  return z.boolean({ error: fieldError(() => 'is not a boolean', 'true or false') }).describe(description);
}

/** `ppo.clipEpsilon: 1.5 is out of range; must be in (0, 1)`: one line per issue, each path under `prefix`. */
export function formatIssues(error: z.ZodError, prefix: string): string {
  return error.issues.map((issue) => `${[prefix, ...issue.path.map(String)].join('.')}: ${issue.message}`).join('\n');
}

/**
 * Each field of `shape` made optional, keeping its description (zod's `.partial()` and `.optional()` wrap a
 * field in a schema of its own, without it): the shape of an options object a user sets some fields of.
 *
 * @example
 * const options = z.strictObject(optionalFields({ hiddenSize: numberField({ integer: true, min: 1 }, 'H') }));
 */
export function optionalFields<S extends Record<string, z.ZodType>>(shape: S): { [K in keyof S]: z.ZodOptional<S[K]> } {
  const fields = Object.entries(shape).map(([key, field]) => [key, field.optional().describe(field.description ?? key)]);
  return Object.fromEntries(fields) as { [K in keyof S]: z.ZodOptional<S[K]> };
}

/**
 * Parses `value` with `schema`; throws one line per problem, each path under `prefix`.
 *
 * @example
 * parseOptions(FLAT_CORE_OPTIONS, { hiddenSize: 0 }, 'lstm'); // throws 'lstm.hiddenSize: 0 is out of range; must be an integer ≥ 1'
 */
export function parseOptions<T>(schema: z.ZodType<T>, value: unknown, prefix: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new Error(formatIssues(result.error, prefix));
}
