import protobuf from 'protobufjs';

/**
 * The subset of TensorFlow's protocol buffers that a SavedModel holding one GraphDef needs (field numbers from
 * tensorflow/core/framework/{graph,node_def,attr_value,tensor,tensor_shape,types,versions}.proto and
 * tensorflow/core/protobuf/{saved_model,meta_graph}.proto). Only the fields mempo writes are declared: the
 * wire format skips the rest, so the files are valid SavedModels for any TensorFlow 2.x reader.
 */
const schema = {
  nested: {
    tensorflow: {
      nested: {
        Dim: { fields: { size: { type: 'int64', id: 1 } } },
        TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dim', id: 2 }, unknownRank: { type: 'bool', id: 3 } } },
        TensorProto: {
          fields: {
            dtype: { type: 'int32', id: 1 },
            tensorShape: { type: 'TensorShapeProto', id: 2 },
            tensorContent: { type: 'bytes', id: 4 },
          },
        },
        ListValue: {
          fields: {
            s: { rule: 'repeated', type: 'bytes', id: 2 },
            i: { rule: 'repeated', type: 'int64', id: 3 },
            f: { rule: 'repeated', type: 'float', id: 4 },
            b: { rule: 'repeated', type: 'bool', id: 5 },
            type: { rule: 'repeated', type: 'int32', id: 6 },
            shape: { rule: 'repeated', type: 'TensorShapeProto', id: 7 },
          },
        },
        AttrValue: {
          oneofs: { value: { oneof: ['list', 's', 'i', 'f', 'b', 'type', 'shape', 'tensor'] } },
          fields: {
            list: { type: 'ListValue', id: 1 },
            s: { type: 'bytes', id: 2 },
            i: { type: 'int64', id: 3 },
            f: { type: 'float', id: 4 },
            b: { type: 'bool', id: 5 },
            type: { type: 'int32', id: 6 },
            shape: { type: 'TensorShapeProto', id: 7 },
            tensor: { type: 'TensorProto', id: 8 },
          },
        },
        NodeDef: {
          fields: {
            name: { type: 'string', id: 1 },
            op: { type: 'string', id: 2 },
            input: { rule: 'repeated', type: 'string', id: 3 },
            attr: { keyType: 'string', type: 'AttrValue', id: 5 },
          },
        },
        VersionDef: { fields: { producer: { type: 'int32', id: 1 } } },
        GraphDef: { fields: { node: { rule: 'repeated', type: 'NodeDef', id: 1 }, versions: { type: 'VersionDef', id: 4 } } },
        MetaInfoDef: { fields: { tags: { rule: 'repeated', type: 'string', id: 4 } } },
        MetaGraphDef: { fields: { metaInfoDef: { type: 'MetaInfoDef', id: 1 }, graphDef: { type: 'GraphDef', id: 2 } } },
        SavedModel: {
          fields: {
            savedModelSchemaVersion: { type: 'int64', id: 1 },
            metaGraphs: { rule: 'repeated', type: 'MetaGraphDef', id: 2 },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(schema);
const SavedModel = root.lookupType('tensorflow.SavedModel');

/** TensorFlow's DataType enum values (identical to the C API's TF_DataType). */
export const DT = { float: 1, int32: 3, uint8: 4, string: 7, complex64: 8, int64: 9, bool: 10, resource: 20 } as const;

/** One AttrValue, as plain data (exactly one field set). */
export interface AttrValue {
  list?: { s?: Uint8Array[]; i?: number[]; f?: number[]; b?: boolean[]; type?: number[]; shape?: ShapeProto[] };
  s?: Uint8Array;
  i?: number;
  f?: number;
  b?: boolean;
  type?: number;
  shape?: ShapeProto;
  tensor?: { dtype: number; tensorShape: ShapeProto; tensorContent: Uint8Array };
}

/** A TensorShapeProto as plain data. */
export interface ShapeProto {
  dim?: { size: number }[];
  unknownRank?: boolean;
}

/** One NodeDef as plain data. */
export interface NodeDef {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, AttrValue>;
}

/** A fully known shape as a TensorShapeProto. */
export function shapeProto(shape: readonly number[]): ShapeProto {
  return { dim: shape.map((size) => ({ size })) };
}

/**
 * The GraphDef producer version written into every graph: TensorFlow 2.15's own (GRAPH_DEF_VERSION 1645), so
 * the loader applies no compatibility rewrites meant for older graphs.
 */
const GRAPH_DEF_PRODUCER = 1645;

/** Serialises a SavedModel with one MetaGraphDef (tag `serve`) holding `nodes` and no variables on disk. */
export function encodeSavedModel(nodes: NodeDef[], tag: string): Uint8Array {
  const message = SavedModel.fromObject({
    savedModelSchemaVersion: 1,
    metaGraphs: [{ metaInfoDef: { tags: [tag] }, graphDef: { node: nodes, versions: { producer: GRAPH_DEF_PRODUCER } } }],
  });
  return SavedModel.encode(message).finish();
}
