import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { MultiHeadAttention, scaledDotProductAttention, type ProjectionKind } from './multiHeadAttention.js';

type M = number[][];
const maxAbs = (a: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(a)).arraySync() as number);
const matMul = (a: M, b: M): M => a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, i) => s + v * b[i]![j]!, 0)));
const softmaxRow = (r: number[]) => {
  const m = Math.max(...r);
  const e = r.map((v) => Math.exp(v - m));
  const s = e.reduce((p, q) => p + q, 0);
  return e.map((v) => v / s);
};
const transpose = (a: M): M => a[0]!.map((_, j) => a.map((row) => row[j]!));

/** Projects rows of one batch element with a shared ([din,dout] + bias) or group ([U,din,dout]) weight. */
const project = (rows: M, w: tf.Tensor, bias: tf.Tensor | undefined): M => {
  if (w.rank === 3) {
    const ws = w.arraySync() as number[][][];
    return rows.map((r, u) => matMul([r], ws[u]!)[0]!);
  }
  const b = (bias?.arraySync() as number[] | undefined) ?? [];
  return matMul(rows, w.arraySync() as M).map((r) => r.map((v, j) => v + (b[j] ?? 0)));
};

/**
 * Multi-head attention on plain arrays, written from the definition (independent of tfjs): per head h,
 * P = softmax(Q_h K_hᵀ / √dk) over the keys (or the queries), out_h = P V_h, heads concatenated.
 */
function referenceMHA(mha: MultiHeadAttention, q: M[], kv: M[], heads: number, dk: number, dv: number, axis: 'keys' | 'queries') {
  const w = mha.namedVariables();
  return q.map((qb, b) => {
    const Q = project(qb, w['query.kernel']!, w['query.bias']);
    const K = project(kv[b]!, w['key.kernel']!, w['key.bias']);
    const V = project(kv[b]!, w['value.kernel']!, w['value.bias']);
    const out = Q.map(() => [] as number[]);
    for (let h = 0; h < heads; h++) {
      const Qh = Q.map((r) => r.slice(h * dk, (h + 1) * dk));
      const Kh = K.map((r) => r.slice(h * dk, (h + 1) * dk));
      const Vh = V.map((r) => r.slice(h * dv, (h + 1) * dv));
      const logits = matMul(Qh, transpose(Kh)).map((r) => r.map((v) => v / Math.sqrt(dk)));
      const P = axis === 'keys' ? logits.map(softmaxRow) : transpose(transpose(logits).map(softmaxRow));
      matMul(P, Vh).forEach((r, i) => out[i]!.push(...r));
    }
    return out;
  });
}

describe('MultiHeadAttention', () => {
  const cases: { heads: number; query: ProjectionKind; keyValue: ProjectionKind; axis: 'keys' | 'queries' }[] = [
    { heads: 1, query: 'shared', keyValue: 'shared', axis: 'keys' },
    { heads: 4, query: 'shared', keyValue: 'shared', axis: 'queries' },
    { heads: 1, query: 'group', keyValue: 'group', axis: 'queries' },
    { heads: 4, query: 'group', keyValue: 'shared', axis: 'keys' },
    { heads: 4, query: 'group', keyValue: 'group', axis: 'keys' },
  ];
  it.each(cases)('$heads heads, $query queries, $keyValue keys/values, softmax over $axis: matches the definition', ({ heads, query, keyValue, axis }) => {
    const [B, U, dq, dkIn, dk, dv] = [2, 3, 5, 4, 2, 3];
    // Group projections need one weight per position, so group keys need Lk = U.
    const Lk = keyValue === 'group' ? U : 4;
    const mha = new MultiHeadAttention({
      queryInputSize: dq, keyInputSize: dkIn, numHeads: heads, keySize: dk, valueSize: dv,
      queryProjection: query, keyValueProjection: keyValue, units: U, softmaxAxis: axis, seed: 7,
    });
    // Group kernels start at N(0, 0.01²); scale all weights up so the softmax is far from uniform.
    const w = mha.getWeights();
    mha.setWeights(Object.fromEntries(Object.entries(w).map(([n, t], i) => [n, tf.randomNormal(t.shape, 0, 1, 'float32', 20 + i)])));
    const expectedShapes: Record<string, number[]> =
      query === 'group' ? { 'query.kernel': [U, dq, heads * dk] } : { 'query.kernel': [dq, heads * dk], 'query.bias': [heads * dk] };
    Object.assign(
      expectedShapes,
      keyValue === 'group'
        ? { 'key.kernel': [U, dkIn, heads * dk], 'value.kernel': [U, dkIn, heads * dv] }
        : { 'key.kernel': [dkIn, heads * dk], 'key.bias': [heads * dk], 'value.kernel': [dkIn, heads * dv], 'value.bias': [heads * dv] },
    );
    expect(Object.fromEntries(Object.entries(mha.namedVariables()).map(([n, v]) => [n, v.shape]))).toEqual(expectedShapes);

    const q = tf.randomNormal([B, U, dq], 0, 1, 'float32', 1) as tf.Tensor3D;
    const kv = tf.randomNormal([B, Lk, dkIn], 0, 1, 'float32', 2) as tf.Tensor3D;
    const { output, probs } = mha.apply(q, kv, { training: false });
    expect(output.shape).toEqual([B, U, heads * dv]);
    expect(probs.shape).toEqual([B, heads, U, Lk]);
    const expected = referenceMHA(mha, q.arraySync(), kv.arraySync(), heads, dk, dv, axis);
    expect(maxAbs(tf.sub(output, tf.tensor3d(expected)))).toBeLessThan(1e-4);
    // Probabilities sum to 1 along the chosen axis (and, in general, not along the other one).
    const along = axis === 'keys' ? 3 : 2;
    expect(maxAbs(tf.sub(tf.sum(probs, along), 1))).toBeLessThan(1e-5);
    expect(maxAbs(tf.sub(tf.sum(probs, along === 3 ? 2 : 3), 1))).toBeGreaterThan(1e-3);
    mha.dispose();
  });

  it('dropout acts only when training: eval is deterministic and equals a dropout-free attention', () => {
    const args = { queryInputSize: 4, keyInputSize: 4, numHeads: 2, keySize: 3, valueSize: 3, seed: 3 };
    const withDropout = new MultiHeadAttention({ ...args, dropout: 0.5 });
    const noDropout = new MultiHeadAttention({ ...args, dropout: 0 });
    const q = tf.randomNormal([3, 5, 4], 0, 1, 'float32', 1) as tf.Tensor3D;
    const kv = tf.randomNormal([3, 6, 4], 0, 1, 'float32', 2) as tf.Tensor3D;
    const a = withDropout.apply(q, kv, { training: false });
    const b = withDropout.apply(q, kv, { training: false });
    const c = noDropout.apply(q, kv, { training: false });
    expect(a.output.arraySync()).toEqual(b.output.arraySync());
    expect(a.output.arraySync()).toEqual(c.output.arraySync());
    const t = withDropout.apply(q, kv, { training: true });
    expect(maxAbs(tf.sub(t.output, a.output))).toBeGreaterThan(1e-3);
    // The returned probabilities are those before dropout, so they are the same in both modes.
    expect(maxAbs(tf.sub(t.probs, a.probs))).toBeLessThan(1e-7);
    withDropout.dispose();
    noDropout.dispose();
  });

  it('validates its arguments', () => {
    const base = { queryInputSize: 4, keyInputSize: 4, numHeads: 2, keySize: 3, valueSize: 3 };
    expect(() => new MultiHeadAttention({ ...base, queryProjection: 'group' })).toThrow('units must be a positive integer (got NaN)');
    expect(() => new MultiHeadAttention({ ...base, numHeads: 0 })).toThrow('numHeads must be a positive integer (got 0)');
    expect(() => new MultiHeadAttention({ ...base, dropout: 1 })).toThrow('dropout must be in [0, 1) (got 1)');
  });
});

