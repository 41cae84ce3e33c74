import { BridgeError, WorkerProcess } from './workerProcess.js';

/**
 * What the bridge sends for an env's observation (the envs README, "Any gymnasium env"), which also decides
 * the encoder that reads it:
 * - `image`: a small uint8 image `[H, W, C]` (MiniGrid's 7×7×3 codes: the MiniGrid conv encoder);
 * - `nature`: a larger picture as grayscale `[1, 84, 84]` uint8 (the Nature CNN);
 * - `vector`: float32 `[D]` (the MLP encoder): a flat Box's numbers, or gymnasium's `spaces.flatten` of a
 *   `Discrete`, `MultiDiscrete`, `MultiBinary`, `Tuple` or `Dict` observation (`flattened`).
 */
export type GymObservationKind = 'image' | 'nature' | 'vector';

const OBSERVATION_KINDS: readonly GymObservationKind[] = ['image', 'nature', 'vector'];

/** An observation the bridge can send: its kind, shape and dtype, and the env's own space it comes from. */
export interface GymObservationSpace {
  kind: GymObservationKind;
  /** One env's observation as the bridge sends it. */
  shape: number[];
  dtype: 'uint8' | 'float32';
  /**
   * The env's own space the observation is read from: gymnasium's text for it (e.g. `Discrete(16)`), its shape
   * and dtype (null for a `Tuple` or `Dict`, which have neither), and `key` 'image' when it is MiniGrid's Dict.
   */
  source: { text: string; shape: number[] | null; dtype: string | null; key: string | null };
  /**
   * True when the `vector` is gymnasium's `spaces.flatten` of the source: one-hot for each `Discrete` (and each
   * entry of a `MultiDiscrete`), a `Box`'s or `MultiBinary`'s values as they are, the parts of a `Tuple` or
   * `Dict` concatenated in order (FrozenLake-v1's `Discrete(16)` → 16; Blackjack-v1's three → 32 + 11 + 2 = 45).
   */
  flattened: boolean;
  /** The smallest `low` and largest `high` of the space sent; null where a side is unbounded. */
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
 * Box vector, MiniGrid's Dict image, or a `Discrete`/`MultiDiscrete`/`MultiBinary`/`Tuple`/`Dict` observation sent
 * flattened, one-hot per `Discrete`). Each id is built once to read its spaces, then closed. The answer is
 * keyed by id; `problem` is null for an id that can be hosted.
 *
 * @example
 * const found = await describeGymEnvs(['CartPole-v1', 'Pendulum-v1']);
 * found['CartPole-v1'].observationSpace; // { kind: 'vector', shape: [4], dtype: 'float32', … }
 * found['Pendulum-v1'].problem;          // "'Pendulum-v1' has action space Box(-2.0, 2.0, (1,), float32): …"
 * const lake = await describeGymEnvs(['FrozenLake-v1']);
 * lake['FrozenLake-v1'].observationSpace; // { kind: 'vector', shape: [16], source: { text: 'Discrete(16)', … }, flattened: true, … }
 */
export async function describeGymEnvs(ids: readonly string[], options: DescribeGymEnvsOptions = {}): Promise<Record<string, GymEnvDescription>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return {};
  const worker = new WorkerProcess({ label: 'gymnasium registry worker', python: options.python });
  try {
    const reply = await worker.request('describe', { envIds: unique }, {}, options.timeoutMs ?? 120_000);
    return parseGymEnvDescriptions(reply.header.envs, unique, worker.label);
  } finally {
    await worker.close();
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isDims = (v: unknown): v is number[] => Array.isArray(v) && v.every((d) => Number.isInteger(d) && d >= 0);
const isBound = (v: unknown): boolean => v === null || typeof v === 'number';
const isStringOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

/** Why `space` is neither an {@link UnsupportedSpace} nor, when `observation`, a {@link GymObservationSpace} (else the Discrete action space); undefined when it is one. */
function spaceProblem(space: unknown, observation: boolean): string | undefined {
  if (!isObject(space)) return 'is not an object';
  if (space.kind === 'unsupported') return typeof space.text === 'string' ? undefined : "is 'unsupported' without a text";
  if (!observation)
    return space.kind === 'discrete' && Number.isInteger(space.n) && (space.n as number) >= 1 && Number.isInteger(space.start)
      ? undefined
      : "is neither 'unsupported' nor 'discrete' with an integer n >= 1 and start";
  if (!OBSERVATION_KINDS.includes(space.kind as GymObservationKind)) return `has kind ${JSON.stringify(space.kind)}, not one of ${OBSERVATION_KINDS.join(', ')} or unsupported`;
  if (!isDims(space.shape) || space.shape.length === 0 || space.shape.includes(0)) return 'has no shape of positive sizes';
  if (space.dtype !== 'uint8' && space.dtype !== 'float32') return `has dtype ${JSON.stringify(space.dtype)}, not uint8 or float32`;
  const source = space.source;
  if (!isObject(source) || typeof source.text !== 'string' || !(source.shape === null || isDims(source.shape)) || !isStringOrNull(source.dtype) || !isStringOrNull(source.key))
    return 'has no source { text, shape, dtype, key }';
  if (typeof space.flattened !== 'boolean' || (space.flattened && space.kind !== 'vector')) return 'has no flattened flag (true only for a vector)';
  return isBound(space.low) && isBound(space.high) ? undefined : 'has a low or high that is neither a number nor null';
}

/**
 * Checks the worker's `describe` answer (`envs`, one entry per id of `ids`, in order) field by field and keys it
 * by id; a malformed answer is a `protocol` {@link BridgeError} naming the entry and the field, so a worker from
 * another version of the bridge is caught here rather than as a wrong encoder later.
 */
export function parseGymEnvDescriptions(envs: unknown, ids: readonly string[], label: string): Record<string, GymEnvDescription> {
  const malformed = (what: string) => new BridgeError(`${label}: malformed 'describe' reply: ${what}`, 'protocol');
  if (!Array.isArray(envs) || envs.length !== ids.length) throw malformed(`expected envs, a list of ${ids.length} entries (got ${JSON.stringify(envs)})`);
  return Object.fromEntries(
    envs.map((entry: unknown, i) => {
      const id = ids[i]!;
      if (!isObject(entry) || entry.envId !== id) throw malformed(`entry ${i} is not the description of '${id}'`);
      if (typeof entry.registered !== 'boolean' || !Array.isArray(entry.suggestions) || !entry.suggestions.every((s) => typeof s === 'string') || !isStringOrNull(entry.problem))
        throw malformed(`'${id}' lacks registered, suggestions or problem`);
      for (const [field, observation] of [['actionSpace', false], ['observationSpace', true]] as const) {
        const problem = entry[field] === undefined ? undefined : spaceProblem(entry[field], observation);
        if (problem !== undefined) throw malformed(`'${id}' ${field} ${problem}`);
      }
      return [id, entry as unknown as GymEnvDescription];
    }),
  );
}
