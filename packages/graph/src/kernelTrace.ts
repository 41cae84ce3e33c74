import type { NativeBackend, NativeBinding, OpAttr, TensorMetadata } from './nativeBackend.js';
import { DT } from './tfProto.js';
import { TraceError } from './traceError.js';

/** One kernel that ran while tracing. */
export interface RecordedKernel {
  op: string;
  attrs: OpAttr[];
  /** Handle ids of the inputs, in order. */
  inputs: number[];
  outputs: TensorMetadata[];
}

/** A tensor whose values were written from JS while tracing: it becomes a constant of the graph. */
export interface RecordedConstant {
  shape: number[];
  /** TF_DataType */
  dtype: number;
  /** The raw little-endian bytes, copied when the tensor was made. */
  bytes: Uint8Array;
}

/** Everything one traced call ran, in order. */
export interface KernelTrace {
  kernels: RecordedKernel[];
  /** By handle id: tensors made from JS values during the call. */
  constants: Map<number, RecordedConstant>;
}

/**
 * Runs `fn` eagerly while recording every kernel tfjs-node executes and every tensor it makes from JS values,
 * by wrapping the backend's addon for the duration of the call (tfjs's own gradient kernels and custom
 * gradients pass through the same `executeOp`).
 *
 * Trace safety: handles derived from `sources` (the traced inputs and state) are tainted; reading one back to
 * JS (`dataSync`, `array`, `data`, …) would turn a per-call value into a constant of the graph, so it throws a
 * {@link TraceError} naming the kernel that produced it.
 */
export function traceKernels<T>(backend: NativeBackend, sources: ReadonlySet<number>, fn: () => T): { result: T; trace: KernelTrace } {
  const original = backend.binding;
  const trace: KernelTrace = { kernels: [], constants: new Map() };
  const tainted = new Set(sources);
  const producer = new Map<number, number>();
  const recorder: Partial<NativeBinding> = {
    executeOp(name, attrs, inputIds, numOutputs) {
      const outputs = original.executeOp(name, attrs, inputIds, numOutputs);
      const index = trace.kernels.length;
      trace.kernels.push({ op: name, attrs, inputs: [...inputIds], outputs });
      const derived = inputIds.some((id) => tainted.has(id));
      for (const out of outputs) {
        producer.set(out.id, index);
        if (derived) tainted.add(out.id);
      }
      return outputs;
    },
    createTensor(shape, dtype, values) {
      const id = original.createTensor(shape, dtype, values);
      trace.constants.set(id, { shape: [...shape], dtype, bytes: copyBytes(values, dtype) });
      return id;
    },
    runSavedModel() {
      // A compiled function called inside another: its outputs would be frozen into this graph as constants,
      // and its state updates would run once per trace instead of once per call.
      throw new TraceError(
        'a traced function ran a TensorFlow session (a compiled function or SavedModel): its outputs would be frozen into the graph. ' +
          'Call compiled functions outside other compiled functions, or put their tensor code in one function',
      );
    },
    tensorDataSync(id) {
      if (tainted.has(id)) {
        const k = producer.get(id);
        const what = k === undefined ? 'a traced input' : `the output of kernel #${k} (${trace.kernels[k]!.op})`;
        throw new TraceError(
          `a traced function read ${what} back to JS (dataSync/array/data): the graph would freeze that value into a constant. ` +
            'Keep the computation in tensor ops (tf.where, tf.minimum, …) or move the readback outside the compiled function',
        );
      }
      return original.tensorDataSync(id);
    },
  };
  const descriptors = Object.fromEntries(Object.entries(recorder).map(([k, value]) => [k, { value }]));
  backend.binding = Object.create(original, descriptors) as NativeBinding;
  try {
    return { result: fn(), trace };
  } finally {
    backend.binding = original;
  }
}

function copyBytes(values: unknown, dtype: number): Uint8Array {
  if (ArrayBuffer.isView(values)) return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  if (Array.isArray(values)) {
    const typed = dtype === DT.float ? Float32Array.from(values as number[]) : Int32Array.from(values as number[]);
    if (dtype === DT.float || dtype === DT.int32) return new Uint8Array(typed.buffer);
  }
  throw new TraceError(`a traced function made a tensor of TF dtype ${dtype} from values the graph engine cannot embed`);
}
