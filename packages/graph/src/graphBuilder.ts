import type { KernelTrace, RecordedConstant } from './kernelTrace.js';
import type { OpAttr } from './nativeBackend.js';
import { DT, shapeProto, type AttrValue, type NodeDef } from './tfProto.js';
import { TraceError } from './traceError.js';

/** A resident state slot: one resource variable of the program's session. */
export interface StateSlot {
  /** TF_DataType */
  dtype: number;
  shape: number[];
}

/** What {@link buildFunctionNodes} turns into graph nodes. */
export interface FunctionGraphSpec {
  /** Unique node-name prefix of this traced function. */
  prefix: string;
  /** The program's state slots (dtype and shape of each resource variable). */
  slots: readonly StateSlot[];
  /** The traced inputs (placeholders), in call order. */
  inputs: { id: number; shape: number[]; dtype: number }[];
  /** Handle ids that held a state slot's value when the trace began → slot index. */
  stateReads: ReadonlyMap<number, number>;
  /** Slot index → handle id of the value the function assigned to it. */
  assigns: ReadonlyMap<number, number>;
  /** Handle ids of the returned tensors, in order. */
  outputs: number[];
  trace: KernelTrace;
  /** Value of a handle that existed before the trace and is neither input nor state (a captured constant). */
  capture(id: number): RecordedConstant;
}

/** The node names a compiled function is called through. */
export interface FunctionEndpoints {
  inputNames: string[];
  outputNames: string[];
}

/**
 * Type attributes that tfjs-node leaves to eager inference (TFE infers them from the inputs) but a GraphDef
 * must state: op → attribute → index of the input whose dtype it is (from each op's OpDef). Found by listing
 * the attributes of every kernel the five cores, three encoders and PPO run.
 */
const INFERRED_TYPE_ATTRS: Record<string, Record<string, number>> = {
  ExpandDims: { T: 0, Tdim: 1 },
};

/** Resource-variable node of state slot `slot` (shared by every function of a program). */
function stateHandleName(slot: number): string {
  return `state/${slot}`;
}

/** The VarHandleOp of a state slot. */
export function stateHandleNode(slot: number, state: StateSlot, programId: string): NodeDef {
  return node(stateHandleName(slot), 'VarHandleOp', [], {
    dtype: { type: state.dtype },
    shape: { shape: shapeProto(state.shape) },
    shared_name: { s: utf8(`${programId}/${slot}`) },
    container: { s: new Uint8Array() },
  });
}

/**
 * Turns one traced call into graph nodes: placeholders for the inputs, one ReadVariableOp per state slot it
 * read, constants for tensors made from JS values, one node per kernel, AssignVariableOp for every slot it
 * assigned, and `Identity` outputs that wait for the assignments (so fetching the outputs runs the update).
 */
export function buildFunctionNodes(spec: FunctionGraphSpec): { nodes: NodeDef[]; endpoints: FunctionEndpoints } {
  const { prefix, trace } = spec;
  const nodes: NodeDef[] = [];
  const source = new Map<number, string>();
  const inputNames = spec.inputs.map((input, i) => {
    const name = `${prefix}/in_${i}`;
    nodes.push(node(name, 'Placeholder', [], { dtype: { type: input.dtype }, shape: { shape: shapeProto(input.shape) } }));
    source.set(input.id, name);
    return `${name}:0`;
  });
  const readNames = new Map<number, string>();
  for (const [id, slot] of spec.stateReads) {
    const name = `${prefix}/read_${slot}`;
    if (!readNames.has(slot)) {
      nodes.push(node(name, 'ReadVariableOp', [stateHandleName(slot)], { dtype: { type: spec.slots[slot]!.dtype } }));
      readNames.set(slot, name);
    }
    source.set(id, readNames.get(slot)!);
  }
  let captures = 0;
  const resolve = (id: number, consumer: string): string => {
    const known = source.get(id);
    if (known) return known;
    const constant = trace.constants.get(id) ?? spec.capture(id);
    const name = `${prefix}/const_${captures++}`;
    nodes.push(constantNode(name, constant, consumer));
    source.set(id, name);
    return name;
  };
  trace.kernels.forEach((kernel, k) => {
    const name = `${prefix}/k${k}_${kernel.op}`;
    const inputs = kernel.inputs.map((id) => resolve(id, name));
    const attr = convertAttrs(kernel.attrs, name);
    for (const [attrName, input] of Object.entries(INFERRED_TYPE_ATTRS[kernel.op] ?? {}))
      attr[attrName] ??= { type: dtypeOf(kernel.inputs[input]!, spec) };
    nodes.push(node(name, kernel.op, inputs, attr));
    kernel.outputs.forEach((out, j) => source.set(out.id, j === 0 ? name : `${name}:${j}`));
  });
  const assignNames: string[] = [];
  for (const [slot, id] of spec.assigns) {
    const name = `${prefix}/assign_${slot}`;
    const controls = readNames.has(slot) ? [`^${readNames.get(slot)}`] : [];
    nodes.push(node(name, 'AssignVariableOp', [stateHandleName(slot), resolve(id, name), ...controls], { dtype: { type: spec.slots[slot]!.dtype } }));
    assignNames.push(`^${name}`);
  }
  const outputNames = spec.outputs.map((id, i) => {
    const name = `${prefix}/out_${i}`;
    nodes.push(node(name, 'Identity', [resolve(id, name), ...assignNames], { T: { type: dtypeOf(id, spec) } }));
    return `${name}:0`;
  });
  return { nodes, endpoints: { inputNames, outputNames } };
}

