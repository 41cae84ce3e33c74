import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { ActorCritic, Adam, createAgentEngine, minibatchTensors, resolveConfig, Rng, type EngineKind } from '@mempo/ppo';
import { useBackend } from './backend.js';
import { NATIVE_PACKAGES, NO_GPU_LINE, type NativeBuild } from './nativeBuild.js';
import { makeEncoder } from './training/environments.js';
import { makeCore } from './training/memoryCores.js';

/** What one build computed: the loss terms of two Atari RIM updates and the weights after them. */
export interface UpdateFingerprint {
  provider: string;
  device: string;
  engine: EngineKind;
  terms: number[];
  weights: Record<string, number[]>;
}

const L = 8;
const B = 2;
const OBS_SHAPE = [1, 84, 84];

/**
 * Two PPO minibatch updates of the Atari RIM agent (Nature CNN regions → RIM, GRU cells) from fixed weights and
 * a fixed batch, on the backend build this process loaded: the computation `train` repeats, small enough to
 * compare builds element by element.
 */
export async function updateFingerprint(engineKind: EngineKind): Promise<UpdateFingerprint> {
  const info = await useBackend('tensorflow');
  const config = resolveConfig('atari', { seed: 5 });
  const encoder = makeEncoder('atari', 'rim', OBS_SHAPE, 5);
  const core = makeCore('rim', 'atari', encoder.outputShape, {}, 5);
  const agent = new ActorCritic({ encoder, core, numActions: 4, seed: 5 });
  const adam = new Adam({ variables: agent.trainableVariables(), epsilon: config.adamEpsilon });
  const engine = createAgentEngine(engineKind, agent, adam, config);
  const rng = new Rng(11);
  const size = L * B * OBS_SHAPE.reduce((a, b) => a * b, 1);
  const arrays = {
    length: L,
    batch: B,
    obs: Float32Array.from({ length: size }, () => rng.int(256)),
    starts: Float32Array.from({ length: L * B }, (_, i) => (i === 5 ? 1 : 0)),
    actions: Int32Array.from({ length: L * B }, () => rng.int(4)),
    oldLogProbs: Float32Array.from({ length: L * B }, () => -1.386 + 0.2 * (rng.next() - 0.5)),
    oldValues: Float32Array.from({ length: L * B }, () => rng.next() - 0.5),
    advantages: Float32Array.from({ length: L * B }, () => 2 * rng.next() - 1),
    returns: Float32Array.from({ length: L * B }, () => rng.next()),
    state0: core.stateShapes.map((s) => Float32Array.from({ length: B * s.reduce((a, b) => a * b, 1) }, () => rng.next() - 0.5)),
  };
  const terms: number[] = [];
  for (let iteration = 1; iteration <= 2; iteration++) {
    const tensors = minibatchTensors(arrays, { obsShape: OBS_SHAPE, stateShapes: core.stateShapes }, {
      learningRate: tf.scalar(1e-3),
      clipEpsilon: tf.scalar(0.1),
      iteration: tf.scalar(iteration),
      seed: tf.tensor1d([iteration, 7], 'int32'),
    });
    const out = engine.update(tensors);
    terms.push(...out.terms.dataSync());
    tf.dispose([out.terms, ...out.memory, ...Object.values(tensors).flatMap((t) => (Array.isArray(t) ? t : [t]))]);
  }
  engine.syncModel();
  const weights = agent.getWeights();
  const values = Object.fromEntries(Object.entries(weights).map(([name, w]) => [name, Array.from(w.dataSync())]));
  tf.dispose(Object.values(weights));
  engine.dispose();
  adam.dispose();
  agent.dispose();
  return { provider: info.provider, device: info.device, engine: engineKind, terms, weights: values };
}

/** Runs {@link updateFingerprint} in a child process that loads `build`; returns it and the child's stderr. */
export function fingerprintInChild(build: NativeBuild, engine: EngineKind): { fingerprint: UpdateFingerprint; stderr: string } {
  // The compiled module, also when this one runs from source (vitest): src/../dist and dist/../dist alike.
  const script = fileURLToPath(new URL('../dist/buildParity.js', import.meta.url));
  const result = spawnSync(process.execPath, [script, '--child', engine], {
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, MEMPO_TENSORFLOW_BUILD: build },
  });
  if (result.status !== 0) throw new Error(`the ${build} build's child process failed (exit ${result.status}): ${result.stderr}`);
  return { fingerprint: JSON.parse(result.stdout) as UpdateFingerprint, stderr: result.stderr };
}

