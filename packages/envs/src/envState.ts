/**
 * Checked reading of a saved env state (the JSON of `ResumableVecEnv.getState()`). Every reader
 * throws an Error naming the owner call and the field, so a `setState` can validate the whole state before it
 * changes anything (a bad state must never be half applied).
 *
 * @module
 */

/** The fix every malformed-state error suggests. */
export const STATE_FIX = 'pass the unmodified result of getState(), after a JSON round trip at most';

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/** The state as a plain object (`path` names it in errors, e.g. `state` or `state.tracker`). */
export function stateObject(owner: string, path: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${owner}: ${path} must be an object (got ${describe(value)}); ${STATE_FIX}`);
  return value as Record<string, unknown>;
}

/** Throws unless `state.kind` names the env class that is restoring it. */
export function expectKind(owner: string, state: Record<string, unknown>, kind: string): void {
  if (state.kind !== kind)
    throw new Error(`${owner}: state.kind must be '${kind}' (got ${describe(state.kind)}); pass a state saved by a ${kind}`);
}

/**
 * Throws unless `state[field]` equals this env's own setting: a state only continues an env built with the
 * same args (a different numEnvs, episode length, … would change what the saved arrays mean).
 */
export function expectSame(owner: string, state: Record<string, unknown>, path: string, field: string, own: unknown): void {
  const saved = state[field];
  if (saved !== own)
    throw new Error(
      `${owner}: ${path}.${field} is ${describe(saved)} but this env has ${field}=${describe(own)}; ` +
        'build the env with the same args as the one that saved the state',
    );
}

/** `state[field]` as an array of `length` integers in `min..max`. */
export function intArrayField(
  owner: string,
  state: Record<string, unknown>,
  path: string,
  field: string,
  length: number,
  min: number,
  max: number,
): number[] {
  const values = arrayField(owner, state, path, field, length);
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max)
      throw new Error(`${owner}: ${path}.${field}[${i}] must be an integer in ${min}..${max} (got ${describe(v)}); ${STATE_FIX}`);
  });
  return values as number[];
}

/** `state[field]` as an array of `length` finite numbers. */
export function numberArrayField(owner: string, state: Record<string, unknown>, path: string, field: string, length: number): number[] {
  const values = arrayField(owner, state, path, field, length);
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new Error(`${owner}: ${path}.${field}[${i}] must be a finite number (got ${describe(v)}); ${STATE_FIX}`);
  });
  return values as number[];
}

/** `state[field]` as an array of `length` Random32 states (uint32). */
export function rngStatesField(owner: string, state: Record<string, unknown>, path: string, field: string, length: number): number[] {
  return intArrayField(owner, state, path, field, length, 0, 0xffffffff);
}

function arrayField(owner: string, state: Record<string, unknown>, path: string, field: string, length: number): unknown[] {
  const value = state[field];
  if (!Array.isArray(value) || value.length !== length)
    throw new Error(`${owner}: ${path}.${field} must be an array of length ${length} (got ${describe(value)}); ${STATE_FIX}`);
  return value as unknown[];
}

/** Throws the error every `getState()` before the first `reset()` gets: there is no episode to save yet. */
export function assertStateReady(envName: string, wasReset: boolean): void {
  if (!wasReset) throw new Error(`${envName}.getState called before reset(): call reset(seed) first`);
}

