import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AleVectorEnv, type AleVectorEnvOptions } from '../src/index.js';

const RECORDER = fileURLToPath(new URL('../python/record_ale_py.py', import.meta.url));

/** The repo's virtualenv interpreter (set-up installs ale-py there), or MEMPO_PYTHON. */
export function venvPython(): string {
  return process.env.MEMPO_PYTHON ?? fileURLToPath(new URL('../../../.venv/bin/python', import.meta.url));
}

/** One batched step (or the reset) as the recorder writes it. */
export interface RecordedStep {
  obs: string[];
  lives: number[];
  episodeFrame: number[];
  reward?: number[];
  terminated?: number[];
  truncated?: number[];
  finalObs?: Record<string, string>;
}

/** Uniform actions in 0..n-1 from a seeded xorshift32: `[steps, numEnvs]`. */
export function randomActions(steps: number, numEnvs: number, n: number, seed: number): Int32Array {
  let x = seed >>> 0 || 1;
  const out = new Int32Array(steps * numEnvs);
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x % n;
  }
  return out;
}

function digests(obs: Uint8Array, numEnvs: number): string[] {
  const size = obs.length / numEnvs;
  return Array.from({ length: numEnvs }, (_, i) => createHash('sha256').update(obs.subarray(i * size, (i + 1) * size)).digest('hex'));
}

/** Steps the native env through `actions` and records it exactly as record_ale_py.py records ale-py. */
export function recordNative(options: AleVectorEnvOptions, seed: number, actions: Int32Array): RecordedStep[] {
  const env = new AleVectorEnv(options);
  const P = env.numEnvs;
  const sameStep = env.options.autoresetMode === 'same-step';
  try {
    const first = env.reset(seed);
    const steps: RecordedStep[] = [{ obs: digests(first.obs, P), lives: Array.from(first.lives), episodeFrame: Array.from(first.episodeFrameNumber) }];
    const size = first.obs.length / P;
    for (let t = 0; t < actions.length / P; t++) {
      const out = env.step(actions.subarray(t * P, (t + 1) * P));
      const step: RecordedStep = {
        obs: digests(out.obs, P),
        lives: Array.from(out.lives),
        episodeFrame: Array.from(out.episodeFrameNumber),
        reward: Array.from(out.reward),
        terminated: Array.from(out.terminated),
        truncated: Array.from(out.truncated),
      };
      if (sameStep) {
        step.finalObs = {};
        for (let i = 0; i < P; i++)
          if (out.terminated[i] || out.truncated[i])
            step.finalObs[String(i)] = createHash('sha256').update(out.finalObs.subarray(i * size, (i + 1) * size)).digest('hex');
      }
      steps.push(step);
    }
    return steps;
  } finally {
    env.close();
  }
}

/** Runs ale-py's AtariVectorEnv in the virtualenv with the same seed and actions. */
export async function recordAlePy(
  game: string,
  numEnvs: number,
  seed: number,
  pyOptions: Record<string, unknown>,
  actions: Int32Array,
): Promise<RecordedStep[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ale-parity-'));
  try {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ game, numEnvs, seed, options: pyOptions }));
    writeFileSync(join(dir, 'actions.bin'), Buffer.from(actions.buffer, actions.byteOffset, actions.byteLength));
    await promisify(execFile)(venvPython(), [RECORDER, join(dir, 'config.json'), join(dir, 'actions.bin'), join(dir, 'out.jsonl')], {
      timeout: 600_000,
    });
    return readFileSync(join(dir, 'out.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RecordedStep);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The final observations ALE wrote at step t: those of envs whose game restarted (its episode frame number
 * went down). After a lost life with life-loss info ALE resets nothing and leaves that env's final-obs row
 * unwritten (uninitialised memory in ale-py's buffers), so those rows carry no meaning to compare.
 */
function restartedFinalObs(steps: RecordedStep[], t: number): Record<string, string> | undefined {
  const final = steps[t]!.finalObs;
  if (!final) return undefined;
  const kept: Record<string, string> = {};
  for (const [env, digest] of Object.entries(final))
    if (steps[t]!.episodeFrame[Number(env)]! < steps[t - 1]!.episodeFrame[Number(env)]!) kept[env] = digest;
  return kept;
}

/** The first step at which two recordings differ, with the field, or null when they are equal throughout. */
export function firstDifference(a: RecordedStep[], b: RecordedStep[]): string | null {
  if (a.length !== b.length) return `lengths differ: ${a.length} vs ${b.length} records`;
  for (let t = 0; t < a.length; t++) {
    for (const key of ['obs', 'lives', 'episodeFrame', 'reward', 'terminated', 'truncated', 'finalObs'] as const) {
      const x = JSON.stringify(key === 'finalObs' ? restartedFinalObs(a, t) : a[t]![key]);
      const y = JSON.stringify(key === 'finalObs' ? restartedFinalObs(b, t) : b[t]![key]);
      if (x !== y) return `record ${t} (${t === 0 ? 'reset' : `step ${t}`}): ${key} ${x} vs ${y}`;
    }
  }
  return null;
}
