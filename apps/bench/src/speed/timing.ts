import * as tf from '@tensorflow/tfjs-core';

/** How long to keep repeating a measurement. */
export interface TimingOptions {
  /** Untimed calls first (kernel selection, allocation, JIT). */
  warmup?: number;
  /** Stop after this many timed calls... */
  maxReps?: number;
  /** ...or once at least `minReps` calls took this many milliseconds in total. */
  budgetMs?: number;
  minReps?: number;
}

/** Median, min and count of repeated timings, in milliseconds. */
export interface Timing {
  medianMs: number;
  minMs: number;
  reps: number;
}

/**
 * Times `run`, which returns the tensors it produced; each call ends by reading them back so asynchronous
 * backends are measured to completion, then disposes everything the call allocated.
 */
export async function timeTensorOp(run: () => tf.Tensor | tf.Tensor[], options: TimingOptions = {}): Promise<Timing> {
  const { warmup = 2, maxReps = 50, budgetMs = 1500, minReps = 3 } = options;
  const once = async (): Promise<number> => {
    const start = performance.now();
    const out = tf.tidy(run);
    const outs = Array.isArray(out) ? out : [out];
    await Promise.all(outs.map((t) => t.data()));
    const elapsed = performance.now() - start;
    tf.dispose(outs);
    return elapsed;
  };
  for (let i = 0; i < warmup; i++) await once();
  const times: number[] = [];
  let total = 0;
  while (times.length < maxReps && (times.length < minReps || total < budgetMs)) {
    const t = await once();
    times.push(t);
    total += t;
  }
  times.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  const medianMs = times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  return { medianMs, minMs: times[0]!, reps: times.length };
}
