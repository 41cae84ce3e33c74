import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GymBridgeEnv, NativeAtariEnv, Random32, defaultAtariBackend, type GymBridgeEnvArgs } from '@mempo/envs';
import { markdownTable } from 'markdown-table';

/** One bridged env to time. */
export interface EnvsCase {
  name: string;
  args: GymBridgeEnvArgs;
}

/**
 * MiniGrid with 16 envs and Breakout (4 stacked frames, as ALE stacks them) with 8, 16 and 32. Atari cases
 * also time the native env (`NativeAtariEnv`, ALE as a Node addon) when the addon is built.
 */
export const ENVS_CASES: EnvsCase[] = [
  { name: 'MiniGrid-DoorKey-8x8-v0 ×16', args: { family: 'minigrid', envId: 'MiniGrid-DoorKey-8x8-v0', numEnvs: 16 } },
  ...[8, 16, 32].map(
    (numEnvs): EnvsCase => ({ name: `Breakout ×${numEnvs} (stack 4)`, args: { family: 'atari', envId: 'breakout', numEnvs, options: { stack: 4 } } }),
  ),
];

/** Settings of `runEnvsSuite`. */
export interface EnvsSuiteOptions {
  /** Batched steps per timed round (default 300). */
  steps?: number;
  /** Timed rounds, each through the bridge and in the worker alone, after one untimed warm-up round (default 9). */
  rounds?: number;
  /** Only the cases whose name contains one of these strings (default: all). */
  only?: string[];
}

/** Throughput of one case through the bridge and inside the worker alone. */
export interface EnvsResult {
  case: string;
  numEnvs: number;
  /** Batched steps per timed round. */
  steps: number;
  /** Env steps per second (batched steps × numEnvs) driving the env from Node through the bridge (median round). */
  bridgeStepsPerSec: number;
  /** Env steps per second of the same stepping inside the Python worker, with no messages (median round). */
  workerStepsPerSec: number;
  /** Time the bridge adds per step, in % of the worker-alone time: the median over rounds (issue target: < 10). */
  overheadPct: number;
  /** Median round trip of an empty request and reply, in µs: the bridge's fixed cost per message. */
  pingMicros: number;
  /** The overhead of each timed round, in %. */
  roundOverheadPct: number[];
  /** Atari with the addon built: env steps per second of the native env, same seeds and actions (median round). */
  nativeStepsPerSec?: number;
  /** Native steps/s in % of the worker alone's, per round (issue target for Breakout ×8: ≥ 95). */
  roundNativePct?: number[];
  /** The median of {@link roundNativePct}. */
  nativePct?: number;
}

/** Empty round trips timed per case. */
const PINGS = 2000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Seconds for stepping through `actions` (`steps × P`) from Node, after an untimed reset with `seed`. */
async function timeBridge(env: GymBridgeEnv, actions: Int32Array, seed: number): Promise<number> {
  await env.reset(seed);
  const P = env.numEnvs;
  const start = performance.now();
  for (let t = 0; t < actions.length / P; t++) await env.step(actions.subarray(t * P, (t + 1) * P));
  return (performance.now() - start) / 1000;
}

/** Seconds for stepping the native env through `actions`, after an untimed reset with `seed`. */
async function timeNative(env: NativeAtariEnv, actions: Int32Array, seed: number): Promise<number> {
  await env.reset(seed);
  const P = env.numEnvs;
  const start = performance.now();
  for (let t = 0; t < actions.length / P; t++) await env.step(actions.subarray(t * P, (t + 1) * P));
  return (performance.now() - start) / 1000;
}

/** What the suite's timing process sends to the CLI. */
export type EnvsSuiteMessage = { progress: string } | { results: EnvsResult[] };

/**
 * Times each case (see {@link timeEnvs}) in a Node process of its own, holding only the envs package. In the
 * CLI's process (tfjs and the report libraries loaded: a 30 MB heap) the 280 KB of frames a Breakout step
 * brings made V8 run about 50 full Mark-Compacts per case, which added some 15 points to the Breakout
 * overhead: a cost of that process, not of the bridge.
 */
export function runEnvsSuite(options: EnvsSuiteOptions = {}, onProgress: (line: string) => void = () => {}): Promise<EnvsResult[]> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./envsSuiteProcess.js', import.meta.url)), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let results: EnvsResult[] | undefined;
    child.on('message', (message: EnvsSuiteMessage) => {
      if ('progress' in message) onProgress(message.progress);
      else results = message.results;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (results) resolve(results);
      else reject(new Error(`the envs suite's timing process ended without results (exit code ${code}, signal ${signal}); its errors are printed above`));
    });
    child.send(options);
  });
}

