import { registerCore } from '@mempo/core-attention';
import { createIAMCore } from './createIAMCore.js';

export { IAMStaticCore, type IAMStaticCoreArgs } from './iamStaticCore.js';
export type { IAMBranchArgs } from './iamCoreBase.js';
export { IAMDynamicCore, type IAMDynamicCoreArgs } from './iamDynamicCore.js';
export { createIAMCore } from './createIAMCore.js';
export { IAM_OPTIONS } from './iamOptions.js';
export { InfluenceAttention, type InfluenceAttentionArgs, type InfluenceAttentionResult } from './influenceAttention.js';
export { WAREHOUSE_D_SET, validateDSet, selectDSet } from './dSet.js';
export { FeedForwardBranch } from './feedForwardBranch.js';
export { RecurrentBranch, type IAMCellType } from './recurrentBranch.js';

// Importing the package makes saved IAM runs (static and dynamic) loadable (`loadAgent`).
registerCore('iam', createIAMCore);
