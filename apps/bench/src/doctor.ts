import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { inspectPythonEnv } from '@mempo/envs';
import { useBackend, type BackendInfo } from './backend.js';

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

function gpuLine(): { present: boolean; detail: string } {
  try {
    const out = execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    return { present: true, detail: out.trim().split('\n')[0] ?? 'NVIDIA GPU' };
  } catch {
    return { present: false, detail: 'none (CPU only; on CUDA machines install @tensorflow/tfjs-node-gpu)' };
  }
}

/** Gathers every check. `backend` is the user's `--backend` choice (else MEMPO_BACKEND, else the best). */
export async function runDoctor(backend?: string): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  try {
    const info = await useBackend(backend);
    const explicit = Boolean(backend ?? process.env.MEMPO_BACKEND);
    const native = info.name === 'tensorflow';
    checks.push({
      name: 'backend',
      ok: native || explicit,
      required: true,
      detail: `${info.name} via ${info.provider}, tfjs ${info.tfjsVersion}`,
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
  const gpu = gpuLine();
  checks.push({ name: 'GPU', ok: true, required: false, detail: gpu.detail });
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
