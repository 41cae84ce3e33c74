import * as tf from '@tensorflow/tfjs-core';

/** What tfjs-node's addon returns for every tensor it makes. */
export interface TensorMetadata {
  id: number;
  shape: number[];
  /** A TF_DataType value. */
  dtype: number;
}

/** One op attribute as tfjs-node hands it to `executeOp` (`type` is a TF_AttrType value). */
export interface OpAttr {
  name: string;
  type: number;
  value: unknown;
}

/**
 * The part of tfjs-node's native addon (`@tensorflow/tfjs-node` and `-gpu`, binding/tfjs_binding.cc) that the
 * graph engine uses: eager kernels, tensor handles and the SavedModel session API.
 */
export interface NativeBinding {
  executeOp(name: string, attrs: OpAttr[], inputIds: number[], numOutputs: number): TensorMetadata[];
  createTensor(shape: number[], dtype: number, values: unknown): number;
  tensorDataSync(id: number): ArrayLike<number>;
  deleteTensor(id: number): void;
  loadSavedModel(exportDir: string, tags: string): number;
  runSavedModel(id: number, inputIds: number[], inputNames: string, outputNames: string): TensorMetadata[];
  deleteSavedModel(id: number): void;
  getNumOfSavedModels(): number;
  getNumOfTensors(): number;
  isUsingGpuDevice(): boolean;
  readonly TF_ATTR_STRING: number;
  readonly TF_ATTR_INT: number;
  readonly TF_ATTR_FLOAT: number;
  readonly TF_ATTR_BOOL: number;
  readonly TF_ATTR_TYPE: number;
  readonly TF_ATTR_SHAPE: number;
  readonly TF_FLOAT: number;
  readonly TF_INT32: number;
  readonly TF_BOOL: number;
}

interface NativeTensorInfo {
  id?: number;
  values: unknown;
  shape: number[];
  dtype: string;
}

/** tfjs-node's `NodeJSKernelBackend`, seen through the members the engine uses. */
export interface NativeBackend {
  binding: NativeBinding;
  /** Uploads tensors whose values still live in JS and returns their handle ids. */
  getInputTensorIds(tensors: tf.Tensor[]): number[];
  /** Wraps a handle the addon returned as a tfjs tensor owned by the engine. */
  createOutputTensor(metadata: TensorMetadata): tf.Tensor;
  tensorMap: { get(dataId: object): NativeTensorInfo | undefined };
}

/** The active backend when it is tfjs-node's native one (CPU or GPU build), else null. */
export function activeNativeBackend(): NativeBackend | null {
  const backend = tf.backend() as unknown as Partial<NativeBackend>;
  const binding = backend.binding as Partial<NativeBinding> | undefined;
  if (!binding || typeof binding.runSavedModel !== 'function' || typeof binding.executeOp !== 'function') return null;
  return backend as NativeBackend;
}

/** {@link activeNativeBackend}, or an error saying how to get one. */
export function requireNativeBackend(what: string): NativeBackend {
  const backend = activeNativeBackend();
  if (!backend)
    throw new Error(
      `${what} needs the native 'tensorflow' backend (@tensorflow/tfjs-node), but the active backend is '${tf.getBackend()}': ` +
        "use engine 'eager' on this backend, or install tfjs-node and select it",
    );
  return backend;
}

/** The native handle id of `t`, uploading its values first when they are still in JS. */
export function handleId(backend: NativeBackend, t: tf.Tensor): number {
  return backend.getInputTensorIds([t])[0]!;
}
