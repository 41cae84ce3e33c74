import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { RIMCell, RIMCore, weightsFromReferenceRIMCell, type RIMReferenceQuirks } from '../src/index.js';

/** The LSTM case of fixtures/reference-rimcell.json (see fixtures/README.md). */
interface ReferenceCase {
  cell: 'lstm' | 'gru';
  params: Record<string, number[] | number[][] | number[][][]>;
  inputs: number[][][][];
  h0: number[][][];
  c0?: number[][][];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/reference-rimcell.json', import.meta.url), 'utf8')) as {
  sizes: Record<'units' | 'hidden' | 'input' | 'k' | 'input_key' | 'input_value' | 'input_heads' | 'comm_key' | 'comm_heads', number>;
  cases: ReferenceCase[];
};
const s = fixture.sizes;
const lstmCase = fixture.cases.find((c) => c.cell === 'lstm')!;

/** Our cell at the fixture's sizes with the reference's weights (the parity of referenceParity.test.ts). */
function referenceCell(referenceQuirks?: RIMReferenceQuirks): RIMCell {
  const cell = new RIMCell({
    inputSize: s.input, hiddenSize: s.hidden, units: s.units, k: s.k, cell: 'lstm', selection: 'real-logit',
    inputKeySize: s.input_key, inputValueSize: s.input_value, numInputHeads: s.input_heads,
    commKeySize: s.comm_key, numCommHeads: s.comm_heads, ...(referenceQuirks ? { referenceQuirks } : {}),
  });
  const params = Object.fromEntries(Object.entries(lstmCase.params).map(([name, v]) => [name, tf.tensor(v)]));
  const weights = weightsFromReferenceRIMCell(params, 'lstm');
  cell.setWeights(weights);
  tf.dispose([...Object.values(params), ...Object.values(weights)]);
  return cell;
}

const inputs = () => tf.tensor4d(lstmCase.inputs); // [T, B, 1, D]
const state0 = () => ({ h: tf.tensor3d(lstmCase.h0), c: tf.tensor3d(lstmCase.c0!) });

describe('referenceQuirks.cellFromHidden (the reference model.py: hidden[1] = hidden[0])', () => {
  it('equals the reference cell stepped with c := h before every step, and c equals h after every step', () => {
    // The reference's MiniGrid model feeds its RIMCell (which our cell matches step by step, referenceParity.test.ts)
    // the old h as c at every step. Emulate that with the plain cell, one step at a time.
    const plain = referenceCell();
    const xs = inputs();
    const T = xs.shape[0];
    let h = state0().h;
    const expected: number[][][][] = [];
    for (let t = 0; t < T; t++) {
      const x = tf.squeeze(tf.slice(xs, [t], [1]), [0]) as tf.Tensor3D;
      h = plain.step(x, { h, c: h }, { training: false }).h;
      expected.push(h.arraySync());
    }

    const quirky = referenceCell({ cellFromHidden: true });
    // Step by step: c after each step is h, bit for bit.
    let state = state0();
    for (let t = 0; t < T; t++) {
      const r = quirky.step(tf.squeeze(tf.slice(xs, [t], [1]), [0]) as tf.Tensor3D, state, { training: false });
      expect(r.c!.arraySync()).toEqual(r.h.arraySync());
      expect(r.h.arraySync()).toEqual(expected[t]);
      state = { h: r.h, c: r.c! };
    }
    // The whole sequence at once gives the same hs and ends with c = h.
    const seq = quirky.sequence(xs, state0(), null, { training: false });
    const hs = seq.hs.arraySync();
    hs.forEach((ht, t) => expect(Math.max(...ht.flat(2).map((v, i) => Math.abs(v - expected[t]!.flat(2)[i]!)))).toBeLessThan(1e-6));
    expect(seq.state.c!.arraySync()).toEqual(seq.state.h.arraySync());
    // And it is a real change: the plain cell carries its own c and ends elsewhere.
    const own = plain.sequence(xs, state0(), null, { training: false });
    expect(Math.max(...own.hs.dataSync().map((v, i) => Math.abs(v - seq.hs.dataSync()[i]!)))).toBeGreaterThan(1e-3);
    plain.dispose();
    quirky.dispose();
  });

  it('off changes nothing: cellFromHidden false gives the very bytes of a cell without quirks, and no config entry', () => {
    const without = referenceCell();
    const off = referenceCell({ cellFromHidden: false });
    const starts = tf.tensor2d([[0, 0], [1, 0], [0, 0], [0, 1]]);
    const a = without.sequence(inputs(), state0(), starts, { training: false });
    const b = off.sequence(inputs(), state0(), starts, { training: false });
    expect(b.hs.dataSync()).toEqual(a.hs.dataSync());
    expect(b.state.c!.dataSync()).toEqual(a.state.c!.dataSync());
    expect('referenceQuirks' in without.config()).toBe(false);
    expect(new RIMCore({ ...without.config() }).config()).not.toHaveProperty('referenceQuirks');
    expect(new RIMCore({ ...off.config() }).config()).toHaveProperty('referenceQuirks', { cellFromHidden: false });
    without.dispose();
    off.dispose();
  });

  it('episode starts zero the state it carries: after a start, c is the zeroed h', () => {
    const quirky = referenceCell({ cellFromHidden: true });
    const starts = tf.tensor2d([[0, 0], [0, 1], [0, 0], [1, 0]]);
    const seq = quirky.sequence(inputs(), state0(), starts, { training: false });
    // Env 1 restarts at step 1 and env 0 at step 3: replaying from zeros there must give the same h.
    const replay = quirky.sequence(
      tf.slice(inputs(), [3, 0], [1, 1]) as tf.Tensor4D,
      { h: tf.zeros([1, s.units, s.hidden]), c: tf.zeros([1, s.units, s.hidden]) },
      null,
      { training: false },
    );
    const last = tf.slice(seq.hs, [3, 0], [1, 1]).dataSync();
    expect(Math.max(...replay.hs.dataSync().map((v, i) => Math.abs(v - last[i]!)))).toBeLessThan(1e-6);
    quirky.dispose();
  });

  it('refuses what it cannot do, naming the field', () => {
    const base = { inputSize: 4, hiddenSize: 4, units: 2, k: 1, inputValueSize: 4 };
    expect(() => new RIMCell({ ...base, cell: 'gru', referenceQuirks: { cellFromHidden: true } })).toThrow(
      "referenceQuirks.cellFromHidden applies to the LSTM cell only (got cell='gru'); remove it or use cell 'lstm'",
    );
    expect(() => new RIMCell({ ...base, referenceQuirks: { cellFromHiden: true } as RIMReferenceQuirks })).toThrow(
      'referenceQuirks.cellFromHiden is not a RIM reference quirk (known: cellFromHidden)',
    );
    expect(() => new RIMCell({ ...base, referenceQuirks: { cellFromHidden: 'yes' as unknown as boolean } })).toThrow(
      'referenceQuirks.cellFromHidden must be true or false (got "yes")',
    );
  });
});
