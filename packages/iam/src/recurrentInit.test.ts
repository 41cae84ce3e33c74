import * as tf from '@tensorflow/tfjs-core';
import { LSTMCell, parseOptions } from '@mempo/core-attention';
import { describe, expect, it } from 'vitest';
import { createIAMCore } from './createIAMCore.js';
import { IAMDynamicCore } from './iamDynamicCore.js';
import { IAM_OPTIONS } from './iamOptions.js';
import { IAMStaticCore } from './iamStaticCore.js';

const bytes = (t: tf.Tensor) => Buffer.from(t.dataSync().buffer);

describe('IAM recurrent branch: cellInit and forgetBias (the iam README, "Recurrent cell")', () => {
  it("starts the LSTM as the IAM code's BasicLSTMCell: Glorot over [x, h], zero bias, forget offset, recorded in config()", () => {
    // Warehouse static core: the LSTM reads the 25 d-set bits, H = 64.
    const core = new IAMStaticCore({ seed: 3, cellInit: 'glorot', forgetBias: 1 });
    expect(core.config()).toMatchObject({ cell: 'lstm', cellInit: 'glorot', forgetBias: 1, hiddenSize: 64 });
    const w = core.getWeights();
    const limit = Math.sqrt(6 / (25 + 64 + 4 * 64));
    for (const name of ['rnn.kernel', 'rnn.recurrentKernel']) {
      const maxAbs = Math.max(...Array.from(w[name]!.dataSync()).map(Math.abs));
      expect(maxAbs).toBeLessThanOrEqual(limit);
      expect(maxAbs).toBeGreaterThan(0.95 * limit);
    }
    expect(Array.from(w['rnn.bias']!.dataSync()).every((b) => b === 0)).toBe(true);
    // The branch is core-attention's LSTMCell with these options: same seed, same bytes.
    const cell = new LSTMCell({ inputSize: 25, hiddenSize: 64, seed: 3, init: 'glorot', forgetBias: 1 });
    expect(bytes(w['rnn.kernel']!)).toEqual(bytes(cell.kernel));
    const copy = createIAMCore(JSON.parse(JSON.stringify(core.config())));
    const x = tf.randomUniform([2, 1, 73], 0, 1, 'float32', 5) as tf.Tensor3D;
    const a = core.step(x, core.initialState(2), { training: false });
    const b = copy.step(x, copy.initialState(2), { training: false });
    expect(bytes(b.output)).toEqual(bytes(a.output));
    tf.dispose([x, a.output, ...a.state, b.output, ...b.state, ...Object.values(w)]);
    [core, copy, cell].forEach((m) => m.dispose());
  });

  it('unset: the config has neither key and the LSTM is the default LSTMCell (U(±1/√H)), byte for byte', () => {
    const core = new IAMDynamicCore({ seed: 2, hiddenSize: 16, attentionSize: 32 });
    expect(Object.keys(core.config())).not.toContain('cellInit');
    expect(Object.keys(core.config())).not.toContain('forgetBias');
    const cell = new LSTMCell({ inputSize: 49 + 64, hiddenSize: 16, seed: 2 });
    const w = core.getWeights();
    expect(bytes(w['rnn.kernel']!)).toEqual(bytes(cell.kernel));
    expect(bytes(w['rnn.bias']!)).toEqual(bytes(cell.bias!));
    tf.dispose(Object.values(w));
    [core, cell].forEach((m) => m.dispose());
  });

  it('refuses LSTM options on a GRU branch and bad values in the shared wording', () => {
    expect(() => new IAMStaticCore({ cell: 'gru', forgetBias: 1 })).toThrow("forgetBias=1 is for the LSTM cell; with cell 'gru' leave it unset or use cell 'lstm'");
    expect(() => new IAMStaticCore({ cell: 'gru', cellInit: 'glorot' })).toThrow(`cellInit="glorot" is for the LSTM cell; with cell 'gru' leave it unset or use cell 'lstm'`);
    expect(parseOptions(IAM_OPTIONS, { cellInit: 'glorot', forgetBias: 1 }, 'iam')).toEqual({ cellInit: 'glorot', forgetBias: 1 });
    expect(() => parseOptions(IAM_OPTIONS, { cellInit: 'he' }, 'iam')).toThrow(`iam.cellInit: "he" is not allowed; must be one of 'uniform', 'glorot', 'orthogonal'`);
    expect(() => parseOptions(IAM_OPTIONS, { forgetBias: null }, 'iam')).toThrow(/^iam\.forgetBias: null is not a number; must be a finite number$/);
  });
});
