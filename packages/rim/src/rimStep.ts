import * as tf from '@tensorflow/tfjs-core';
import { blockGradient, reorderGateBlocks, LSTM_GATE_ORDER, type GroupGRUCell, type LSTMGateOrder } from '@mempo/core-attention';
import type { SelectionRule } from './rimCell.js';
import { rankMask } from './topKMask.js';

// The parts of one RIM step (Goyal et al. 2019, section 2; RIMCell's doc lists the eight steps), in the order
// RIMCell runs them on unit-major tensors `[U, B, ·]`. Each is plain tensor math that a RIMCell step composes
// inside its tidy.

/**
 * The LSTM gate order of RIM's fused step: the three sigmoid gates first, so one sigmoid covers a contiguous
 * 3H block (fewer kernels, forward and backward). The stored weights keep core-attention's
 * {@link LSTM_GATE_ORDER}; a sequence reorders them once ({@link toFusedGateOrder}).
 */
const FUSED_LSTM_GATE_ORDER: LSTMGateOrder = ['i', 'f', 'o', 'g'];

/** A stored LSTM weight (gate blocks on the last axis) in {@link FUSED_LSTM_GATE_ORDER}. */
export function toFusedGateOrder<T extends tf.Tensor>(w: T): T {
  return reorderGateBlocks(w, LSTM_GATE_ORDER, FUSED_LSTM_GATE_ORDER);
}

/** A 0-gradient op computing `fn(x)`: keeps derived constants (views of the mask) off the gradient tape. */
function constantOf(x: tf.Tensor, fn: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    // Only the shape is kept for the backward pass: the input itself may be disposed by then.
    const shape = input.shape;
    return { value: fn(input), gradFunc: () => tf.zeros(shape) };
  });
  return op(x);
}

/**
 * Step 1, null element: an all-zero input row appended after the N real ones, `[T, B, N, D]` → `[T, B, N+1, D]`;
 * its key and value are the projections' biases, and attending to it means reading nothing.
 */
export function appendNullElement(xs: tf.Tensor4D): tf.Tensor4D {
  const [T, B, , D] = xs.shape;
  return tf.concat([tf.cast(xs, 'float32'), tf.zeros([T, B, 1, D])], 2) as tf.Tensor4D;
}

/**
 * Step 2, input attention: each unit's query against the keys of the N inputs and the null element.
 * queries `[U, B, h·dk]`, keys `[B, N+1, h·dk]` (pre-scaled) → logits and softmax probabilities `[B, U, N+1]`.
 */
export function inputAttention(queries: tf.Tensor3D, keys: tf.Tensor): { logits: tf.Tensor3D; probs: tf.Tensor3D } {
  const logits = tf.matMul(tf.transpose(queries, [1, 0, 2]), keys, false, true) as tf.Tensor3D;
  return { logits, probs: tf.softmax(logits) as tf.Tensor3D };
}

/**
 * Step 3, competition (top-k): the k units that attend most to the input become active, a 0/1 mask `[B, U]` with no
 * gradient. `'null-attention'` ranks by 1 − P(null) (the paper), `'real-logit'` by the largest real-input logit
 * (the reference code); ties go to the lowest unit indices (`lowerIndex` `[1, U, U]`, see {@link rankMask}).
 */
export function competition(logits: tf.Tensor3D, probs: tf.Tensor3D, selection: SelectionRule, k: number, lowerIndex: tf.Tensor3D): tf.Tensor2D {
  const n = logits.shape[2] - 1; // index of the null element
  const scores =
    selection === 'null-attention'
      ? tf.neg(tf.slice(probs, [0, 0, n], [-1, -1, 1])) // ranks like 1 − P(null)
      : tf.max(tf.slice(logits, [0, 0, 0], [-1, -1, n]), 2, true);
  return rankMask(scores as tf.Tensor3D, k, lowerIndex);
}

/**
 * Step 4, masked read: the attention-weighted values, an exact zero vector for inactive units. probs
 * `[B, U, N+1]` (times the input dropout scale when training), values `[B, N+1, dv]`, mask `[B, U]` →
 * `[U, B, dv]`.
 */
export function maskedRead(probs: tf.Tensor3D, values: tf.Tensor, mask: tf.Tensor2D, inputDrop: tf.Tensor | null): tf.Tensor3D {
  const read = tf.mul(tf.matMul(inputDrop ? tf.mul(probs, inputDrop) : probs, values as tf.Tensor3D), tf.expandDims(mask, 2));
  return tf.transpose(read, [1, 0, 2]) as tf.Tensor3D;
}

/**
 * Step 5, dynamics with LSTM units: every unit its own LSTM on its read, from the input pre-activations `zx` and
 * the recurrent ones `recurrent` (`[U, B, 4H]`, {@link FUSED_LSTM_GATE_ORDER}) and c `[U, B, H]`.
 */
