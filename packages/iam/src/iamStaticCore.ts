import * as tf from '@tensorflow/tfjs-core';
import {
  flattenSet,
  requirePositiveInt,
  scanWithResets,
  type CoreCallOptions,
  type CoreSequenceResult,
  type CoreStepResult,
} from '@mempo/core-attention';
import { WAREHOUSE_D_SET, selectDSet, validateDSet } from './dSet.js';
import { IAMCoreBase, lstmInitArgs, type IAMBranchArgs } from './iamCoreBase.js';

/** Arguments of {@link IAMStaticCore}; every default is the paper-era Warehouse network. */
export interface IAMStaticCoreArgs extends IAMBranchArgs {
  /** F: features per input element (73 for the Warehouse). Default 73. */
  inputSize?: number;
  /** N: elements per input set; the core reads the flattened `N·F` vector. Default 1. */
  numElements?: number;
  /**
   * Indices of the flattened observation the recurrent branch reads. Default {@link WAREHOUSE_D_SET}
   * `[0, 49, …, 72]` (as published; see the iam README). All indices 0..N·F−1 = the "no input restriction" ablation.
   */
  dSet?: readonly number[];
}

const OWNER = 'IAMStaticCore';

/**
 * Influence-Aware Memory with a static d-set (the iam README): a feed-forward branch reads the whole flat
 * observation, a recurrent branch reads only the d-set entries; output = `[fnn ‖ h]`. Only the recurrent
 * state is carried in time: `[h, c]` (LSTM) or `[h]` (GRU), each `[B, hiddenSize]`.
 *
 * Weights: `fnn.<i>.kernel` `[in_i, out_i]` (`fnn.<i>.bias` with `fnnBias`), `rnn.kernel` `[|dSet|, gates·H]`,
 * `rnn.recurrentKernel` `[H, gates·H]`, `rnn.bias` `[gates·H]` (+ `rnn.recurrentBias` for a GRU);
 * gates = 4 (LSTM i, f, g, o) or 3 (GRU r, z, n).
 *
 * @example
 * const core = new IAMStaticCore({ seed: 1 });          // Warehouse: 73 → FNN 576 → 256, LSTM 64 on 25 bits
 * let state = core.initialState(8);
 * const { output } = core.step(obs, state, { training: false }); // obs [8, 1, 73] → [8, 320]
 */
export class IAMStaticCore extends IAMCoreBase<IAMStaticCoreArgs> {
  readonly variant = 'static';
  readonly dSet: readonly number[];
  private readonly dSetIndices: tf.Tensor1D;

  constructor(args: IAMStaticCoreArgs = {}) {
    const {
      inputSize = 73,
      numElements = 1,
      dSet = WAREHOUSE_D_SET,
      fnnSizes = [576, 256],
      fnnBias = false,
      hiddenSize = 64,
      cell = 'lstm',
      seed,
    } = args;
    requirePositiveInt('inputSize', inputSize);
    requirePositiveInt('numElements', numElements);
    validateDSet(dSet, inputSize * numElements);
    const resolved = { inputSize, numElements, dSet: [...dSet], fnnSizes: [...fnnSizes], fnnBias, hiddenSize, cell, ...lstmInitArgs(args) };
    super(OWNER, { ...resolved, ...(seed !== undefined ? { seed } : {}) }, [numElements, inputSize], dSet.length);
    this.dSet = [...dSet];
    this.dSetIndices = tf.tensor1d([...dSet], 'int32');
  }

  step(x: tf.Tensor3D, state: tf.Tensor[], _opts: CoreCallOptions): CoreStepResult {
    this.checkStep(x, state);
    return tf.tidy(() => {
      const flat = flattenSet(x); // [B, N·F]
      return this.recurrentStep(this.fnn.apply(flat), this.rnn.projectInput(selectDSet(flat, this.dSetIndices)), state);
    });
  }

  sequence(xs: tf.Tensor4D, state0: tf.Tensor[], starts: tf.Tensor2D, _opts: CoreCallOptions): CoreSequenceResult {
    this.checkSequence(xs, state0);
    const [T, B] = xs.shape;
    // Neither branch's input side depends on the state: the FNN and the d-set projection run once on T·B rows.
    const [fnnOut, proj] = tf.tidy(() => {
      const flat = tf.reshape(xs, [T * B, -1]) as tf.Tensor2D;
      return [
        tf.reshape(this.fnn.apply(flat), [T, B, this.fnn.outputSize]),
        tf.reshape(this.rnn.projectInput(selectDSet(flat, this.dSetIndices)), [T, B, -1]),
      ];
    });
    const out = scanWithResets([fnnOut, proj], state0, starts, ([f, p], state) =>
      this.recurrentStep(f as tf.Tensor2D, p as tf.Tensor2D, state),
    );
    tf.dispose([fnnOut, proj]);
    return out;
  }

  override dispose(): void {
    super.dispose();
    this.dSetIndices.dispose();
  }
}
