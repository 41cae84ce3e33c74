import { requirePositiveInt } from './validation.js';

/** Arguments of the baseline cores, which flatten their set input `[B, N, F]` to `[B, N·F]`. */
export interface FlatCoreArgs {
  /** F: features per input element. */
  inputSize: number;
  /** N: elements per input set (1 for a flat vector); the core flattens the set to N·F. Default 1. */
  numElements?: number;
  /** Width of the hidden layer (h, and c for the LSTM; the dense layer for the FNN), also the output width. */
  hiddenSize: number;
  /** Seed for reproducible initialisation. */
  seed?: number;
}

/** Validates N and F and fills in the default N = 1, giving the args that `config()` returns. */
export function resolveFlatCoreArgs(args: FlatCoreArgs): FlatCoreArgs & { numElements: number } {
  const numElements = args.numElements ?? 1;
  requirePositiveInt('numElements', numElements);
  requirePositiveInt('inputSize', args.inputSize);
  return { ...args, numElements };
}