/**
 * Times each case through the bridge and inside the worker alone, in this process. Each round draws a seed
 * and uniform random actions; the bridge run resets with the seed and steps the actions from Node, then the
 * worker (the `bench` request) resets with the same seed and steps the same actions with no messages. Both
 * replay the same episodes, so a round's ratio compares equal work, and the median over rounds discounts
 * rounds that load from other processes slowed down.
 */
export async function timeEnvs(
  options: EnvsSuiteOptions = {},
  onProgress: (line: string) => void = () => {},
): Promise<EnvsResult[]> {
  const { steps = 300, rounds = 9, only } = options;
  const results: EnvsResult[] = [];
  for (const c of ENVS_CASES.filter((c) => !only || only.some((s) => c.name.includes(s)))) {
    onProgress(`${c.name}: starting the worker`);
    const env = await GymBridgeEnv.create(c.args);
    const native =
      c.args.family === 'atari' && defaultAtariBackend() === 'native'
        ? new NativeAtariEnv({ game: c.args.envId, numEnvs: env.numEnvs, stack: c.args.options?.stack as number })
        : null;
    try {
      const bridge: number[] = [];
      const worker: number[] = [];
      const nativeSeconds: number[] = [];
      for (let r = 0; r <= rounds; r++) {
        onProgress(r === 0 ? `${c.name}: warm-up round` : `${c.name}: round ${r}/${rounds}`);
        const rng = new Random32(r);
        const actions = Int32Array.from({ length: steps * env.numEnvs }, () => rng.nextInt(env.actionSpace.n));
        const b = await timeBridge(env, actions, r);
        const w = (await env.benchmarkWorker(actions, r)).seconds;
        const n = native ? await timeNative(native, actions, r) : 0;
        if (r === 0) continue;
        bridge.push(b);
        worker.push(w);
        if (native) nativeSeconds.push(n);
      }
      const pings: number[] = [];
      for (let i = 0; i < PINGS; i++) {
        const start = performance.now();
        await env.ping();
        pings.push((performance.now() - start) * 1000);
      }
      const envSteps = steps * env.numEnvs;
      const roundOverheadPct = bridge.map((b, i) => ((b - worker[i]!) / worker[i]!) * 100);
      const roundNativePct = nativeSeconds.map((n, i) => (worker[i]! / n) * 100);
      results.push({
        case: c.name,
        numEnvs: env.numEnvs,
        steps,
        bridgeStepsPerSec: envSteps / median(bridge),
        workerStepsPerSec: envSteps / median(worker),
        overheadPct: median(roundOverheadPct),
        pingMicros: median(pings),
        roundOverheadPct,
        ...(native ? { nativeStepsPerSec: envSteps / median(nativeSeconds), roundNativePct, nativePct: median(roundNativePct) } : {}),
      });
    } finally {
      await Promise.all([env.close(), native?.close()]);
    }
  }
  return results;
}

/**
 * The envs table: env steps per second through the bridge, in the worker alone (ale-py or gymnasium without
 * messages) and, for Atari, of the native env; the bridge's overhead and the native env's speed in % of the
 * worker alone's (median rounds).
 */
export function envsTable(results: EnvsResult[]): string {
  const rows = results.map((r) => [
    r.case,
    Math.round(r.bridgeStepsPerSec).toLocaleString('en-US'),
    Math.round(r.workerStepsPerSec).toLocaleString('en-US'),
    `${r.overheadPct.toFixed(1)} %`,
    `${Math.min(...r.roundOverheadPct).toFixed(0)} to ${Math.max(...r.roundOverheadPct).toFixed(0)} %`,
    `${Math.round(r.pingMicros)} µs`,
    r.nativeStepsPerSec === undefined ? '–' : Math.round(r.nativeStepsPerSec).toLocaleString('en-US'),
    r.nativePct === undefined
      ? '–'
      : `${r.nativePct.toFixed(0)} % (${Math.min(...r.roundNativePct!).toFixed(0)} to ${Math.max(...r.roundNativePct!).toFixed(0)})`,
  ]);
  return markdownTable(
    [
      [
        'env (batch)',
        'bridge steps/s',
        'worker-alone steps/s',
        'bridge overhead (median round)',
        'rounds',
        'empty round trip',
        'native steps/s',
        'native ÷ worker alone (rounds)',
      ],
      ...rows,
    ],
    { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] },
  );
}
