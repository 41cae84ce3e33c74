import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The two builds of the native backend: both register tfjs' 'tensorflow' backend. */
export type NativeBuild = 'cpu' | 'gpu';

/** The npm package of each build (`npm run setup -- --gpu` provisions the second). */
export const NATIVE_PACKAGES: Record<NativeBuild, string> = {
  cpu: '@tensorflow/tfjs-node',
  gpu: '@tensorflow/tfjs-node-gpu',
};

const require = createRequire(import.meta.url);

/** The installed package's folder, or null when it is not installed. */
export function packageDir(pkg: string): string | null {
  try {
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return null;
  }
}

/** True when the package is installed and its native addon has been built (the package alone cannot load). */
export function addonBuilt(pkg: string): boolean {
  const dir = packageDir(pkg);
  return dir !== null && existsSync(join(dir, 'lib', 'napi-v8', 'tfjs_binding.node'));
}

/**
 * Which build `--backend tensorflow` loads: `MEMPO_TENSORFLOW_BUILD` (`cpu` | `gpu`) when set, else the GPU
 * build when its addon is built, else the CPU build. Throws naming the variable for any other value.
 */
export function chooseNativeBuild(env: NodeJS.ProcessEnv = process.env, built: (pkg: string) => boolean = addonBuilt): NativeBuild {
  const forced = env.MEMPO_TENSORFLOW_BUILD;
  if (forced !== undefined && forced !== '') {
    if (forced !== 'cpu' && forced !== 'gpu') throw new Error(`MEMPO_TENSORFLOW_BUILD must be 'cpu' or 'gpu' (got '${forced}')`);
    return forced;
  }
  return built(NATIVE_PACKAGES.gpu) ? 'gpu' : 'cpu';
}

/**
 * The NVIDIA GPUs the kernel driver reports (`/proc/driver/nvidia/gpus/<bus>/information`, "Model:" line),
 * empty on a machine without the driver. It needs no CUDA library, so it is safe before TensorFlow loads.
 */
export function nvidiaGpus(root = '/proc/driver/nvidia/gpus'): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort()
    .map((bus) => {
      const info = readFileSync(join(root, bus, 'information'), 'utf8');
      return /^Model:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? `GPU at ${bus}`;
    });
}

/** The one line a GPU build prints when it will run on the CPU. */
export const NO_GPU_LINE =
  'mempo: the CUDA build of TensorFlow (@tensorflow/tfjs-node-gpu) is installed, but this machine has no NVIDIA GPU driver: running on the CPU';

/** What TensorFlow said about its devices and CUDA libraries while it started (its INFO log, see {@link parseDeviceLog}). */
export interface DeviceLog {
  /** One entry per GPU TensorFlow created a device for: "GPU:0 NVIDIA H200 (139 GB, compute capability 9.0)". */
  gpus: string[];
  /** cuDNN version TensorFlow loaded ("8.9.4"), when a convolution ran on a GPU. */
  cudnn: string | null;
  /** TensorFlow's own explanation when it did not use a GPU, when it gave one. */
  problem: string | null;
}

/**
 * Reads TensorFlow's start-up log (TF_CPP_MIN_LOG_LEVEL=0): the "Created device …GPU:N with M MB memory: ->
 * device: N, name: X, …, compute capability: C" lines, "Loaded cuDNN version 8904", and the lines that say why
 * no GPU was used (no driver, libraries that failed to dlopen).
 */
export function parseDeviceLog(log: string): DeviceLog {
  const gpus = [...log.matchAll(/Created device \S*device:(GPU:\d+) with (\d+) MB memory:\s*->\s*device: \d+, name: ([^,]+),.*?compute capability: ([\d.]+)/g)].map(
    ([, device, mb, name, cc]) => `${device} ${name!.trim()} (${Math.round(Number(mb) / 1024)} GB, compute capability ${cc})`,
  );
  const cudnnCode = /Loaded cuDNN version (\d+)/.exec(log)?.[1];
  const cudnn = cudnnCode ? `${Math.floor(Number(cudnnCode) / 1000)}.${Math.floor((Number(cudnnCode) % 1000) / 100)}.${Number(cudnnCode) % 100}` : null;
  const problem =
    /(Could not find cuda drivers[^\n]*)/.exec(log)?.[1] ??
    /(Cannot dlopen some GPU libraries[^\n]*)/.exec(log)?.[1] ??
    /(failed call to cuInit[^\n]*)/.exec(log)?.[1] ??
    null;
  return { gpus, cudnn, problem: problem?.trim() ?? null };
}

/**
 * The CUDA libraries a GPU build was provisioned with (`deps/.mempo-cuda`, one pinned NVIDIA wheel per line),
 * empty for the CPU build or a build provisioned another way.
 */
export function provisionedCudaWheels(pkg: string = NATIVE_PACKAGES.gpu): string[] {
  const dir = packageDir(pkg);
  const stamp = dir ? join(dir, 'deps', '.mempo-cuda') : null;
  if (!stamp || !existsSync(stamp)) return [];
  return readFileSync(stamp, 'utf8').split('\n').filter(Boolean);
}

/** The CUDA libraries mapped into this process (`/proc/self/maps`), by file name: what TensorFlow actually loaded. */
export function loadedCudaLibraries(maps: string = readFileSync('/proc/self/maps', 'utf8')): string[] {
  const names = new Set<string>();
  for (const match of maps.matchAll(/\/(lib(?:cudart|cublas|cublasLt|cudnn|cufft|curand|cusolver|cusparse|nccl|nvrtc|nvJitLink)[\w.-]*\.so[\d.]*)$/gm)) names.add(match[1]!);
  return [...names].sort();
}
