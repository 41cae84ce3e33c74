/** Checks shared by the native TypeScript VecEnvs (the envs README: bad input and closed envs fail clearly). */

/** Throws unless `actions` is an Int32Array of `numEnvs` actions in `0 .. numActions-1`. */
export function checkActions(envName: string, actions: Int32Array, numEnvs: number, numActions: number): void {
  if (!(actions instanceof Int32Array))
    throw new Error(`${envName}.step: actions must be an Int32Array of length ${numEnvs}`);
  if (actions.length !== numEnvs)
    throw new Error(`${envName}.step: actions must have one entry per env (got length ${actions.length}, numEnvs=${numEnvs})`);
  for (let i = 0; i < numEnvs; i++) {
    const a = actions[i]!;
    if (a < 0 || a >= numActions)
      throw new Error(`${envName}.step: actions[${i}] must be in 0..${numActions - 1} (got ${a})`);
  }
}

/** Throws the error every call on a closed env gets. */
export function assertOpen(envName: string, closed: boolean): void {
  if (closed) throw new Error(`${envName} is closed: create a new env instead of calling it after close()`);
}

/** Throws unless `reset` ran at least once. */
export function assertReset(envName: string, wasReset: boolean): void {
  if (!wasReset) throw new Error(`${envName}.step called before reset(): call reset(seed) first`);
}

/** A seed for `reset()` without one: taken from Math.random so that unseeded runs differ. */
export function freshSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}

/** Throws unless `seed` is an integer (env i gets `seed + i`). */
export function checkSeed(envName: string, seed: number): void {
  if (!Number.isInteger(seed)) throw new Error(`${envName}.reset: seed must be an integer (got seed=${seed})`);
}
