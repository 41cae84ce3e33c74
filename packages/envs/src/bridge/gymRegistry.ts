import { BridgeError, WorkerProcess } from './workerProcess.js';

/**
 * What the bridge sends for an env's observation (the envs README, "Any gymnasium env"), which also decides
 * the encoder that reads it:
 * - `image`: a small uint8 image `[H, W, C]` (MiniGrid's 7×7×3 codes: the MiniGrid conv encoder);
 * - `nature`: a larger picture as grayscale `[1, 84, 84]` uint8 (the Nature CNN);
 * - `vector`: a flat Box as float32 `[D]` (the MLP encoder).
 */
export type GymObservationKind = 'image' | 'nature' | 'vector';

/** An observation the bridge can send: its kind, shape and dtype, and the env's own space it comes from. */
export interface GymObservationSpace {
  kind: GymObservationKind;
  /** One env's observation as the bridge sends it. */
  shape: number[];
  dtype: 'uint8' | 'float32';
  /** The env's own space: its shape and dtype, and `key` 'image' when it is MiniGrid's Dict. */
  source: { shape: number[]; dtype: string; key: string | null };
  /** The smallest `low` and largest `high` of the env's space; null where a side is unbounded. */
  low: number | null;
  high: number | null;
}

/** A space the bridge cannot host, as gymnasium prints it (e.g. `Box(-2.0, 2.0, (1,), float32)`). */
export interface UnsupportedSpace {
  kind: 'unsupported';
  text: string;
}

/** The registry check's answer for one id ({@link describeGymEnvs}). */
export interface GymEnvDescription {
  envId: string;
  /** Whether gymnasium's registry (with MiniGrid's and ALE's ids) knows the id. */
  registered: boolean;
  /** Close registered ids when the id is unknown (difflib), best first. */
  suggestions: string[];
  /** Null when the bridge can host the id; else one line naming what is wrong and the fix. */
  problem: string | null;
  /** Present for a registered id that could be built. */
  actionSpace?: { kind: 'discrete'; n: number; start: number } | UnsupportedSpace;
  observationSpace?: GymObservationSpace | UnsupportedSpace;
}

/** Settings of {@link describeGymEnvs}. */
export interface DescribeGymEnvsOptions {
  /** Interpreter; default `pythonExecutable()`. */
  python?: string;
  /** Longest wait for the worker to start and answer, in ms (default 120 000: each id is built once). */
  timeoutMs?: number;
}

/**
 * Asks one bridge worker whether it can host each of `ids`, before any env starts: registered (else close
 * matches), a `Discrete` action space, and an observation the agent's encoders read (a uint8 image, a flat
 * Box vector, or MiniGrid's Dict image). Each id is built once to read its spaces, then closed. The answer is
 * keyed by id; `problem` is null for an id that can be hosted.
 *
 * @example
 * const found = await describeGymEnvs(['CartPole-v1', 'Pendulum-v1']);
 * found['CartPole-v1'].observationSpace; // { kind: 'vector', shape: [4], dtype: 'float32', … }
 * found['Pendulum-v1'].problem;          // "'Pendulum-v1' has action space Box(-2.0, 2.0, (1,), float32): …"
 */
export async function describeGymEnvs(ids: readonly string[], options: DescribeGymEnvsOptions = {}): Promise<Record<string, GymEnvDescription>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return {};
  const worker = new WorkerProcess({ label: 'gymnasium registry worker', python: options.python });
  try {
    const reply = await worker.request('describe', { envIds: unique }, {}, options.timeoutMs ?? 120_000);
    const envs = reply.header.envs;
    if (!Array.isArray(envs) || envs.length !== unique.length)
      throw new BridgeError(`${worker.label}: malformed 'describe' reply ${JSON.stringify(reply.header)}`, 'protocol');
    return Object.fromEntries((envs as GymEnvDescription[]).map((e, i) => [unique[i]!, e]));
  } finally {
    await worker.close();
  }
}