/** The graph nodes that write every slot from placeholders (`init/value_i`) and read every slot (`read/value_i`). */
export function stateTransferNodes(slots: StateSlot[]): { nodes: NodeDef[]; writeInputs: string[]; writeDone: string; readOutputs: string[] } {
  const nodes: NodeDef[] = [];
  const writeInputs: string[] = [];
  const readOutputs: string[] = [];
  const assigns: string[] = [];
  slots.forEach((slot, i) => {
    const value = `write/value_${i}`;
    nodes.push(node(value, 'Placeholder', [], { dtype: { type: slot.dtype }, shape: { shape: shapeProto(slot.shape) } }));
    nodes.push(node(`write/assign_${i}`, 'AssignVariableOp', [stateHandleName(i), value], { dtype: { type: slot.dtype } }));
    writeInputs.push(`${value}:0`);
    assigns.push(`^write/assign_${i}`);
    nodes.push(node(`read/value_${i}`, 'ReadVariableOp', [stateHandleName(i)], { dtype: { type: slot.dtype } }));
    readOutputs.push(`read/value_${i}:0`);
  });
  nodes.push(constantNode('write/done', { shape: [], dtype: DT.float, bytes: new Uint8Array(4) }, 'write/done', assigns));
  return { nodes, writeInputs, writeDone: 'write/done:0', readOutputs };
}

const producedDtypes = new WeakMap<KernelTrace, Map<number, number>>();

function dtypeOf(id: number, spec: FunctionGraphSpec): number {
  let produced = producedDtypes.get(spec.trace);
  if (!produced) {
    produced = new Map(spec.trace.kernels.flatMap((kernel) => kernel.outputs.map((out) => [out.id, out.dtype] as [number, number])));
    producedDtypes.set(spec.trace, produced);
  }
  const dtype = produced.get(id);
  if (dtype !== undefined) return dtype;
  const input = spec.inputs.find((x) => x.id === id);
  if (input) return input.dtype;
  const slot = spec.stateReads.get(id);
  if (slot !== undefined) return spec.slots[slot]!.dtype;
  return (spec.trace.constants.get(id) ?? spec.capture(id)).dtype;
}

function node(name: string, op: string, input: string[], attr: Record<string, AttrValue>): NodeDef {
  return { name, op, input, attr };
}

function constantNode(name: string, constant: RecordedConstant, consumer: string, controls: string[] = []): NodeDef {
  if (constant.dtype === DT.string) throw new TraceError(`${consumer} reads a string tensor, which the graph engine cannot embed`);
  return node(name, 'Const', controls, {
    dtype: { type: constant.dtype },
    value: { tensor: { dtype: constant.dtype, tensorShape: shapeProto(constant.shape), tensorContent: constant.bytes } },
  });
}

const encoder = new TextEncoder();
function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** tfjs-node's op attributes (binding/tfjs_backend.cc, AssignOpAttr) as AttrValue protos. */
function convertAttrs(attrs: OpAttr[], nodeName: string): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const attr of attrs) out[attr.name] = convertAttr(attr, nodeName);
  return out;
}

// TF_AttrType values of the C API (tensorflow/c/tf_attrtype.h).
const ATTR = { string: 0, int: 1, float: 2, bool: 3, type: 4, shape: 5 } as const;

function convertAttr(attr: OpAttr, nodeName: string): AttrValue {
  const v = attr.value;
  const list = Array.isArray(v);
  switch (attr.type) {
    case ATTR.string:
      return { s: utf8(String(v)) };
    case ATTR.int:
      return list ? { list: { i: (v as number[]).map(Number) } } : { i: Number(v) };
    case ATTR.float:
      return list ? { list: { f: v as number[] } } : { f: v as number };
    case ATTR.bool:
      return list ? { list: { b: v as boolean[] } } : { b: Boolean(v) };
    case ATTR.type:
      return list ? { list: { type: v as number[] } } : { type: v as number };
    case ATTR.shape:
      return { shape: shapeProto(v as number[]) };
    default:
      throw new TraceError(`${nodeName}: attribute '${attr.name}' has a type (${attr.type}) the graph engine cannot write`);
  }
}
