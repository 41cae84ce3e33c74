import { describe, expect, it } from 'vitest';
import { FLAT_CORE_OPTIONS } from './flatCoreOptions.js';
import { booleanField, enumField, numberField, parseOptions, rangeText } from './optionFields.js';

describe('option fields', () => {
  it('word every error as <value> <problem>; must be <allowed>', () => {
    const message = (schema: { safeParse: (v: unknown) => { error?: { issues: { message: string }[] } } }, value: unknown) => schema.safeParse(value).error?.issues[0]?.message;
    expect(message(numberField({ min: 0, max: 1, maxOpen: true, minOpen: true }, 'p'), 1.5)).toBe('1.5 is out of range; must be in (0, 1)');
    expect(message(numberField({ min: 0, max: 1 }, 'p'), 'x')).toBe('"x" is not a number; must be in [0, 1]');
    expect(message(numberField({ integer: true, min: 1 }, 'n'), 2.5)).toBe('2.5 is not an integer; must be an integer ≥ 1');
    expect(message(numberField({ integer: true, min: 1 }, 'n'), 2 ** 60)).toBe(`${2 ** 60} is out of range; must be an integer ≥ 1`);
    expect(message(numberField({ min: 0, minOpen: true }, 'lr'), Infinity)).toBe('Infinity is out of range; must be > 0');
    expect(message(numberField({ min: 0, minOpen: true }, 'lr'), NaN)).toBe('NaN is not a number; must be > 0');
    expect(message(enumField(['a', 'b'], 'e'), 'c')).toBe(`"c" is not allowed; must be one of 'a', 'b'`);
    expect(message(booleanField('b'), 1)).toBe('1 is not a boolean; must be true or false');
    expect(rangeText({ min: 0 })).toBe('≥ 0');
  });

  it('parseOptions names each bad field under the prefix; the flat cores’ schema refuses unknown options', () => {
    expect(parseOptions(FLAT_CORE_OPTIONS, { hiddenSize: 64 }, 'lstm')).toEqual({ hiddenSize: 64 });
    expect(() => parseOptions(FLAT_CORE_OPTIONS, { hiddenSize: 0 }, 'lstm')).toThrow(/^lstm\.hiddenSize: 0 is out of range; must be an integer ≥ 1$/);
    expect(() => parseOptions(FLAT_CORE_OPTIONS, { units: 2 }, 'gru')).toThrow('gru: Unrecognized key: "units"');
    expect(FLAT_CORE_OPTIONS.shape.hiddenSize.description).toMatch(/state size/);
  });
});
