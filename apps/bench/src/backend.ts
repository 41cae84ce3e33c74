import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
// Registers tfjs-core's gradient functions, which every backend needs for training (the core-attention README, "Gradients").
import '@mempo/core-attention/register-gradients';
import { chooseNativeBuild, NATIVE_PACKAGES, NO_GPU_LINE, nvidiaGpus } from './nativeBuild.js';
import { registerWasmTrainingKernels } from './wasmKernels.js';

/** The tensor backends mempo can run on, best first. */
export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** What the loaded backend is and how it was provisioned. */
export interface BackendInfo {
  name: BackendName;
  /** npm package that provides it (`@tensorflow/tfjs-node-gpu` on CUDA machines). */
  provider: string;
  /** libtensorflow version for the native backend, null otherwise. */
  tensorflowVersion: string | null;
  /** tfjs-core version in this process. */
  tfjsVersion: string;
  /**
   * Where TensorFlow places the ops: 'CPU', or 'GPU (<models>)' when the CUDA build runs on a machine whose
   * driver reports GPUs (TensorFlow then puts every op with a GPU kernel on GPU:0).
   */
  device: string;
}

const HOW_TO_INSTALL: Record<BackendName, string> = {
  tensorflow:
    "run 'npm run setup' (it provisions libtensorflow from the tensorflow-cpu wheel and builds " +
    "@tensorflow/tfjs-node; 'npm run setup -- --gpu' also builds the CUDA one, @tensorflow/tfjs-node-gpu)",
  wasm: "run 'npm ci' (the @tensorflow/tfjs-backend-wasm package is missing)",
  cpu: "run 'npm ci' (the @tensorflow/tfjs-backend-cpu package is missing)",
};

/** Registers one backend with tfjs; throws with the installation fix when it cannot load. */
async function register(name: BackendName): Promise<string> {
  try {
    switch (name) {
      case 'tensorflow': {
        // TF's C++ logging is noisy at INFO; keep warnings and errors unless the user asks for more.
        process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
        // PPO's ops are small (a few envs per step): on ≤ 2 cores, handing each one to TF's intra-op pool
        // costs more than it saves (a [2, 400]·[400, 255] matmul: ~145 µs pooled vs ~40 µs on one thread),
        // and the env process needs a core too. Measured again for the graph engine (RIM forward+backward,
        // intra/inter 1/1, 1/2, 2/1, 2/2): intra-op 2 was 2–3× slower at MiniGrid and Atari sizes. Inter-op
        // keeps TF's default (one thread per core): the chunked PPO update needs two, to encode one chunk
        // while the recurrent core runs the other (Atari RIM update ~150 ms with 2, ~245 ms with 1). More
        // cores keep TF's defaults (not measured here). Read by libtensorflow when it loads; set either
        // variable to override.
        if (availableParallelism() <= 2) process.env.TF_NUM_INTRAOP_THREADS ??= '1';
        // The GPU build registers the same 'tensorflow' backend; it is preferred once set-up has built it.
        const build = chooseNativeBuild();
        const pkg = NATIVE_PACKAGES[build];
        await import(pkg);
        if (build === 'gpu' && nvidiaGpus().length === 0) console.warn(NO_GPU_LINE);
        return pkg;
      }
      case 'wasm':
        await import('@tensorflow/tfjs-backend-wasm');
        registerWasmTrainingKernels();
        return '@tensorflow/tfjs-backend-wasm';
      case 'cpu':
        await import('@tensorflow/tfjs-backend-cpu');
        return '@tensorflow/tfjs-backend-cpu';
    }
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    throw new Error(`the '${name}' backend could not be loaded (${reason}): ${HOW_TO_INSTALL[name]}`);
  }
}

function nativeVersion(): string | null {
  const binding = (tf.backend() as unknown as { binding?: { TF_Version?: string } }).binding;
  return binding?.TF_Version ?? null;
}

/**
 * The cpu backend prints an advert for tfjs-node on its first tensor in Node. Here the user chose cpu on
 * purpose (tests, baselines), so the advert is noise; it is keyed on a private flag of the backend.
 */
function silenceCpuAdvert(): void {
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
}

const providers = new Map<BackendName, string>();

function deviceOf(provider: string): string {
  const gpus = provider === NATIVE_PACKAGES.gpu ? nvidiaGpus() : [];
  return gpus.length > 0 ? `GPU (${gpus.join(', ')})` : 'CPU';
}

/**
 * Which build of the native backend ran and where TensorFlow placed its ops, for benchmark tables; null when
 * the native backend was not loaded in this process.
 */
export function nativeDeviceLine(): string | null {
  const provider = providers.get('tensorflow');
  return provider ? `native backend: ${provider}, device ${deviceOf(provider)}` : null;
}

/** The package that provides the loaded native backend (tfjs-node or tfjs-node-gpu), for its extras such as the TensorBoard writer. */
export function nativeProvider(): string | null {
  return providers.get('tensorflow') ?? null;
}

/**
 * Loads and activates a backend: `requested` (from `--backend`), else `MEMPO_BACKEND`, else the best one
 * that loads (tensorflow → wasm → cpu). Asking for one that cannot load fails with how to install it.
 *
 * @example
 * const info = await useBackend();            // best available
 * await useBackend('cpu');                    // explicit
 */
export async function useBackend(requested = process.env.MEMPO_BACKEND): Promise<BackendInfo> {
  if (requested !== undefined && requested !== '' && !BACKENDS.includes(requested as BackendName)) {
    const source = process.env.MEMPO_BACKEND === requested ? 'MEMPO_BACKEND' : '--backend';
    throw new Error(`${source} must be one of ${BACKENDS.join(', ')} (got '${requested}')`);
  }
  const candidates = requested ? [requested as BackendName] : [...BACKENDS];
  let lastError: Error | undefined;
  for (const name of candidates) {
    try {
      if (!providers.has(name)) providers.set(name, await register(name));
      if (!(await tf.setBackend(name))) throw new Error(`tfjs refused to initialise the '${name}' backend`);
      if (name === 'cpu') silenceCpuAdvert();
      return {
        name,
        provider: providers.get(name)!,
        tensorflowVersion: name === 'tensorflow' ? nativeVersion() : null,
        tfjsVersion: tf.version_core,
        device: deviceOf(providers.get(name)!),
      };
    } catch (err) {
      lastError = err as Error;
      if (requested) throw err;
    }
  }
  throw lastError ?? new Error('no tensor backend could be loaded');
}

/** Names of the backends that load on this machine, best first (leaves the best one active). */
export async function availableBackends(): Promise<BackendName[]> {
  const found: BackendName[] = [];
  for (const name of [...BACKENDS].reverse()) {
    try {
      await useBackend(name);
      found.unshift(name);
    } catch {
      // not loadable here; the caller reports which ones did load
    }
  }
  return found;
}
