import * as tf from '@tensorflow/tfjs-core';

/** A reproducible uniform [0, 1) generator (mulberry32), so datasets do not depend on Math.random. */
export function seededRandom(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One batch of the copying task, time-major. */
export interface CopyingBatch {
  /** `[T, B, 1, symbols + 2]` one-hot inputs (0 = blank, 1..symbols = digits, symbols + 1 = marker). */
  x: tf.Tensor4D;
  /** `[T, B, symbols + 1]` one-hot targets (0 = blank). */
  y: tf.Tensor3D;
  /** Sequence length 2·digits + gap. */
  T: number;
}

/**
 * The copying task of the RIM paper (§4.1, after Hochreiter & Schmidhuber): `digits` symbols drawn from
 * 1..symbols, then `gap` steps of blanks whose last one is the marker, then `digits` blank steps during
 * which the model must output the symbols in order. Targets are blank everywhere else.
 */
export function copyingBatch(batch: number, digits: number, symbols: number, gap: number, rng: () => number): CopyingBatch {
  const marker = symbols + 1;
  const T = 2 * digits + gap;
  const xs = new Int32Array(T * batch);
  const ys = new Int32Array(T * batch);
  for (let b = 0; b < batch; b++) {
    const seq = Array.from({ length: digits }, () => 1 + Math.floor(rng() * symbols));
    for (let t = 0; t < T; t++) {
      xs[t * batch + b] = t < digits ? seq[t]! : t === digits + gap - 1 ? marker : 0;
      ys[t * batch + b] = t >= digits + gap ? seq[t - digits - gap]! : 0;
    }
  }
  return tf.tidy(() => ({
    x: tf.reshape(tf.cast(tf.oneHot(tf.tensor1d(xs, 'int32'), marker + 1), 'float32'), [T, batch, 1, marker + 1]) as tf.Tensor4D,
    y: tf.reshape(tf.cast(tf.oneHot(tf.tensor1d(ys, 'int32'), symbols + 1), 'float32'), [T, batch, symbols + 1]) as tf.Tensor3D,
    T,
  }));
}