describe('scaledDotProductAttention masks', () => {
  const q = tf.randomNormal([2, 2, 3, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
  const k = tf.randomNormal([2, 2, 5, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
  const v = tf.randomNormal([2, 2, 5, 6], 0, 1, 'float32', 3) as tf.Tensor4D;

  it('a logit mask gives masked keys exactly zero probability and renormalises the rest', () => {
    const keep = [1, 0, 1, 1, 0];
    const logitMask = tf.reshape(tf.tensor1d(keep), [1, 1, 1, 5]);
    const { probs, output } = scaledDotProductAttention(q, k, v, { logitMask });
    const p = probs.arraySync();
    for (const row of p.flat(2)) {
      keep.forEach((m, j) => (m === 0 ? expect(row[j]).toBe(0) : expect(row[j]).toBeGreaterThan(0)));
      expect(Math.abs(row.reduce((s, x) => s + x, 0) - 1)).toBeLessThan(1e-6);
    }
    // Same as attending over the kept keys only.
    const idx = tf.tensor1d([0, 2, 3], 'int32');
    const kept = scaledDotProductAttention(q, tf.gather(k, idx, 2), tf.gather(v, idx, 2));
    expect(maxAbs(tf.sub(output, kept.output))).toBeLessThan(1e-6);
  });

  it('a logit mask on the query axis with softmax over queries zeroes those queries', () => {
    const logitMask = tf.reshape(tf.tensor1d([0, 1, 1]), [1, 1, 3, 1]);
    const { probs } = scaledDotProductAttention(q, k, v, { logitMask, softmaxAxis: 'queries' });
    expect(maxAbs(tf.slice(probs, [0, 0, 0, 0], [-1, -1, 1, -1]))).toBe(0);
    expect(maxAbs(tf.sub(tf.sum(probs, 2), 1))).toBeLessThan(1e-6);
  });

  it('a probability mask zeroes whole query rows after the softmax (what inactive RIM units read)', () => {
    const probMask = tf.reshape(tf.tensor1d([1, 0, 1]), [1, 1, 3, 1]);
    const { probs, output } = scaledDotProductAttention(q, k, v, { probMask });
    expect(maxAbs(tf.slice(probs, [0, 0, 1, 0], [-1, -1, 1, -1]))).toBe(0);
    expect(maxAbs(tf.slice(output, [0, 0, 1, 0], [-1, -1, 1, -1]))).toBe(0);
    const free = scaledDotProductAttention(q, k, v);
    expect(maxAbs(tf.sub(tf.slice(probs, [0, 0, 0, 0], [-1, -1, 1, -1]), tf.slice(free.probs, [0, 0, 0, 0], [-1, -1, 1, -1])))).toBe(0);
  });
});