export function lstmDynamics(zx: tf.Tensor3D, recurrent: tf.Tensor, c: tf.Tensor3D, hiddenSize: number): { h: tf.Tensor3D; c: tf.Tensor3D } {
  const [ifo, g] = tf.split(tf.add(zx, recurrent), [3 * hiddenSize, hiddenSize], 2);
  const [i, f, o] = tf.split(tf.sigmoid(ifo!), 3, 2);
  const cNew = tf.add(tf.mul(f!, c), tf.mul(i!, tf.tanh(g!))) as tf.Tensor3D;
  return { h: tf.mul(o!, tf.tanh(cNew)) as tf.Tensor3D, c: cNew };
}

/**
 * Step 5, dynamics with GRU units: the group GRU's update from `zx` and the recurrent pre-activations (plus the
 * recurrent bias when the cell has one), h `[U, B, H]`.
 */
export function gruDynamics(cell: GroupGRUCell, zx: tf.Tensor3D, recurrent: tf.Tensor, recurrentBias: tf.Tensor3D | null, h: tf.Tensor3D): tf.Tensor3D {
  return cell.gates(zx, recurrentBias ? tf.add(recurrent, recurrentBias) : recurrent, h);
}

/** Sizes and per-unit maps of {@link communication}. */
export interface CommunicationMaps {
  units: number;
  batch: number;
  hiddenSize: number;
  heads: number;
  keySize: number;
  /** ĥ `[U, B, H]` → queries (pre-scaled by 1/√ck), keys and values `[U, B, hc·(2·ck + H)]`. */
  commMap: (x: tf.Tensor3D) => tf.Tensor3D;
  /** merged heads `[U, B, hc·H]` → `[U, B, H]`. */
  outputMap: (x: tf.Tensor3D) => tf.Tensor3D;
}

/**
 * Steps 6 and 7, blocked gradient and communication: units attend to each other's new states ĥ and add the result to their own (residual).
 * The blocked gradient comes first: inactive units' ĥ are seen but get no gradient (`maskU` `[U, B, 1]`).
 * The paper's query-axis mask (inactive units read nothing) is not applied: {@link maskedUpdate} replaces every
 * inactive unit's row by its old h, so those rows are discarded, in value and in gradient, either way.
 */
export function communication(hNew: tf.Tensor3D, maskU: tf.Tensor, maps: CommunicationMaps, commDrop: tf.Tensor | null): tf.Tensor3D {
  const { units: U, batch: B, hiddenSize: H, heads: hc, keySize: ck } = maps;
  const hBlocked = blockGradient(hNew, maskU);
  const [cq, ckT, cv] = tf.split(maps.commMap(hBlocked), [hc * ck, hc * ck, hc * H], 2);
  const heads = (x: tf.Tensor, d: number) => tf.transpose(tf.reshape(x, [U, B, hc, d]), [1, 2, 0, 3]); // [B, hc, U, d]
  const commProbs = tf.softmax(tf.matMul(heads(cq!, ck), heads(ckT!, ck), false, true)); // [B, hc, U, U]
  const ctx = tf.matMul(commDrop ? tf.mul(commProbs, commDrop) : commProbs, heads(cv!, H)); // [B, hc, U, H]
  const merged = tf.reshape(tf.transpose(ctx, [2, 0, 1, 3]), [U, B, hc * H]);
  return tf.add(maps.outputMap(merged as tf.Tensor3D), hBlocked) as tf.Tensor3D;
}

/**
 * Unit-major views of the mask `[B, U]` as constants (zero-gradient ops): `maskU` `[U, B, 1]` and `active`
 * `[U, B, H]` bool. The mask carries no gradient, and leaving these reshapes on the tape would cost a slice per
 * hidden unit in tf.where's backward pass.
 */
export function unitMajorMask(mask: tf.Tensor2D, hiddenSize: number): { maskU: tf.Tensor; active: tf.Tensor } {
  const [B, U] = mask.shape;
  const maskU = constantOf(mask, (m) => tf.reshape(tf.transpose(m), [U, B, 1]));
  const active = constantOf(mask, (m) => tf.cast(tf.broadcastTo(tf.reshape(tf.transpose(m), [U, B, 1]), [U, B, hiddenSize]), 'bool'));
  return { maskU, active };
}

/** Step 8, masked update: active units take the new h (and c), inactive ones keep theirs bit-exactly (a select, not a blend). */
export function maskedUpdate(
  active: tf.Tensor,
  hNew: tf.Tensor3D,
  h: tf.Tensor3D,
  cNew: tf.Tensor3D | null,
  c: tf.Tensor3D | null,
): { h: tf.Tensor3D; c: tf.Tensor3D | null } {
  return { h: tf.where(active, hNew, h) as tf.Tensor3D, c: cNew ? (tf.where(active, cNew, c!) as tf.Tensor3D) : null };
}
