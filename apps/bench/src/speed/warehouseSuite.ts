import * as tf from '@tensorflow/tfjs-core';
// The sequence timings differentiate through the cores; tfjs-core registers gradients only on request.
import { FrameStack, Random32, Warehouse, type VecEnv } from '@mempo/envs';
import { IAMDynamicCore, IAMStaticCore } from '@mempo/iam';
import type { MemoryCore } from '@mempo/core-attention';
import { markdownTable } from 'markdown-table';
import { timeTensorOp, type Timing } from './timing.js';

/** Settings of {@link runWarehouseSuite}. */
export interface WarehouseSuiteOptions {
  /** Batch sizes (parallel envs) to time the Warehouse with. Default [8, 32]. */
  numEnvs?: number[];
  /** Env steps (batched steps × numEnvs) per timed round. Default 200 000. */
  envSteps?: number;
  /** Rounds per env case; the fastest counts, which filters out load from other processes. Default 5. */
  rounds?: number;
  /** Batch B for the IAM timings (the paper's 8 workers). Default 8. */
  batch?: number;
  /** Time steps T of the IAM sequence (training) timings. Default 32. */
  seqLength?: number;
}

/** Throughput of one Warehouse configuration. */
export interface WarehouseEnvResult {
  case: string;
  numEnvs: number;
  /** Env steps per second through the `VecEnv.step` Promise API, single-threaded. */
  stepsPerSec: number;
}

/** Time of one IAM call at the paper's sizes on the current backend. */
export interface IAMTimingResult {
  case: string;
  timing: Timing;
}

/** Everything the suite measured. */
export interface WarehouseSuiteResult {
  backend: string;
  env: WarehouseEnvResult[];
  iam: IAMTimingResult[];
}

/** The env cases per batch size: clean rules, the legacy rule, and the 8-frame stack of the FNN baseline. */
function envCases(P: number): { name: string; make: () => VecEnv }[] {
  return [
    { name: `Warehouse ×${P}`, make: () => new Warehouse({ numEnvs: P }) },
    { name: `Warehouse ×${P} legacyItemRemoval`, make: () => new Warehouse({ numEnvs: P, legacyItemRemoval: true }) },
    { name: `Warehouse ×${P} + FrameStack k=8`, make: () => new FrameStack(new Warehouse({ numEnvs: P }), { k: 8 }) },
  ];
}

async function timeEnv(make: () => VecEnv, envSteps: number, rounds: number): Promise<number> {
  const env = make();
  await env.reset(0);
  const P = env.numEnvs;
  const steps = Math.max(1, Math.round(envSteps / P));
  const rng = new Random32(1);
  // Actions are drawn outside the timed loop: the figure is the env's cost, not the sampler's.
  const actions = Array.from({ length: 64 }, () => Int32Array.from({ length: P }, () => rng.nextInt(4)));
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let t = 0; t < steps; t++) await env.step(actions[t % 64]!);
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  await env.close();
  return (steps * P) / best;
}

/** `core.step` (acting) and `core.sequence` forward + backward (training) at batch B. */
function iamCases(core: MemoryCore, label: string, B: number, T: number) {
  const [N, F] = core.inputShape;
  const x = tf.randomUniform([B, N, F], 0, 1, 'float32', 3) as tf.Tensor3D;
  const xs = tf.randomUniform([T, B, N, F], 0, 1, 'float32', 4) as tf.Tensor4D;
  const starts = tf.zeros([T, B]) as tf.Tensor2D;
  const state = core.initialState(B);
  const cases = [
    {
      name: `${label} step B=${B}`,
      run: () => {
        const r = core.step(x, state, { training: false });
        return [r.output, ...r.state];
      },
    },
    {
      name: `${label} sequence fwd+bwd T=${T} B=${B}`,
      run: () => {
        const { grads } = tf.variableGrads(() => {
          const { outputs } = core.sequence(xs, state, starts, { training: true });
          return tf.mean(tf.square(outputs)) as tf.Scalar;
        }, core.trainableVariables());
        return Object.values(grads);
      },
    },
  ];
  return { cases, inputs: [x, xs, starts, ...state] };
}

/**
 * Warehouse steps/s (single-threaded, through the Promise API) for each batch size, and IAM step and
 * training-sequence times at the paper's sizes (static: Warehouse FNN 576→256 + LSTM 64 on 25 bits;
 * dynamic: 49×64 map, attention 256, LSTM 256) on the backend already chosen by the caller.
 */
export async function runWarehouseSuite(
  options: WarehouseSuiteOptions = {},
  onProgress: (line: string) => void = () => {},
): Promise<WarehouseSuiteResult> {
  const { numEnvs = [8, 32], envSteps = 200_000, rounds = 5, batch = 8, seqLength = 32 } = options;
  const env: WarehouseEnvResult[] = [];
  for (const P of numEnvs) {
    for (const c of envCases(P)) {
      onProgress(c.name);
      env.push({ case: c.name, numEnvs: P, stepsPerSec: await timeEnv(c.make, envSteps, rounds) });
    }
  }
  const iam: IAMTimingResult[] = [];
  for (const [label, core] of [
    ['IAM static (Warehouse)', new IAMStaticCore({ seed: 1 })],
    ['IAM dynamic (Atari map)', new IAMDynamicCore({ seed: 1 })],
  ] as const) {
    const { cases, inputs } = iamCases(core, label, batch, seqLength);
    for (const c of cases) {
      onProgress(c.name);
      iam.push({ case: c.name, timing: await timeTensorOp(c.run, { budgetMs: 2000, maxReps: 30 }) });
    }
    tf.dispose(inputs);
    core.dispose();
  }
  return { backend: tf.getBackend(), env, iam };
}

/** Two Markdown tables: env throughput, and IAM call times. */
export function warehouseTables(result: WarehouseSuiteResult): string {
  const envTable = markdownTable(
    [['env case', 'envs', 'env steps/s'], ...result.env.map((r) => [r.case, String(r.numEnvs), Math.round(r.stepsPerSec).toLocaleString('en-US')])],
    { align: ['l', 'r', 'r'] },
  );
  const iamTable = markdownTable(
    [
      [`IAM call (backend ${result.backend})`, 'median ms', 'min ms', 'reps'],
      ...result.iam.map((r) => [r.case, r.timing.medianMs.toFixed(2), r.timing.minMs.toFixed(2), String(r.timing.reps)]),
    ],
    { align: ['l', 'r', 'r', 'r'] },
  );
  return `${envTable}\n\n${iamTable}`;
}
