import type { CoreConfig } from '@mempo/core-attention';
import { IAMDynamicCore, type IAMDynamicCoreArgs } from './iamDynamicCore.js';
import { IAMStaticCore, type IAMStaticCoreArgs } from './iamStaticCore.js';

/**
 * Rebuilds an IAM core from its `config()` JSON (`name: 'iam'`, `variant: 'static' | 'dynamic'`).
 *
 * @example
 * const copy = createIAMCore(core.config());
 * copy.setWeights(core.getWeights());
 */
export function createIAMCore(config: CoreConfig): IAMStaticCore | IAMDynamicCore {
  const { name, variant, ...args } = config;
  if (name !== 'iam') throw new Error(`config.name must be 'iam' (got name=${String(name)})`);
  if (variant === 'static') return new IAMStaticCore(args as IAMStaticCoreArgs);
  if (variant === 'dynamic') return new IAMDynamicCore(args as IAMDynamicCoreArgs);
  throw new Error(`config.variant must be 'static' or 'dynamic' (got variant=${String(variant)})`);
}
