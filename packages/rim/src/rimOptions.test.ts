import { parseOptions } from '@mempo/core-attention';
import { describe, expect, it } from 'vitest';
import { RIM_OPTIONS } from './rimOptions.js';

describe('RIM_OPTIONS', () => {
  it('accepts the paper sizes and the reference options', () => {
    const options = { units: 6, k: 5, hiddenSize: 85, cell: 'gru', selection: 'real-logit', inputInit: 'torch-ac', cellBias: false, referenceQuirks: { cellFromHidden: true } };
    expect(parseOptions(RIM_OPTIONS, options, 'rim')).toEqual(options);
  });

  it('names the field, the value and what is allowed, and k ≤ units', () => {
    expect(() => parseOptions(RIM_OPTIONS, { units: 4, k: 5 }, 'rim')).toThrow(/^rim\.k: 5 is more than units 4; must be at most units$/);
    expect(() => parseOptions(RIM_OPTIONS, { units: 0 }, 'rim')).toThrow(/^rim\.units: 0 is out of range; must be an integer ≥ 1$/);
    expect(() => parseOptions(RIM_OPTIONS, { cell: 'rnn' }, 'rim')).toThrow(`rim.cell: "rnn" is not allowed; must be one of 'lstm', 'gru'`);
    expect(() => parseOptions(RIM_OPTIONS, { referenceQuirks: { cellFromHidden: 'yes' } }, 'rim')).toThrow(
      'rim.referenceQuirks.cellFromHidden: "yes" is not a boolean; must be true or false',
    );
  });
});
