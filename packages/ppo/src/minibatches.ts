import type { MinibatchGrouping, SequenceShift } from './config.js';
import type { Rng } from './rng.js';
import type { RolloutBuffer } from './rolloutBuffer.js';

/** One training sequence: env column `env`, steps `start .. start + L − 1`. */
export interface SequenceRef {
  env: number;
  start: number;
}

/** Every env column cut into T / L sequences (the ppo README, "Recurrent minibatches"). */
export function sequenceRefs(numSteps: number, numEnvs: number, length: number): SequenceRef[] {
  if (numSteps % length !== 0) throw new Error(`bpttLength must divide numSteps (got ${length}, ${numSteps})`);
  const refs: SequenceRef[] = [];
  for (let env = 0; env < numEnvs; env++) for (let start = 0; start < numSteps; start += length) refs.push({ env, start });
  return refs;
}

/**
 * Whether pass `pass` over the rollout (0-based, counted over the whole run: updates before × epochs + epoch)
 * starts its sequences half a sequence later under `shift` (torch-ac's `batch_num % 2 == 1`).
 */
export function isShiftedPass(shift: SequenceShift, pass: number): boolean {
  return shift === 'half-on-odd-epochs' && pass % 2 === 1;
}

/**
 * One epoch's minibatches: the sequences shuffled with the run's RNG, in groups of `seqsPerBatch` (the last
 * group smaller when they do not divide). With `shifted` (a pass where {@link isShiftedPass} holds), the
 * shuffled sequences are then cut as torch-ac's `_get_batches_starting_indexes` does: the one that ends a
 * column (`start + L = numSteps`) is dropped and the others start `L/2` later, so no sequence crosses the end
 * of its env's column. The RNG draws the same either way. With `grouping: 'time-blocks'` the time blocks
 * are shuffled instead, each keeping its envs' sequences together in env order (`PpoConfig.minibatchGrouping`).
 */
export function epochMinibatches(
  refs: readonly SequenceRef[],
  seqsPerBatch: number,
  rng: Rng,
  shifted?: { length: number; numSteps: number },
  grouping: MinibatchGrouping = 'sequences',
): SequenceRef[][] {
  let order: SequenceRef[];
  if (grouping === 'time-blocks') {
    // The IAM code's SerialSampling.shuffle: shuffle the time blocks, each with every env's sequence in env order.
    const blocks = rng.shuffle([...new Set(refs.map((r) => r.start))]);
    order = blocks.flatMap((start) => refs.filter((r) => r.start === start).sort((a, b) => a.env - b.env));
  } else order = rng.shuffle([...refs]);
  if (shifted) {
    const { length, numSteps } = shifted;
    if (length % 2 !== 0) throw new Error(`a shifted pass needs an even sequence length (got ${length})`);
    order = order.filter((r) => r.start + length < numSteps).map((r) => ({ env: r.env, start: r.start + length / 2 }));
  }
  const batches: SequenceRef[][] = [];
  for (let i = 0; i < order.length; i += seqsPerBatch) batches.push(order.slice(i, i + seqsPerBatch));
  return batches;
}

/** A minibatch as plain arrays, time-major `[L, B]` over its B sequences (index `i * B + b`). */
export interface MinibatchArrays {
  /** L */
  length: number;
  /** B, sequences in the minibatch. */
  batch: number;
  /** [L, B, ...obsShape] as float32. */
  obs: Float32Array;
  /** 1 = zero the state before this step; step 0 keeps the stored flag. [L, B] */
  starts: Float32Array;
  /** [L, B] */
  actions: Int32Array;
  /** [L, B] */
  oldLogProbs: Float32Array;
  /** [L, B] */
  oldValues: Float32Array;
  /** [L, B] */
  advantages: Float32Array;
  /** [L, B] */
  returns: Float32Array;
  /** The stored state at each sequence's first step, `[B, ...shape]` per state tensor. */
  state0: Float32Array[];
}

/**
 * Gathers the steps of `refs` from the buffer (and the update's advantages and returns). `reuse`, a previous
 * result of the same sizes, is filled in place instead of allocating new arrays (the update loop's case).
 */
export function gatherMinibatch(
  buffer: RolloutBuffer,
  advantages: Float32Array,
  returns: Float32Array,
  refs: readonly SequenceRef[],
  length: number,
  reuse?: MinibatchArrays,
): MinibatchArrays {
  const P = buffer.numEnvs;
  const B = refs.length;
  const size = buffer.obsSize;
  const fits = reuse !== undefined && reuse.length === length && reuse.batch === B;
  const out: MinibatchArrays = fits ? reuse : {
    length,
    batch: B,
    obs: new Float32Array(length * B * size),
    starts: new Float32Array(length * B),
    actions: new Int32Array(length * B),
    oldLogProbs: new Float32Array(length * B),
    oldValues: new Float32Array(length * B),
    advantages: new Float32Array(length * B),
    returns: new Float32Array(length * B),
    state0: buffer.stateSizes.map((s) => new Float32Array(B * s)),
  };
  refs.forEach(({ env, start }, b) => {
    for (let i = 0; i < length; i++) {
      const src = (start + i) * P + env;
      const dst = i * B + b;
      out.obs.set(buffer.obs.subarray(src * size, (src + 1) * size), dst * size);
      out.starts[dst] = buffer.starts[src]!;
      out.actions[dst] = buffer.actions[src]!;
      out.oldLogProbs[dst] = buffer.logProbs[src]!;
      out.oldValues[dst] = buffer.values[src]!;
      out.advantages[dst] = advantages[src]!;
      out.returns[dst] = returns[src]!;
    }
    buffer.stateSizes.forEach((s, k) => {
      const src = start * P + env;
      out.state0[k]!.set(buffer.states[k]!.subarray(src * s, (src + 1) * s), b * s);
    });
  });
  return out;
}
