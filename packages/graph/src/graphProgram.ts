import * as tf from '@tensorflow/tfjs-core';
import {
  buildFunctionNodes,
  stateHandleNode,
  stateTransferNodes,
  type FunctionEndpoints,
  type StateSlot,
} from './graphBuilder.js';
import { traceKernels, type KernelTrace, type RecordedConstant } from './kernelTrace.js';
import { existingHandleId, handleId, requireNativeBackend, type NativeBackend } from './nativeBackend.js';
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
 * A set of compiled tensor functions that share resident state in one TensorFlow session (DESIGN.md, "The
 * tensor engine", graph engine). Each function is traced once per input signature (shapes and dtypes): the
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
  readonly state: readonly tf.Variable[];
  readonly verifyDeterminism: boolean;
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

  /** Copies the session's state into the `tf.Variable`s (no-op when they already agree). */
  pullState(): void {
    this.assertLive();
    if (!this.session || !this.residentAhead) return;
    const values = this.run([], [], this.session.readOutputs);
    this.state.forEach((v, i) => v.assign(values[i]!));
    tf.dispose(values);
    this.residentAhead = false;
    this.syncedDataIds = this.state.map((v) => v.dataId);
  }

  /** Frees the session. The variables keep the newest values. */
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
    if (this.state.every((v, i) => v.dataId === this.syncedDataIds[i])) return;
    if (this.residentAhead)
      throw new Error(
        'a state variable was assigned eagerly while the graph held newer values: call pullState() before changing state variables outside compiled functions',
      );
    const [done] = this.run([...this.state], session.writeInputs, [session.writeDone]);
    done!.dispose();
    this.syncedDataIds = this.state.map((v) => v.dataId);
  }

  private addSignature(fn: CompiledFunction, key: string, inputs: tf.Tensor[]): TracedSignature {
    const start = performance.now();
    this.pullState();
    const prefix = `${fn.name}_${this.signatures.filter((s) => s.fn === fn).length}`;
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
    this.signatures.push(traced);
    this.loadSession();
    this.stats.compiles += 1;
    this.stats.compileSeconds += (performance.now() - start) / 1000;
    return traced;
  }

  /** One eager call of `fn` under the kernel recorder; the state variables are restored afterwards. */
  private trace(fn: CompiledFunction, prefix: string, inputs: tf.Tensor[]): { nodes: NodeDef[]; endpoints: FunctionEndpoints; assigns: boolean } {
    const backend = this.backend;
    const saved = this.state.map((v) => tf.clone(v));
    const stateIds = this.state.map((v) => handleId(backend, v));
    const inputIds = backend.getInputTensorIds(inputs);
    const declared = new Set(this.state.map((v) => v.dataId));
    const undeclared = new Map<number, string>();
    for (const v of Object.values(tf.engine().registeredVariables)) {
      if (declared.has(v.dataId)) continue;
      const id = existingHandleId(backend, v.dataId);
      if (id !== undefined) undeclared.set(id, v.name);
    }
    let outputIds: number[] = [];
    const assigns = new Map<number, number>();
    let trace: KernelTrace;
    try {
      ({ trace } = traceKernels(backend, new Set([...stateIds, ...inputIds]), () => {
        const outputs = tf.tidy(() => fn.fn(...inputs));
        if (!Array.isArray(outputs) || outputs.length === 0 || !outputs.every((t) => t instanceof tf.Tensor))
          throw new Error(`${fn.name} must return a non-empty array of tensors`);
        outputIds = backend.getInputTensorIds(outputs);
        this.state.forEach((v, slot) => {
          if (v.dataId !== saved[slot]!.dataId) assigns.set(slot, handleId(backend, v));
        });
        tf.dispose(outputs);
      }));
    } finally {
      this.state.forEach((v, slot) => {
        if (v.dataId !== saved[slot]!.dataId) v.assign(saved[slot]!);
      });
      tf.dispose(saved);
    }
    const { nodes, endpoints } = buildFunctionNodes({
      prefix,
      slots: this.slots,
      inputs: inputs.map((t, i) => ({ id: inputIds[i]!, shape: [...t.shape], dtype: this.dtypeCode(t.dtype, `input ${i}`) })),
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
  private loadSession(): void {
    const transfer = stateTransferNodes(this.slots);
    const nodes: NodeDef[] = [
      ...this.slots.map((slot, i) => stateHandleNode(i, slot, this.id)),
      ...transfer.nodes,
      ...this.signatures.flatMap((s) => s.nodes),
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
  constructor(
    private readonly program: GraphProgram,
    readonly name: string,
    /** @internal */ readonly fn: TensorFunction,
  ) {}

  /** Runs the graph for these inputs' signature, tracing it on first use. */
  call(inputs: tf.Tensor[]): tf.Tensor[] {
    return this.program.call(this, inputs);
  }
}

function signatureKey(inputs: tf.Tensor[]): string {
  return inputs.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(';');
}
