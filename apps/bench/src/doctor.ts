import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { inspectPythonEnv, nativeAtariStatus } from '@mempo/envs';
import { useBackend, type BackendInfo } from './backend.js';
import { loadedCudaLibraries, NATIVE_PACKAGES, nvidiaGpus, parseDeviceLog, provisionedCudaWheels, type DeviceLog } from './nativeBuild.js';

/** One line of the doctor's report. Required checks that fail make `mempo doctor` exit non-zero. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  required: boolean;
  detail: string;
  fix?: string;
}

function threadsLine(info: BackendInfo): string {
  if (info.name === 'tensorflow') {
    // tfjs-node creates its TF session with default options: both pools default to the core count unless
    // TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS are set.
    const intra = process.env.TF_NUM_INTRAOP_THREADS ?? `${availableParallelism()} (TF default = cores)`;
    const inter = process.env.TF_NUM_INTEROP_THREADS ?? `${availableParallelism()} (TF default = cores)`;
    return `intra-op ${intra}, inter-op ${inter}`;
  }
  if (info.name === 'wasm') {
    const wasm = tf.backend() as unknown as { getThreadsCount?: () => number };
    return `${wasm.getThreadsCount?.() ?? 1} (wasm)`;
  }
  return '1 (pure JS)';
}

/**
 * Starts the CUDA build in a child process with TensorFlow's INFO log on, runs a matmul and a convolution (so
 * that cuBLAS and cuDNN load when there is a GPU), and returns the log and the CUDA libraries it mapped.
 */
function probeGpuBuild(): { log: DeviceLog; loaded: string[] } {
  const script =
    `const tf = require(${JSON.stringify(NATIVE_PACKAGES.gpu)});` +
    'const a = tf.ones([64, 64]); tf.matMul(a, a).dataSync();' +
    "tf.conv2d(tf.ones([1, 8, 8, 1]), tf.ones([3, 3, 1, 1]), 1, 'same').dataSync();" +
    "process.stdout.write(require('node:fs').readFileSync('/proc/self/maps', 'utf8'));";
  const result = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '0' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { log: parseDeviceLog(result.stderr ?? ''), loaded: loadedCudaLibraries(result.stdout ?? '') };
}

/** The GPU line: which build is loaded, what the driver reports and, for the CUDA build, what TensorFlow used. */
function gpuCheck(info: BackendInfo | null): DoctorCheck {
  const driver = nvidiaGpus();
  const driverText = driver.length > 0 ? `driver reports ${driver.join(', ')}` : 'no NVIDIA driver';
  if (info?.provider !== NATIVE_PACKAGES.gpu) {
    return {
      name: 'GPU',
      ok: true,
      required: false,
      detail: `not used: the CPU build${info?.name === 'tensorflow' ? ` (${info.provider})` : ''} is loaded; ${driverText}`,
      ...(driver.length > 0 ? { fix: "run 'npm run setup -- --gpu' to build @tensorflow/tfjs-node-gpu" } : {}),
    };
  }
  const { log, loaded } = probeGpuBuild();
  const wheels = provisionedCudaWheels();
  const parts = [
    `CUDA build (${NATIVE_PACKAGES.gpu})`,
    driverText,
    log.gpus.length > 0 ? `TensorFlow devices: ${log.gpus.join('; ')}` : `TensorFlow created no GPU device, so it runs on the CPU${log.problem ? ` (${log.problem})` : ''}`,
    `CUDA libraries loaded: ${loaded.length > 0 ? loaded.join(', ') : 'none'}`,
    ...(log.cudnn ? [`cuDNN ${log.cudnn}`] : []),
    ...(wheels.length > 0 ? [`provisioned from ${wheels.join(', ')}`] : []),
  ];
  return { name: 'GPU', ok: true, required: false, detail: parts.join('; ') };
}

/** Gathers every check. `backend` is the user's `--backend` choice (else MEMPO_BACKEND, else the best). */
export async function runDoctor(backend?: string): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  let loaded: BackendInfo | null = null;
  try {
    const info = await useBackend(backend);
    loaded = info;
    const explicit = Boolean(backend ?? process.env.MEMPO_BACKEND);
    const native = info.name === 'tensorflow';
    checks.push({
      name: 'backend',
      ok: native || explicit,
      required: true,
      detail: `${info.name} via ${info.provider}, tfjs ${info.tfjsVersion}, device ${info.device}`,
      ...(native || explicit ? {} : { fix: "the native backend did not load: run 'npm run setup'" }),
    });
    checks.push({ name: 'TensorFlow', ok: true, required: false, detail: info.tensorflowVersion ?? 'not in use' });
    checks.push({ name: 'threads', ok: true, required: false, detail: threadsLine(info) });
  } catch (err) {
    checks.push({ name: 'backend', ok: false, required: true, detail: 'none loaded', fix: (err as Error).message });
  }
  const python = await inspectPythonEnv();
  checks.push({
    name: 'python env',
    ok: python.pythonVersion !== null,
    required: true,
    detail: python.pythonVersion ? `Python ${python.pythonVersion} at ${python.python}` : python.python,
    ...(python.pythonVersion ? {} : { fix: python.problems[0] }),
  });
  for (const [pkg, version] of Object.entries(python.packages)) {
    const problem = python.problems.find((p) => p.includes(` ${pkg} `));
    checks.push({ name: pkg, ok: !problem, required: true, detail: version ?? 'missing', ...(problem ? { fix: problem } : {}) });
  }
  if (python.pythonVersion) {
    const roms = Object.entries(python.roms);
    const missing = roms.filter(([, present]) => !present).map(([game]) => game);
    checks.push({
      name: 'Atari ROMs',
      ok: roms.length > 0 && missing.length === 0,
      required: true,
      detail: roms.length ? roms.map(([g, p]) => `${g} ${p ? 'present' : 'MISSING'}`).join(', ') : 'not listed',
      ...(missing.length || !roms.length ? { fix: "run 'npm run setup' (the ROMs ship in the ale-py wheel)" } : {}),
    });
  }
  const ale = nativeAtariStatus();
  // Not required: without the addon Atari falls back to the Python bridge.
  checks.push({ name: 'ALE addon', ok: ale.available, required: false, detail: ale.detail, ...(ale.fix ? { fix: ale.fix } : {}) });
  checks.push(gpuCheck(loaded));
  return checks;
}

/** Human-readable report; returns true when every required check passed. */
export function printDoctor(checks: DoctorCheck[], log: (line: string) => void = console.log): boolean {
  const width = Math.max(...checks.map((c) => c.name.length));
  for (const c of checks) {
    const mark = c.ok ? 'ok  ' : c.required ? 'FAIL' : 'warn';
    log(`${mark} ${c.name.padEnd(width)}  ${c.detail}${c.fix ? `\n     ${' '.repeat(width)}  fix: ${c.fix}` : ''}`);
  }
  return checks.every((c) => c.ok || !c.required);
}
