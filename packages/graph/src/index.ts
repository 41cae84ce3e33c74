export { GraphProgram, CompiledFunction, type GraphProgramArgs, type GraphProgramStats, type TensorFunction } from './graphProgram.js';
export { TraceError } from './traceError.js';
export { activeNativeBackend } from './nativeBackend.js';
export { statelessRandomUniform, deriveSeed } from './statelessRandom.js';
