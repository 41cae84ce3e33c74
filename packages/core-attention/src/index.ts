import './builtinCores.js';
export type { MemoryCore, CoreCallOptions, CoreStepResult, CoreSequenceResult, CoreConfig } from './memoryCore.js';
export { registerCore, registeredCores, coreFromConfig, type CoreFactory } from './coreRegistry.js';
export { maskStateAtStarts } from './episodeStarts.js';
export { scanWithResets, sequenceByStep, timeSteps, type ScanStep } from './scanSequence.js';
export { flattenSet, requireSetInput, requireSetSequence, requireState } from './setInput.js';
export { requirePositiveInt, requireRate, requireShape } from './validation.js';
export { numberField, enumField, booleanField, optionalFields, formatIssues, parseOptions, rangeText, showValue, type NumberRange } from './optionFields.js';
export { FLAT_CORE_OPTIONS, LSTM_CORE_OPTIONS } from './flatCoreOptions.js';
export { LSTM_INIT_FIELDS, LSTM_CELL_OPTIONS } from './lstmOptions.js';
export { SeedStream, uniformInit, normalInit, glorotUniformInit, initVariable, initKernel, initBias, INIT_SCHEMES, type InitScheme } from './initializers.js';
export { assignWeights, prefixNames, snapshotWeights, type NamedVariables } from './namedWeights.js';
export { WeightedModule } from './weightedModule.js';
export type { FlatCoreArgs } from './flatCoreArgs.js';
export { GatedCellBase, CELL_INITS, type CellInit, type GatedCellSizes } from './gatedCellBase.js';
export { LSTM_GATE_ORDER, splitGates, reorderGateBlocks, type LSTMGate, type LSTMGateOrder } from './gateOrder.js';
export { LSTMCell, type LSTMCellArgs, type LSTMInitArgs, type LSTMState } from './lstmCell.js';
export { GRUCell, type GRUCellArgs } from './gruCell.js';
export { LSTMCore, type LSTMCoreArgs } from './lstmCore.js';
export { RecurrentCoreBase, type RecurrentCoreArgs, type ProjectingCell } from './recurrentCoreBase.js';
export { GRUCore } from './gruCore.js';
export { FNNCore, type FNNCoreArgs } from './fnnCore.js';
export { Dense, type DenseArgs } from './dense.js';
export { Conv2D, type Conv2DArgs } from './conv2d.js';
export { LayeredModule, type NamedLayer } from './layeredModule.js';
export { GroupLinear, groupMatMul, type GroupLinearArgs } from './groupLinear.js';
export { GroupLSTMCell, type GroupCellArgs } from './groupLstmCell.js';
export { GroupGRUCell } from './groupGruCell.js';
export {
  MultiHeadAttention,
  scaledDotProductAttention,
  splitHeads,
  mergeHeads,
  type MultiHeadAttentionArgs,
  type AttentionOptions,
  type AttentionResult,
  type SoftmaxAxis,
  type ProjectionKind,
} from './multiHeadAttention.js';
export { blockGradient, stopGradient } from './stopGradient.js';
export { dropoutScale } from './dropout.js';
export { deriveSeed, statelessRandomUniform } from '@mempo/graph';
