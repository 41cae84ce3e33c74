import { GymBridgeEnv, Random32, type GymBridgeEnvArgs } from '@mempo/envs';
import { markdownTable } from 'markdown-table';

/** One bridged env to time. */
export interface EnvsCase {
  name: string;
  args: GymBridgeEnvArgs;
}

/** The sizes: MiniGrid with 16 envs and Breakout (4 stacked frames, as ALE stacks them) with 8. */
export const ENVS_CASES: EnvsCase[] = [
  { name: 'MiniGrid-DoorKey-8x8-v0 ×16', args: { family: 'minigrid', envId: 'MiniGrid-DoorKey-8x8-v0', numEnvs: 16 } },
  { name: 'Breakout ×8 (stack 4)', args: { family: 'atari', envId: 'breakout', numEnvs: 8, options: { stack: 4 } } },
];

/** Settings of `runEnvsSuite`. */
export interface EnvsSuiteOptions {
  /** Batched steps per timed round (default 200). */
  steps?: number;
  /** Rounds, alternating bridge and worker-alone timings; the fastest of each counts, which filters out load from other processes (default 7). */
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
  /** Env steps per second (batched steps × numEnvs) driving the env from Node through the bridge. */
  bridgeStepsPerSec: number;
  /** Env steps per second of the same stepping inside the Python worker, with no messages. */
  workerStepsPerSec: number;
  /** Time the bridge adds per step, in % of the worker-alone time (issue target: < 10). */
  overheadPct: number;
}

/** Seconds for `steps` batched steps with uniform random actions, driven from Node. */
async function timeBridge(env: GymBridgeEnv, steps: number, rng: Random32): Promise<number> {
  const actions = new Int32Array(env.numEnvs);
  const start = performance.now();
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < actions.length; i++) actions[i] = rng.nextInt(env.actionSpace.n);
    await env.step(actions);
  }
  return (performance.now() - start) / 1000;
}

/**
 * Times each case through the bridge and inside the worker alone (the `bench` request: the same stepping
 * with random actions and no messages), in alternating rounds so that load from other processes hits
 * both sides alike; the fastest round of each side counts.
 */
export async function runEnvsSuite(
  options: EnvsSuiteOptions = {},
  onProgress: (line: string) => void = () => {},
): Promise<EnvsResult[]> {
  const { steps = 200, rounds = 7, only } = options;
  const results: EnvsResult[] = [];
  for (const c of ENVS_CASES.filter((c) => !only || only.some((s) => c.name.includes(s)))) {
    onProgress(`${c.name}: starting the worker`);
    const env = await GymBridgeEnv.create(c.args);
    try {
      await env.reset(0);
      const rng = new Random32(0);
      await timeBridge(env, Math.min(50, steps), rng);
      let bridge = Infinity;
      let worker = Infinity;
      for (let r = 0; r < rounds; r++) {
        onProgress(`${c.name}: round ${r + 1}/${rounds}`);
        bridge = Math.min(bridge, await timeBridge(env, steps, rng));
        worker = Math.min(worker, (await env.benchmarkWorker(steps, r)).seconds);
      }
      const envSteps = steps * env.numEnvs;
      results.push({
        case: c.name,
        numEnvs: env.numEnvs,
        steps,
        bridgeStepsPerSec: envSteps / bridge,
        workerStepsPerSec: envSteps / worker,
        overheadPct: ((bridge - worker) / worker) * 100,
      });
    } finally {
      await env.close();
    }
  }
  return results;
}

/** The envs table: env steps per second through the bridge and in the worker alone, and the overhead. */
export function envsTable(results: EnvsResult[]): string {
  const rows = results.map((r) => [
    r.case,
    Math.round(r.bridgeStepsPerSec).toLocaleString('en-US'),
    Math.round(r.workerStepsPerSec).toLocaleString('en-US'),
    `${r.overheadPct.toFixed(1)} %`,
  ]);
  return markdownTable([['env (batch)', 'bridge steps/s', 'worker-alone steps/s', 'bridge overhead'], ...rows], {
    align: ['l', 'r', 'r', 'r'],
  });
}
