export type { MemoryCore, CoreCallOptions, CoreStepResult, CoreSequenceResult, CoreConfig } from './memoryCore.js';
