import { registerCore } from '@mempo/core-attention';
import { RIMCore, type RIMCoreArgs } from './rimCore.js';

export { RIMCell, type RIMCellArgs, type RIMReferenceQuirks, type RIMCellKind, type RIMState, type RIMStepResult, type SelectionRule, type RIMSequenceResult } from './rimCell.js';
export { RIMCore, type RIMCoreArgs } from './rimCore.js';
export { RIM_OPTIONS } from './rimOptions.js';
export { RIMLayer, type RIMLayerArgs, type RIMLayerResult } from './rimLayer.js';
export { topKMask } from './topKMask.js';
export { weightsFromReferenceRIMCell } from './referenceWeights.js';

// Importing the package makes saved RIM runs loadable (`loadAgent`): RIMCore.config() is its args plus `name`.
registerCore('rim', ({ name: _name, ...args }) => new RIMCore(args as unknown as RIMCoreArgs));
