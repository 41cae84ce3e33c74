import * as tf from '@tensorflow/tfjs-core';
import {
  buildFunctionNodes,
  stateHandleNode,
  stateTransferNodes,
  type FunctionEndpoints,
  type StateSlot,
} from './graphBuilder.js';
import { traceKernels, type KernelTrace, type RecordedConstant } from './kernelTrace.js';
import { handleId, requireNativeBackend, type NativeBackend } from './nativeBackend.js';
import { loadGraphSession } from './savedModel.js';
import type { NodeDef } from './tfProto.js';
import { TraceError } from './traceError.js';
import { firstDifference } from './traceComparison.js';

/** A tensor function the program compiles: tensors in, tensors out, `tf.Variable`s of the state assigned freely. */
export type TensorFunction = (...inputs: tf.Tensor[]) => tf.Tensor[];

/** Arguments of {@link GraphProgram}. */
export interface GraphProgramArgs {
  /**
   * Variables whose values live in the graph between calls (weights, optimizer moments). A compiled function
   * reads them like any tensor and updates them with `variable.assign(…)`, exactly as eager code does.
   */
  state: tf.Variable[];
  /**
   * Trace every new signature twice and require identical graphs (default true). A value computed in JS (a
   * `tf.randomUniform` draw, `Math.random()`, a counter) differs between the traces and is reported instead of
   * being frozen into the graph.
   */
  verifyDeterminism?: boolean;
}

/** Compile statistics, for benchmarks and logs. */
export interface GraphProgramStats {
  /** Signatures traced so far over all functions. */
  compiles: number;
  /** Seconds spent tracing and loading sessions. */
  compileSeconds: number;
  /** Nodes of the current session's graph. */
  nodes: number;
}

interface TracedSignature {
  fn: CompiledFunction;
  key: string;
  nodes: NodeDef[];
  endpoints: FunctionEndpoints;
  assigns: boolean;
}

let programCount = 0;

/**
 * A set of compiled tensor functions that share resident state in one TensorFlow session (this package's
 * README, "How it works"). Each function is traced once per input signature (shapes and dtypes): the
 * kernels one eager call runs are recorded through tfjs-node's addon and replayed afterwards as one graph, so a
 * call costs one session run instead of one native call per kernel.
 *
 * The state variables' values live in the session: after calls that assign them, {@link pullState} copies them
 * into the `tf.Variable`s (for checkpoints, evaluation, `getWeights`); an eager assignment to a state variable
 * is pushed into the session automatically before the next call.
 *
 * @example
 * const w = tf.variable(tf.ones([3, 2]));
 * const program = new GraphProgram({ state: [w] });
 * const sgd = program.compile('sgd', (x, lr) => {
 *   const { value, grads } = tf.variableGrads(() => tf.sum(tf.matMul(x, w)));
 *   w.assign(tf.sub(w, tf.mul(grads[w.name]!, lr)));
 *   return [value];
 * });
 * const [loss] = sgd.call([tf.ones([4, 3]), tf.scalar(0.1)]);
 * program.pullState(); // w now holds the updated weights
 */
export class GraphProgram {
  /** The variables resident in the session, in slot order (as passed to the constructor). */
  readonly state: readonly tf.Variable[];
  /** Whether every new signature is traced twice and the two graphs compared (see {@link GraphProgramArgs}). */
  readonly verifyDeterminism: boolean;
  /** Compile statistics, updated as signatures are traced. */
  readonly stats: GraphProgramStats = { compiles: 0, compileSeconds: 0, nodes: 0 };
  private readonly backend: NativeBackend;
  private readonly id = `mempo_program_${programCount++}_${process.pid}`;
  private readonly slots: StateSlot[];
  private readonly signatures: TracedSignature[] = [];
  private session: { id: number; writeInputs: string[]; writeDone: string; readOutputs: string[] } | null = null;
  /** The state variables' dataIds when the session and the variables last agreed. */
  private syncedDataIds: object[] = [];
  /** True when a call assigned state that the variables do not hold yet. */
  private residentAhead = false;
  private disposed = false;

