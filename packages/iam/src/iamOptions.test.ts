import { parseOptions } from '@mempo/core-attention';
import { describe, expect, it } from 'vitest';
import { IAM_OPTIONS } from './iamOptions.js';

describe('IAM_OPTIONS', () => {
  it('checks the variant and the hidden size in the shared wording', () => {
    expect(parseOptions(IAM_OPTIONS, { variant: 'dynamic', hiddenSize: 256 }, 'iam')).toEqual({ variant: 'dynamic', hiddenSize: 256 });
    expect(() => parseOptions(IAM_OPTIONS, { hiddenSize: 0 }, 'iam')).toThrow(/^iam\.hiddenSize: 0 is out of range; must be an integer ≥ 1$/);
    expect(() => parseOptions(IAM_OPTIONS, { variant: 'patch' }, 'iam')).toThrow(`iam.variant: "patch" is not allowed; must be one of 'static', 'dynamic'`);
  });
});
