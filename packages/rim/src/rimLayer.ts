import * as tf from '@tensorflow/tfjs-core';
import { SeedStream, requireShape } from '@mempo/core-attention';
import { RIMCell, type RIMCellArgs, type RIMState } from './rimCell.js';

/** Arguments of {@link RIMLayer}: those of its cells plus the stacking. */
export interface RIMLayerArgs extends RIMCellArgs {
  /** Stacked layers; layer l > 0 reads layer l−1's output. Default 1. */
  numLayers?: number;
  /** Adds a backward cell per layer that reads the reversed sequence. Default false. */
  bidirectional?: boolean;
}

/** Output of {@link RIMLayer.apply}. */
export interface RIMLayerResult {
  /** `[T, B, dirs·U·H]` */
  outputs: tf.Tensor3D;
  /** Final state per layer and direction, index `layer·dirs + dir`. */
  states: RIMState[];
}

/**
 * A sequence model of RIM cells like `nn.LSTM` (the reference's `RIM` module of `RIM.py`): input `[T, B, D]`, n layers,
 * optionally bidirectional (backward outputs re-reversed and concatenated on features), zero initial state
 * unless given. Weight names: `layers.<l>.<dir>.<RIMCell name>` with dir `forward` / `backward`.
 *
 * @example
 * const rim = new RIMLayer({ inputSize: 10, hiddenSize: 100, units: 6, k: 4, numLayers: 2, seed: 1 });
 * const { outputs, states } = rim.apply(xs, undefined, { training: true }); // [T, B, 600]
 */
export class RIMLayer {
  /** Cells, index `layer·dirs + dir`. */
  readonly cells: RIMCell[];
  readonly directions: number;
  private readonly args: RIMLayerArgs;

  constructor(args: RIMLayerArgs) {
    const numLayers = args.numLayers ?? 1;
    if (!Number.isInteger(numLayers) || numLayers < 1) {
      throw new Error(`numLayers must be a positive integer (got ${String(numLayers)})`);
    }
    this.args = { ...args, numLayers, bidirectional: args.bidirectional ?? false };
    this.directions = this.args.bidirectional ? 2 : 1;
    const seeds = new SeedStream(args.seed);
    const { numLayers: _n, bidirectional: _b, ...cellArgs } = this.args;
    this.cells = [];
    for (let l = 0; l < numLayers; l++) {
      for (let d = 0; d < this.directions; d++) {
        const inputSize = l === 0 ? args.inputSize : this.directions * args.units * args.hiddenSize;
        this.cells.push(new RIMCell({ ...cellArgs, inputSize, seed: seeds.next() }));
      }
    }
  }

  /** xs `[T, B, D]`; `initial` per layer and direction (zeros when omitted). */
  apply(xs: tf.Tensor3D, initial: RIMState[] | undefined, opts: { training: boolean }): RIMLayerResult {
    requireShape('RIMLayer', 'xs [T, B, D]', xs, [-1, -1, this.args.inputSize]);
    if (initial && initial.length !== this.cells.length) {
      throw new Error(`RIMLayer: initial must hold ${this.cells.length} states (layers·directions), got ${initial.length}`);
    }
    const [T, B] = xs.shape;
    return tf.tidy(() => {
      let layerInput: tf.Tensor3D = xs;
      const states: RIMState[] = [];
      for (let l = 0; l < this.args.numLayers!; l++) {
        const outs: tf.Tensor3D[] = [];
        for (let d = 0; d < this.directions; d++) {
          const idx = l * this.directions + d;
          const cell = this.cells[idx]!;
          const seqIn = d === 1 ? tf.reverse(layerInput, 0) : layerInput;
          const r = cell.sequence(tf.expandDims(seqIn, 2) as tf.Tensor4D, initial?.[idx] ?? cell.initialState(B), null, opts);
          const out = tf.reshape(r.hs, [T, B, -1]) as tf.Tensor3D; // [T, B, U·H]
          outs.push(d === 1 ? tf.reverse(out, 0) : out);
          states.push(r.state);
        }
        layerInput = (outs.length === 1 ? outs[0]! : tf.concat(outs, 2)) as tf.Tensor3D;
      }
      return { outputs: layerInput, states };
    });
  }

  /** Weights by `layers.<l>.<forward|backward>.<name>`. */
  namedVariables(): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {};
    this.cells.forEach((cell, idx) => {
      const l = Math.floor(idx / this.directions);
      const dir = idx % this.directions === 0 ? 'forward' : 'backward';
      for (const [k, v] of Object.entries(cell.namedVariables())) out[`layers.${l}.${dir}.${k}`] = v;
    });
    return out;
  }

  trainableVariables(): tf.Variable[] {
    return Object.values(this.namedVariables());
  }

  config(): RIMLayerArgs {
    return { ...this.args };
  }

  dispose(): void {
    this.cells.forEach((c) => c.dispose());
  }
}