  /**
   * Throws when the active backend is not tfjs-node's native one, when `state` is empty, or when a state
   * variable's dtype is not float32, int32 or bool. Nothing is traced or loaded until the first call.
   */
  constructor(args: GraphProgramArgs) {
    this.backend = requireNativeBackend('the graph engine');
    if (args.state.length === 0) throw new Error('state must hold at least one variable (a program without state is a plain function)');
    this.state = args.state;
    this.verifyDeterminism = args.verifyDeterminism ?? true;
    this.slots = args.state.map((v) => ({ dtype: this.dtypeCode(v.dtype, v.name), shape: [...v.shape] }));
  }

  /** A compiled version of `fn`; nothing is traced until its first call. `name` labels errors and graph nodes. */
  compile(name: string, fn: TensorFunction): CompiledFunction {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new Error(`name must be letters, digits and _ (got '${name}')`);
    return new CompiledFunction(this, name, fn);
  }

  /**
   * Copies the session's state into the `tf.Variable`s (no-op when they already agree). Call it before reading
   * or assigning a state variable outside compiled functions. When a variable was assigned eagerly while the
   * session held newer values, the next call throws; `pullState()` then resolves the conflict in favour of the
   * session's values (the eager assignment is overwritten and can be made again).
   */
  pullState(): void {
    this.assertLive();
    if (!this.session || !this.residentAhead) return;
    const values = this.run([], [], this.session.readOutputs);
    this.state.forEach((v, i) => v.assign(values[i]!));
    tf.dispose(values);
    this.residentAhead = false;
    this.syncedDataIds = this.state.map((v) => v.dataId);
  }

  /**
   * Pulls the state (as {@link pullState}) and frees the session. The variables keep the values; later calls of
   * this program's functions throw. Calling it again does nothing.
   */
  dispose(): void {
    if (this.disposed) return;
    this.pullState();
    if (this.session) this.backend.binding.deleteSavedModel(this.session.id);
    this.session = null;
    this.disposed = true;
  }

  /** @internal Runs one compiled signature (tracing it first when new). */
  call(fn: CompiledFunction, inputs: tf.Tensor[]): tf.Tensor[] {
    this.assertLive();
    const key = signatureKey(inputs);
    this.assertNoEagerConflict();
    let traced = this.signatures.find((s) => s.fn === fn && s.key === key);
    if (!traced) traced = this.addSignature(fn, key, inputs);
    this.pushStateIfChanged();
    const outputs = this.run(inputs, traced.endpoints.inputNames, traced.endpoints.outputNames);
    if (traced.assigns) this.residentAhead = true;
    return outputs;
  }

  private run(inputs: tf.Tensor[], inputNames: string[], outputNames: string[]): tf.Tensor[] {
    const ids = this.backend.getInputTensorIds(inputs);
    const metadata = this.backend.binding.runSavedModel(this.session!.id, ids, inputNames.join(','), outputNames.join(','));
    return metadata.map((m) => this.backend.createOutputTensor(m));
  }

  private pushStateIfChanged(): void {
    const session = this.session!;
    if (this.stateInSync()) return;
    this.assertNoEagerConflict();
    const [done] = this.run([...this.state], session.writeInputs, [session.writeDone]);
    done!.dispose();
    this.syncedDataIds = this.state.map((v) => v.dataId);
  }

  private stateInSync(): boolean {
    return this.state.every((v, i) => v.dataId === this.syncedDataIds[i]);
  }

  /**
   * Throws when a state variable was assigned eagerly while the session held newer, unpulled values: neither
   * side can win silently (pushing would drop the graph's updates, pulling would drop the eager assignment).
   */
  private assertNoEagerConflict(): void {
    if (this.residentAhead && !this.stateInSync())
      throw new Error(
        'a state variable was assigned eagerly while the graph held newer values: call pullState() before changing state variables outside compiled functions',
      );
  }

