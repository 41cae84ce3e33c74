import * as tf from '@tensorflow/tfjs-core';
import { GRUCell, LSTMCell, prefixNames, type LSTMInitArgs, type NamedVariables } from '@mempo/core-attention';

/** Which recurrent cell IAM uses (the iam README, "Recurrent cell"): the paper's LSTM, or a GRU. */
export type IAMCellType = 'lstm' | 'gru';

/**
 * The recurrent branch of IAM: an LSTM or GRU cell behind one state-list interface. The state is the only
 * thing IAM carries in time: `[h, c]` for an LSTM, `[h]` for a GRU, each `[B, H]`; `h` always comes first
 * because the dynamic variant's attention queries it. Weights are the cell's, under `rnn.`. An LSTM starts as
 * `lstmInit` says (`init`, `forgetBias`: the core-attention README, "LSTM initialisation"; the IAM code's is
 * TF 1's `BasicLSTMCell`, `'glorot'` and 1); a GRU takes neither.
 */
export class RecurrentBranch {
  readonly cellType: IAMCellType;
  readonly hiddenSize: number;
  readonly stateShapes: readonly (readonly number[])[];
  private readonly cell: LSTMCell | GRUCell;

  constructor(cellType: IAMCellType, inputSize: number, hiddenSize: number, seed?: number, lstmInit: LSTMInitArgs = {}) {
    if (cellType !== 'lstm' && cellType !== 'gru') throw new Error(`cell must be 'lstm' or 'gru' (got cell=${String(cellType)})`);
    const set = Object.entries({ cellInit: lstmInit.init, forgetBias: lstmInit.forgetBias }).filter(([, v]) => v !== undefined);
    if (cellType === 'gru' && set.length > 0)
      throw new Error(`${set.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')} is for the LSTM cell; with cell 'gru' leave it unset or use cell 'lstm'`);
    this.cellType = cellType;
    this.hiddenSize = hiddenSize;
    this.cell = cellType === 'lstm' ? new LSTMCell({ inputSize, hiddenSize, seed, ...lstmInit }) : new GRUCell({ inputSize, hiddenSize, seed });
    this.stateShapes = cellType === 'lstm' ? [[hiddenSize], [hiddenSize]] : [[hiddenSize]];
  }

  initialState(batch: number): tf.Tensor[] {
    return this.stateShapes.map(() => tf.zeros([batch, this.hiddenSize]));
  }

  /** The state-independent part of the cell: `[R, inputSize]` → `[R, gates·H]` (all T·B rows at once). */
  projectInput(x: tf.Tensor2D): tf.Tensor2D {
    return this.cell.projectInput(x);
  }

  /** One step from a projected input; returns the next state (h first). */
  stepProjected(xProj: tf.Tensor2D, state: tf.Tensor[]): tf.Tensor2D[] {
    if (this.cell instanceof LSTMCell) {
      const { h, c } = this.cell.stepProjected(xProj, { h: state[0] as tf.Tensor2D, c: state[1] as tf.Tensor2D });
      return [h, c];
    }
    return [this.cell.stepProjected(xProj, state[0] as tf.Tensor2D)];
  }

  /** `rnn.kernel`, `rnn.recurrentKernel`, `rnn.bias` (+ `rnn.recurrentBias` for a GRU). */
  namedVariables(): NamedVariables {
    return prefixNames('rnn', this.cell.namedVariables());
  }

  dispose(): void {
    this.cell.dispose();
  }
}
