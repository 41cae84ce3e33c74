import { BUILD_FIX, addonPath, isAddonBuilt, loadAddon } from '@mempo/ale-node';
import { makeAtariEnv, type AtariEnvArgs } from '../bridge/atari.js';
import type { VecEnv } from '../vecEnv.js';
import { NativeAtariEnv } from './nativeAtariEnv.js';

/** Where Atari games run: ALE's native addon (`@mempo/ale-node`) or the Python worker of the gymnasium bridge. */
export type AtariBackend = 'native' | 'bridge';

/** The backends `--atari-backend` accepts. */
export const ATARI_BACKENDS: readonly AtariBackend[] = ['native', 'bridge'];

/** `native` when the addon is built (`npm run setup` builds it), else the bridge. */
export function defaultAtariBackend(): AtariBackend {
  return isAddonBuilt() ? 'native' : 'bridge';
}

/**
 * An Atari env on the chosen backend (default {@link defaultAtariBackend}); both give the same observations,
 * rewards and episodes for the same seeds and actions. The bridge-only settings (`python`, timeouts,
 * `spinMicros`) do not apply to the native env. Asking for `native` without the addon fails with how to build it.
 *
 * @example
 * ```ts
 * const env = await createAtariEnv({ game: 'breakout', numEnvs: 8, stack: 4, flicker: 0.5 }); // native when built
 * const viaPython = await createAtariEnv({ game: 'breakout', numEnvs: 8, backend: 'bridge' });
 * ```
 */
export async function createAtariEnv(args: AtariEnvArgs & { backend?: AtariBackend }): Promise<VecEnv> {
  const { backend = defaultAtariBackend(), python: _python, startTimeoutMs: _start, callTimeoutMs: _call, spinMicros: _spin, ...native } = args;
  if (backend === 'bridge') {
    const { backend: _backend, ...bridgeArgs } = args;
    return makeAtariEnv(bridgeArgs);
  }
  if (backend !== 'native') throw new Error(`atari backend must be 'native' or 'bridge' (got ${JSON.stringify(backend)})`);
  if (!isAddonBuilt()) throw new Error(`the native Atari backend needs the ale-node addon: ${BUILD_FIX}; or use the bridge (--atari-backend bridge)`);
  return new NativeAtariEnv(native);
}

/** What `mempo doctor` shows about the native Atari backend. */
export interface NativeAtariStatus {
  /** The addon is built and loads. */
  available: boolean;
  /** One line: the addon's path and ALE version, or why it cannot be used. */
  detail: string;
  /** How to build it, when it is not available. */
  fix?: string;
}

/** Whether the ale-node addon is built and loads, and with which ALE. */
export function nativeAtariStatus(): NativeAtariStatus {
  if (!isAddonBuilt()) return { available: false, detail: `not built (${addonPath()}): Atari runs through the Python bridge`, fix: BUILD_FIX };
  try {
    return { available: true, detail: `ALE ${loadAddon().aleVersion} at ${addonPath()}; Atari runs natively by default` };
  } catch (err) {
    return { available: false, detail: (err as Error).message, fix: BUILD_FIX };
  }
}
