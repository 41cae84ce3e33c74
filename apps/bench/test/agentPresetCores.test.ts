import * as tf from '@tensorflow/tfjs-core';
import { coreFromConfig, type MemoryCore } from '@mempo/core-attention';
import { AGENT_PRESETS } from '@mempo/ppo';
// Importing the plugin registers the RIM core, which coreFromConfig (and so loadAgent) rebuilds by name.
import '@mempo/rim';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend.js';
import { makeCore } from '../src/training/memoryCores.js';

/** Weight name → shape. */
const shapes = (weights: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(weights).map(([n, t]) => [n, t.shape]));

describe("minigrid-rim's RIM core: the reference RIMCell of minigrid_experiments/model.py (U=4, H=16, k=3, d_value 64)", () => {
  let core: MemoryCore;
  let weights: Record<string, tf.Tensor>;
  beforeAll(async () => {
    await useBackend('cpu');
    core = makeCore('rim', 'minigrid', [1, 64], {}, 1, AGENT_PRESETS['minigrid-rim'].cores.rim);
    weights = core.getWeights();
  });

  it('has exactly the reference layers: a group LSTM without a bias (RIM.py GroupLSTMCell: GroupLinearLayer i2h/h2h)', () => {
    expect(shapes(weights)).toEqual({
      'inputKey.kernel': [64, 64], 'inputKey.bias': [64],
      'inputValue.kernel': [64, 64], 'inputValue.bias': [64],
      'inputQuery.kernel': [4, 16, 64],
      'cell.kernel': [4, 64, 64], 'cell.recurrentKernel': [4, 16, 64],
      'commQuery.kernel': [4, 16, 128], 'commKey.kernel': [4, 16, 128], 'commValue.kernel': [4, 16, 64], 'commOutput.kernel': [4, 64, 16],
    });
  });

  it("starts key and value as init_params does (unit-norm rows of PyTorch's [out, in], zero bias), the cell U(±1/√H)", () => {
    for (const map of ['inputKey', 'inputValue']) {
      const norms = tf.tidy(() => tf.norm(weights[`${map}.kernel`]!, 'euclidean', 0).dataSync());
      for (const n of norms) expect(n).toBeCloseTo(1, 5);
      expect(weights[`${map}.bias`]!.dataSync().every((v) => v === 0)).toBe(true);
    }
    for (const name of ['cell.kernel', 'cell.recurrentKernel']) {
      const m = tf.tidy(() => tf.max(tf.abs(weights[name]!)).dataSync()[0]!);
      expect(m).toBeLessThanOrEqual(1 / Math.sqrt(16));
      expect(m).toBeGreaterThan(0.2);
    }
  });

  it('records the options in its config, so a saved run rebuilds the same core and weights', () => {
    const config = core.config();
    expect(config).toMatchObject({ name: 'rim', selection: 'real-logit', inputInit: 'torch-ac', cellBias: false });
    const rebuilt = coreFromConfig(config);
    rebuilt.setWeights(weights);
    expect(Object.keys(rebuilt.getWeights())).toEqual(Object.keys(weights));
    rebuilt.dispose();
  });

  it('another preset keeps the biased cell (nothing recorded)', () => {
    const atari = makeCore('rim', 'atari', [49, 64], {}, 1, AGENT_PRESETS.atari.cores.rim);
    expect(atari.getWeights()['cell.bias']!.shape).toEqual([6, 255]);
    expect('cellBias' in atari.config()).toBe(false);
    atari.dispose();
  });
});

describe("the LSTM baselines' cores as the bench builds them from the agent presets (issue 16)", () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it("iam and iam-atari: BasicLSTMCell (init 'glorot', forgetBias 1) in the LSTM core and IAM's branch; CleanRL's orthogonal LSTM as an option; all recorded for loadAgent", () => {
    const cases = [
      ['lstm', 'warehouse', [1, 640], AGENT_PRESETS.iam.cores['lstm'], { init: 'glorot', forgetBias: 1 }],
      ['iam', 'warehouse', [1, 73], AGENT_PRESETS.iam.cores['iam'], { cellInit: 'glorot', forgetBias: 1 }],
      ['lstm', 'atari', [1, 96], AGENT_PRESETS['iam-atari'].cores['lstm'], { init: 'glorot', forgetBias: 1 }],
      ['iam', 'atari', [49, 64], AGENT_PRESETS['iam-atari'].cores['iam'], { cellInit: 'glorot', forgetBias: 1, fnnBias: false }],
      ['lstm', 'atari', [1, 96], { init: 'orthogonal' }, { init: 'orthogonal' }],
    ] as const;
    for (const [memory, family, shape, options, recorded] of cases) {
      const core = makeCore(memory, family, shape, {}, 1, options);
      expect(core.config()).toMatchObject(recorded);
      const rebuilt = coreFromConfig(JSON.parse(JSON.stringify(core.config())));
      const [a, b] = [core.getWeights(), rebuilt.getWeights()];
      for (const name of Object.keys(a)) expect(Buffer.from(b[name]!.dataSync().buffer).equals(Buffer.from(a[name]!.dataSync().buffer))).toBe(true);
      tf.dispose([...Object.values(a), ...Object.values(b)]);
      [core, rebuilt].forEach((m) => m.dispose());
    }
    // Without a preset's options the LSTM core records none (runs made before them compare as before).
    const plain = makeCore('lstm', 'warehouse', [1, 640], {}, 1);
    expect(Object.keys(plain.config()).sort()).toEqual(['hiddenSize', 'inputSize', 'name', 'numElements', 'seed']);
    plain.dispose();
  });
});
