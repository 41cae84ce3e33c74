import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { RIMCell, weightsFromReferenceRIMCell } from '../src/index.js';

/** Written by fixtures/make_fixture.py from the PyTorch reference RIMCell (see fixtures/README.md). */
interface ReferenceCase {
  cell: 'lstm' | 'gru';
  minSelectionGap: number;
  params: Record<string, number[] | number[][] | number[][][]>;
  /** [T, B, 1, D] */
  inputs: number[][][][];
  h0: number[][][];
  c0?: number[][][];
  steps: { h: number[][][]; c?: number[][][]; mask: number[][] }[];
}
interface ReferenceFixture {
  torch: string;
  sizes: Record<'batch' | 'units' | 'hidden' | 'input' | 'k' | 'steps' | 'input_key' | 'input_value' | 'input_heads' | 'comm_key' | 'comm_heads', number>;
  cases: ReferenceCase[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/reference-rimcell.json', import.meta.url), 'utf8'),
) as ReferenceFixture;
const s = fixture.sizes;
/** Our cell with the reference's sizes, loaded with a case's reference parameters. */
const referenceCell = (ref: ReferenceCase, selection: 'real-logit' | 'null-attention', cellBias = true): RIMCell => {
  const cell = new RIMCell({
    inputSize: s.input,
    hiddenSize: s.hidden,
    units: s.units,
    k: s.k,
    cell: ref.cell,
    selection,
    inputKeySize: s.input_key,
    inputValueSize: s.input_value,
    numInputHeads: s.input_heads,
    commKeySize: s.comm_key,
    numCommHeads: s.comm_heads,
    ...(cellBias ? {} : { cellBias }),
  });
  const params = Object.fromEntries(Object.entries(ref.params).map(([name, v]) => [name, tf.tensor(v)]));
  const weights = weightsFromReferenceRIMCell(params, ref.cell, { cellBias });
  cell.setWeights(weights);
  tf.dispose([...Object.values(params), ...Object.values(weights)]);
  return cell;
};
const maxAbsDiff = (a: tf.Tensor, b: number[][] | number[][][]) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, tf.tensor(b)))).arraySync() as number);

describe('parity with the PyTorch reference RIMCell (weights trained elsewhere)', () => {
  // The reference's group cells have no bias: ours match it with a zero bias, or with none (cellBias: false).
  const cases = fixture.cases.flatMap((ref) => [true, false].map((cellBias) => ({ ref, cellBias, cell: ref.cell })));
  it.each(cases)('$cell, cellBias $cellBias: h, c and the active mask match the reference step by step', ({ ref, cellBias }) => {
    // The fixture's selection margin is far above float32 rounding, so the masks must agree exactly.
    expect(ref.minSelectionGap).toBeGreaterThan(1e-5);
    const cell = referenceCell(ref, 'real-logit', cellBias);
    const biasNames = Object.keys(cell.namedVariables()).filter((name) => name.startsWith('cell.') && name.endsWith('ias'));
    expect(biasNames).toEqual(cellBias ? (ref.cell === 'gru' ? ['cell.bias', 'cell.recurrentBias'] : ['cell.bias']) : []);
    let state = { h: tf.tensor3d(ref.h0), ...(ref.c0 ? { c: tf.tensor3d(ref.c0) } : {}) };
    ref.steps.forEach((expected, t) => {
      const r = cell.step(tf.tensor3d(ref.inputs[t]!), state, { training: false });
      expect(r.mask.arraySync()).toEqual(expected.mask);
      expect(maxAbsDiff(r.h, expected.h)).toBeLessThan(1e-5);
      if (expected.c) expect(maxAbsDiff(r.c!, expected.c)).toBeLessThan(1e-5);
      else expect(r.c).toBeUndefined();
      state = r.c ? { h: r.h, c: r.c } : { h: r.h };
    });
    cell.dispose();
  });

  it('the paper rule selects differently from the reference once the key bias is non-zero', () => {
    // Why 'real-logit' exists (SelectionRule in rimCell.ts): the reference's nn.Linear key has a bias, so the
    // null element's logit varies by unit and 1 − P(null) ranks units differently from the real logit.
    const ref = fixture.cases[0]!;
    const masks = (['real-logit', 'null-attention'] as const).map((sel) => {
      const cell = referenceCell(ref, sel);
      let state = { h: tf.tensor3d(ref.h0), c: tf.tensor3d(ref.c0!) };
      const out: number[][][] = [];
      for (const x of ref.inputs) {
        const r = cell.step(tf.tensor3d(x), state, { training: false });
        out.push(r.mask.arraySync());
        state = { h: r.h, c: r.c! };
      }
      cell.dispose();
      return out;
    });
    expect(masks[0]).toEqual(ref.steps.map((st) => st.mask));
    expect(masks[1]).not.toEqual(masks[0]);
  });
});