  private addSignature(fn: CompiledFunction, key: string, inputs: tf.Tensor[]): TracedSignature {
    const start = performance.now();
    this.pullState();
    // Unique over the whole program: two functions may share a name.
    const prefix = `${fn.name}_${this.signatures.length}`;
    const first = this.trace(fn, prefix, inputs);
    if (this.verifyDeterminism) {
      const second = this.trace(fn, prefix, inputs);
      const difference = firstDifference(first.nodes, second.nodes);
      if (difference)
        throw new TraceError(
          `${fn.name}: two traces of the same call built different graphs (${difference}). A value computed in JS — ` +
            'tf.randomUniform/tf.dropout, Math.random, a counter — would be frozen into the graph: draw randomness with ' +
            "statelessRandomUniform and a seed input, and pass changing numbers as input tensors",
        );
    }
    const traced: TracedSignature = { fn, key, nodes: first.nodes, endpoints: first.endpoints, assigns: first.assigns };
    // Registered only once its session loaded: a graph TensorFlow rejects must not poison later compiles.
    this.loadSession([...this.signatures, traced]);
    this.signatures.push(traced);
    this.stats.compiles += 1;
    this.stats.compileSeconds += (performance.now() - start) / 1000;
    return traced;
  }

  /**
   * One eager call of `fn` under the kernel recorder; the state variables are restored afterwards.
   *
   * `fn` sees fresh native copies of the inputs and of the state (a handle of their own each), so the trace can
   * tell them apart even when they share data outside it: `tf.variable(init)` twice, `tf.clone(w)` passed as an
   * input, one tensor passed twice. Tensors captured from the closure stay distinct from all of them and become
   * constants.
   */
  private trace(fn: CompiledFunction, prefix: string, inputs: tf.Tensor[]): { nodes: NodeDef[]; endpoints: FunctionEndpoints; assigns: boolean } {
    const backend = this.backend;
    const inputTypes = inputs.map((t, i) => this.dtypeCode(t.dtype, `input ${i}`));
    const saved = this.state.map((v) => tf.clone(v));
    const traceInputs: tf.Tensor[] = [];
    const traceState: tf.Tensor[] = [];
    let stateIds: number[] = [];
    let inputIds: number[] = [];
    const undeclared = new Map<number, string>();
    let outputIds: number[] = [];
    const assigns = new Map<number, number>();
    let trace: KernelTrace;
    try {
      traceInputs.push(...inputs.map((t, i) => this.nativeCopy(t, `input ${i}`)));
      traceState.push(...this.state.map((v) => this.nativeCopy(v, v.name)));
      this.state.forEach((v, slot) => v.assign(traceState[slot]!));
      const startDataIds = this.state.map((v) => v.dataId);
      stateIds = this.state.map((v) => handleId(backend, v));
      inputIds = backend.getInputTensorIds(traceInputs);
      const declared = new Set(startDataIds);
      for (const v of Object.values(tf.engine().registeredVariables)) {
        if (declared.has(v.dataId) || !backend.tensorMap.get(v.dataId)) continue;
        // Upload values still held in JS, so a read of the variable is seen as a capture (not a new constant).
        undeclared.set(handleId(backend, v), v.name);
      }
      ({ trace } = traceKernels(backend, new Set([...stateIds, ...inputIds]), () => {
        const outputs = tf.tidy(() => fn.fn(...traceInputs));
        if (!Array.isArray(outputs) || outputs.length === 0 || !outputs.every((t) => t instanceof tf.Tensor))
          throw new Error(`${fn.name} must return a non-empty array of tensors`);
        outputIds = backend.getInputTensorIds(outputs);
        this.state.forEach((v, slot) => {
          if (v.dataId !== startDataIds[slot]) assigns.set(slot, handleId(backend, v));
        });
        // A returned tf.Variable (state or not) is not the trace's to dispose.
        tf.dispose(outputs.filter((t) => !(t instanceof tf.Variable)));
      }));
    } finally {
      this.state.forEach((v, slot) => v.assign(saved[slot]!));
      tf.dispose([...saved, ...traceState, ...traceInputs]);
    }
    const { nodes, endpoints } = buildFunctionNodes({
      prefix,
      slots: this.slots,
      inputs: inputs.map((t, i) => ({ id: inputIds[i]!, shape: [...t.shape], dtype: inputTypes[i]! })),
      stateReads: new Map(stateIds.map((id, slot) => [id, slot])),
      assigns,
      outputs: outputIds,
      trace,
      capture: (id) => {
        const variable = undeclared.get(id);
        if (variable !== undefined)
          throw new TraceError(
            `${fn.name} reads tf.Variable '${variable}', which is not in the program's state: add it to state, or the graph would freeze its value`,
          );
        return this.readHandle(id);
      },
    });
    return { nodes, endpoints, assigns: assigns.size > 0 };
  }

