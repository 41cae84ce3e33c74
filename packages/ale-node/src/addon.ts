import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Where `npm run setup` (scripts/build-addon.sh) puts the compiled addon. */
export const ADDON_PATH = fileURLToPath(new URL('../build/ale_node.node', import.meta.url));

/** The addon file to load: `MEMPO_ALE_ADDON` when set (another build), else {@link ADDON_PATH}. */
export function addonPath(): string {
  return process.env.MEMPO_ALE_ADDON || ADDON_PATH;
}

/** The fix every "addon not built" error names. */
export const BUILD_FIX = "run 'npm run setup' (or only the addon: 'npm run build:addon -w @mempo/ale-node')";

/** Options of the native constructor; the TypeScript wrapper fills every field. */
export interface NativeVectorEnvOptions {
  romPath: string;
  numEnvs: number;
  numThreads: number;
  sameStepAutoreset: boolean;
  imgHeight: number;
  imgWidth: number;
  stackNum: number;
  grayscale: boolean;
  frameskip: number;
  maxpool: boolean;
  noopMax: number;
  useFireReset: boolean;
  episodicLife: boolean;
  lifeLossInfo: boolean;
  rewardClipping: boolean;
  maxNumFramesPerEpisode: number;
  repeatActionProbability: number;
  fullActionSpace: boolean;
}

/** The arrays a batch's results are copied into (`[P]` each, `obs`/`finalObs` `[P, obsSize]`). */
export interface NativeOutputs {
  obs: Uint8Array;
  finalObs: Uint8Array;
  reward: Int32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  lives: Int32Array;
  frameNumber: Int32Array;
  episodeFrameNumber: Int32Array;
}

/** The class native/addon.cpp exports. */
export interface NativeVectorEnv {
  setOutputs(outputs: NativeOutputs): void;
  reset(seeds: Int32Array): void;
  step(actions: Int32Array): void;
  actionSet(): number[];
  getState(): Buffer;
  setState(state: Buffer): void;
  close(): void;
}

interface AddonModule {
  VectorEnv: new (options: NativeVectorEnvOptions) => NativeVectorEnv;
  aleVersion: string;
}

let loaded: AddonModule | undefined;

/** Whether the addon has been built (it is optional until an env asks for it). */
export function isAddonBuilt(): boolean {
  return existsSync(addonPath());
}

/** The loaded addon; throws with the build command when it is missing or cannot load. */
export function loadAddon(): AddonModule {
  if (loaded) return loaded;
  const path = addonPath();
  if (!existsSync(path)) throw new Error(`the ale-node addon is not built (${path} is missing): ${BUILD_FIX}`);
  try {
    loaded = createRequire(import.meta.url)(path) as AddonModule;
  } catch (err) {
    throw new Error(`the ale-node addon at ${path} does not load (${(err as Error).message.split('\n')[0]}): rebuild it, ${BUILD_FIX}`);
  }
  return loaded;
}