/** The largest |a − b| / (rtol·max(|a|, |b|) + atol) over all elements: ≤ 1 means within tolerance. */
export function toleranceUsed(a: readonly number[], b: readonly number[], rtol: number, atol: number): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const used = Math.abs(a[i]! - b[i]!) / (rtol * Math.max(Math.abs(a[i]!), Math.abs(b[i]!)) + atol);
    if (!(used <= worst)) worst = Number.isNaN(used) ? Infinity : used;
  }
  return worst;
}

/**
 * Tolerances of the GPU build against the CPU build. On a CPU-only machine both run TensorFlow 2.15.1's CPU
 * kernels, so they agree as closely as the graph and eager engines do (graphParity.test.ts: 1e-5 relative).
 * On a GPU, cuDNN/cuBLAS sum in other orders and Ampere+ GPUs run float32 matmuls and convolutions in TF32
 * (10-bit mantissa) by default, so the loss terms may differ by ~1e-3 relative.
 */
export const BUILD_TOLERANCE = { cpu: { rtol: 1e-5, atol: 1e-6 }, gpu: { rtol: 3e-3, atol: 1e-4 } } as const;

/** One comparison of the GPU build against the CPU build, for one engine. */
export interface BuildComparison {
  engine: EngineKind;
  gpuDevice: string;
  /** Fractions of the tolerance used (≤ 1 passes). */
  termsUsed: number;
  weightsUsed: number;
  /** Whether the GPU build printed the one line that says it runs on the CPU. */
  saidCpuFallback: boolean;
  ok: boolean;
}

/** Compares the two builds on both engines; the GPU build must be provisioned (`npm run setup -- --gpu`). */
export function compareBuilds(): BuildComparison[] {
  return (['eager', 'graph'] as const).map((engine) => {
    const cpu = fingerprintInChild('cpu', engine).fingerprint;
    const gpuRun = fingerprintInChild('gpu', engine);
    const gpu = gpuRun.fingerprint;
    if (cpu.provider !== NATIVE_PACKAGES.cpu || gpu.provider !== NATIVE_PACKAGES.gpu)
      throw new Error(`expected the CPU and GPU builds, got ${cpu.provider} and ${gpu.provider}: run 'npm run setup -- --gpu' first`);
    const tol = BUILD_TOLERANCE[gpu.device === 'CPU' ? 'cpu' : 'gpu'];
    // Weights: a hundredth of one Adam step (lr 1e-3) as the floor, as in graphParity.test.ts.
    const weightsUsed = Math.max(...Object.keys(cpu.weights).map((name) => toleranceUsed(gpu.weights[name] ?? [], cpu.weights[name]!, tol.rtol, 1e-5)));
    const termsUsed = toleranceUsed(gpu.terms, cpu.terms, tol.rtol, tol.atol);
    const saidCpuFallback = gpuRun.stderr.includes(NO_GPU_LINE);
    const fallbackOk = gpu.device !== 'CPU' || saidCpuFallback;
    return { engine, gpuDevice: gpu.device, termsUsed, weightsUsed, saidCpuFallback, ok: termsUsed <= 1 && weightsUsed <= 1 && fallbackOk };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--child') {
    const fingerprint = await updateFingerprint(process.argv[3] as EngineKind);
    process.stdout.write(JSON.stringify(fingerprint));
  } else {
    const rows = compareBuilds();
    for (const r of rows) {
      console.log(
        `${r.ok ? 'ok  ' : 'FAIL'} ${r.engine}: GPU build on ${r.gpuDevice}; loss terms used ${r.termsUsed.toFixed(3)} of the tolerance, ` +
          `weights ${r.weightsUsed.toFixed(3)}${r.gpuDevice === 'CPU' ? `; CPU fallback line ${r.saidCpuFallback ? 'printed' : 'MISSING'}` : ''}`,
      );
    }
    process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
  }
}
