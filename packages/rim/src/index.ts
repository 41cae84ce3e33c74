export { RIMCell, type RIMCellArgs, type RIMCellKind, type RIMState, type RIMStepResult, type SelectionRule, type RIMSequenceResult } from './rimCell.js';
export { RIMCore, type RIMCoreArgs } from './rimCore.js';
export { RIMLayer, type RIMLayerArgs, type RIMLayerResult } from './rimLayer.js';
export { topKMask } from './topKMask.js';
export { weightsFromReferenceRIMCell } from './referenceWeights.js';
