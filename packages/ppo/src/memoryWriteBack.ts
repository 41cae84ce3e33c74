import type * as tf from '@tensorflow/tfjs-core';
import type { PpoConfig } from './config.js';
import type { SequenceRef } from './minibatches.js';
import type { RolloutBuffer } from './rolloutBuffer.js';

/**
 * The offsets j in 1..L−1 within a training sequence whose states `memoryWriteBack` stores: those where a
 * sequence of a later minibatch or pass can start. Sequences start at t % L = 0, and also at t % (L/2) = 0
 * under `sequenceShift: 'half-on-odd-epochs'`; every start is a multiple of that stride, so the positions are
 * the same offsets in every sequence: [L/2] with the shift, none without (no sequence then starts inside
 * another, and torch-ac's write-back changes nothing that is read again). Empty when the field is off (or absent,
 * as in configs written before it).
 *
 * @example
 * writeBackOffsets({ memoryWriteBack: true, sequenceShift: 'half-on-odd-epochs', bpttLength: 32 }); // [16]
 */
export function writeBackOffsets(config: Pick<PpoConfig, 'sequenceShift' | 'bpttLength'> & { memoryWriteBack?: boolean }): number[] {
  if (config.memoryWriteBack !== true) return [];
  const L = config.bpttLength;
  const stride = config.sequenceShift === 'half-on-odd-epochs' ? L / 2 : L;
  const offsets: number[] = [];
  for (let j = stride; j < L; j += stride) offsets.push(j);
  return offsets;
}

/**
 * Stores a minibatch's recomputed states in the rollout buffer, where later minibatches gather their
 * sequences' initial states (torch-ac `algos/ppo.py`, `update_parameters`: `exps.memory[inds + i + 1] =
 * memory.detach()`). `memory` is {@link UpdateResult.memory}: state tensor k of offset `offsets[i]` at
 * `i·S + k`, `[B, ...shape]` with row b for `refs[b]`; it is read back here, not disposed.
 */
export function writeBackMemory(buffer: RolloutBuffer, refs: readonly SequenceRef[], offsets: readonly number[], memory: readonly tf.Tensor[]): void {
  const S = buffer.stateSizes.length;
  if (memory.length !== offsets.length * S)
    throw new Error(`memory must hold ${S} state tensors per offset (${offsets.length} offsets), got ${memory.length}`);
  const P = buffer.numEnvs;
  offsets.forEach((offset, i) => {
    buffer.stateSizes.forEach((size, k) => {
      const values = memory[i * S + k]!.dataSync() as Float32Array;
      refs.forEach(({ env, start }, b) => {
        const t = start + offset;
        if (t >= buffer.numSteps) throw new Error(`write-back position ${t} (sequence start ${start} + offset ${offset}) is past the rollout's ${buffer.numSteps} steps`);
        buffer.states[k]!.set(values.subarray(b * size, (b + 1) * size), (t * P + env) * size);
      });
    });
  });
}
