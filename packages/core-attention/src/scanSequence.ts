import * as tf from '@tensorflow/tfjs-core';
import { maskStateAtStarts } from './episodeStarts.js';
import type { CoreCallOptions, CoreSequenceResult, CoreStepResult, MemoryCore } from './memoryCore.js';

/** `[T, …]` → T tensors `[…]`; for T = 1 a squeeze, because `tf.unstack`'s gradient rejects a single output (tfjs 4.22). */
export function timeSteps(x: tf.Tensor): tf.Tensor[] {
  return x.shape[0] === 1 ? [tf.squeeze(x, [0])] : tf.unstack(x);
}

/** One step of a scan: this step's slices of the per-time inputs, and the (already reset) state. */
export type ScanStep = (inputs: tf.Tensor[], state: tf.Tensor[], t: number) => CoreStepResult;

/**
 * Runs `step` over the time axis of `inputs` (each `[T, B, …]`), resetting the state of env b before step t
 * wherever `starts[t][b] = 1` (through {@link maskStateAtStarts}). Cores pass precomputed per-time tensors
 * (e.g. input projections for all T at once) as extra inputs. Outputs and diagnostics are stacked on a
 * leading time axis.
 *
 * @param inputs tensors with time on axis 0, all with the same T
 * @param state0 state before step 0
 * @param starts `[T, B]` episode-start flags
 */
export function scanWithResets(
  inputs: tf.Tensor[],
  state0: tf.Tensor[],
  starts: tf.Tensor2D,
  step: ScanStep,
): CoreSequenceResult {
  const T = starts.shape[0];
  if (T < 1) throw new Error('starts must have at least one time step (got T=0)');
  for (const x of inputs) {
    if (x.shape[0] !== T) throw new Error(`inputs must have T=${T} steps like starts (got shape [${x.shape.join(',')}])`);
  }
  const result = tf.tidy(() => {
    const slices = inputs.map(timeSteps);
    const startRows = timeSteps(starts) as tf.Tensor1D[];
    let state = state0;
    const outputs: tf.Tensor[] = [];
    const diagnostics: Record<string, tf.Tensor[]> = {};
    for (let t = 0; t < T; t++) {
      state = maskStateAtStarts(state, startRows[t]!);
      const r = step(
        slices.map((s) => s[t]!),
        state,
        t,
      );
      outputs.push(r.output);
      state = r.state;
      for (const [name, d] of Object.entries(r.diagnostics ?? {})) (diagnostics[name] ??= []).push(d);
    }
    const stacked = Object.fromEntries(Object.entries(diagnostics).map(([k, v]) => [k, tf.stack(v)]));
    return { outputs: tf.stack(outputs), state, diagnostics: stacked };
  });
  const out: CoreSequenceResult = { outputs: result.outputs as tf.Tensor3D, state: result.state };
  if (Object.keys(result.diagnostics).length > 0) out.diagnostics = result.diagnostics;
  return out;
}

/**
 * The generic `MemoryCore.sequence`: `core.step` over T with episode-start resets. Cores whose math allows
 * precomputing work for all T at once use {@link scanWithResets} directly instead.
 */
export function sequenceByStep(
  core: Pick<MemoryCore, 'step'>,
  xs: tf.Tensor4D,
  state0: tf.Tensor[],
  starts: tf.Tensor2D,
  opts: CoreCallOptions,
): CoreSequenceResult {
  return scanWithResets([xs], state0, starts, ([x], state) => core.step(x as tf.Tensor3D, state, opts));
}