  /** `t`'s value under a new native handle (TensorFlow's Identity; no copy of the buffer is made). */
  private nativeCopy(t: tf.Tensor, what: string): tf.Tensor {
    const binding = this.backend.binding;
    const [copy] = binding.executeOp('Identity', [{ name: 'T', type: binding.TF_ATTR_TYPE, value: this.dtypeCode(t.dtype, what) }], [handleId(this.backend, t)], 1);
    return this.backend.createOutputTensor(copy!);
  }

  /** The value of a handle that existed before a trace: it becomes a constant of the graph. */
  private readHandle(id: number): RecordedConstant {
    const binding = this.backend.binding;
    const values = binding.tensorDataSync(id) as unknown as ArrayBufferView;
    const dtype = values instanceof Float32Array ? binding.TF_FLOAT : values instanceof Int32Array ? binding.TF_INT32 : binding.TF_BOOL;
    const [shapeMeta] = binding.executeOp('Shape', [
      { name: 'T', type: binding.TF_ATTR_TYPE, value: dtype },
      { name: 'out_type', type: binding.TF_ATTR_TYPE, value: binding.TF_INT32 },
    ], [id], 1);
    const shape = Array.from(binding.tensorDataSync(shapeMeta!.id));
    binding.deleteTensor(shapeMeta!.id);
    return { shape, dtype, bytes: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) };
  }

  /** Builds one session holding every traced signature and the state, and moves the state into it. */
  private loadSession(signatures: TracedSignature[]): void {
    const transfer = stateTransferNodes(this.slots);
    const nodes: NodeDef[] = [
      ...this.slots.map((slot, i) => stateHandleNode(i, slot, this.id)),
      ...transfer.nodes,
      ...signatures.flatMap((s) => s.nodes),
    ];
    const id = loadGraphSession(this.backend.binding, nodes);
    if (this.session) this.backend.binding.deleteSavedModel(this.session.id);
    this.session = { id, writeInputs: transfer.writeInputs, writeDone: transfer.writeDone, readOutputs: transfer.readOutputs };
    this.syncedDataIds = [];
    this.stats.nodes = nodes.length;
  }

  private dtypeCode(dtype: tf.DataType, what: string): number {
    const binding = this.backend.binding;
    if (dtype === 'float32') return binding.TF_FLOAT;
    if (dtype === 'int32') return binding.TF_INT32;
    if (dtype === 'bool') return binding.TF_BOOL;
    throw new Error(`${what} has dtype ${dtype}; compiled functions take float32, int32 and bool tensors`);
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('this GraphProgram was disposed');
  }
}

/** A function compiled by a {@link GraphProgram}: call it with tensors, get tensors back (the caller owns them). */
export class CompiledFunction {
  /** @internal Made by {@link GraphProgram.compile}. */
  constructor(
    private readonly program: GraphProgram,
    /** The name given to {@link GraphProgram.compile}: it labels errors and prefixes the graph's node names. */
    readonly name: string,
    /** @internal */ readonly fn: TensorFunction,
  ) {}

  /**
   * Runs the graph for these inputs' signature (dtypes and shapes), tracing it on first use; pushes eagerly
   * assigned state first. Returns new tensors that the caller owns and disposes. Throws a {@link TraceError}
   * when tracing finds something a graph cannot reproduce.
   */
  call(inputs: tf.Tensor[]): tf.Tensor[] {
    return this.program.call(this, inputs);
  }
}

function signatureKey(inputs: tf.Tensor[]): string {
  return inputs.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(';');
}
