/**
 * The subset of `onnx.proto` (ONNX IR) that MedLedger's exporters need, declared as a protobufjs
 * reflection root so the wire format is produced by a real protobuf encoder rather than by hand.
 * Field numbers follow onnx/onnx.proto; only the fields the exporters set are declared.
 */
import protobuf from 'protobufjs';

/** ONNX `TensorProto.DataType` values used here. */
export const DataType = { FLOAT: 1, INT64: 7, BOOL: 9 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** ONNX `AttributeProto.AttributeType` values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

const onnxSchema = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            type: { type: 'int32', id: 20 },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
            docString: { type: 'string', id: 3 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
          },
        },
        StringStringEntryProto: {
          fields: {
            key: { type: 'string', id: 1 },
            value: { type: 'string', id: 2 },
          },
        },
        OperatorSetIdProto: {
          fields: {
            domain: { type: 'string', id: 1 },
            version: { type: 'int64', id: 2 },
          },
        },
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            floatData: { rule: 'repeated', type: 'float', id: 4 },
            int64Data: { rule: 'repeated', type: 'int64', id: 7 },
            name: { type: 'string', id: 8 },
            int32Data: { rule: 'repeated', type: 'int32', id: 5 },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: {
                dimValue: { type: 'int64', id: 1 },
                dimParam: { type: 'string', id: 2 },
              },
            },
          },
        },
        TypeProto: {
          fields: { tensorType: { type: 'Tensor', id: 1 } },
          nested: {
            Tensor: {
              fields: {
                elemType: { type: 'int32', id: 1 },
                shape: { type: 'TensorShapeProto', id: 2 },
              },
            },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(onnxSchema);
const modelType = root.lookupType('onnx.ModelProto');

/** A tensor dimension: a fixed size or a symbolic name such as `"N"` for the batch size. */
export type Dim = number | string;

export interface TensorValue {
  name: string;
  dataType: DataTypeCode;
  dims: number[];
  /** Flat row-major values; booleans are written as 0/1 in `int32Data` as the ONNX spec requires. */
  values: readonly number[];
}

export interface AttributeValue {
  name: string;
  value: number | string | readonly number[];
  /** Attributes are ints unless stated: ONNX needs the exact attribute type. */
  kind?: 'int' | 'float' | 'string' | 'ints';
}

export interface NodeValue {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes?: AttributeValue[];
}

export interface IoValue {
  name: string;
  dataType: DataTypeCode;
  dims: Dim[];
  doc?: string;
}

export interface ModelValue {
  graphName: string;
  doc: string;
  opset: number;
  irVersion: number;
  producerVersion: string;
  nodes: NodeValue[];
  initializers: TensorValue[];
  inputs: IoValue[];
  outputs: IoValue[];
  metadata: Record<string, string>;
}

function encodeTensor(tensor: TensorValue): object {
  const base = { name: tensor.name, dataType: tensor.dataType, dims: tensor.dims };
  if (tensor.dataType === DataType.FLOAT) return { ...base, floatData: tensor.values };
  if (tensor.dataType === DataType.INT64) return { ...base, int64Data: tensor.values };
  return { ...base, int32Data: tensor.values };
}

function encodeAttribute(attribute: AttributeValue): object {
  const kind = attribute.kind ?? (Array.isArray(attribute.value) ? 'ints' : 'int');
  switch (kind) {
    case 'float':
      return { name: attribute.name, type: AttributeType.FLOAT, f: attribute.value };
    case 'string':
      return { name: attribute.name, type: AttributeType.STRING, s: new TextEncoder().encode(String(attribute.value)) };
    case 'ints':
      return { name: attribute.name, type: AttributeType.INTS, ints: attribute.value };
    case 'int':
      return { name: attribute.name, type: AttributeType.INT, i: attribute.value };
  }
}

function encodeIo(io: IoValue): object {
  return {
    name: io.name,
    docString: io.doc ?? '',
    type: {
      tensorType: {
        elemType: io.dataType,
        shape: { dim: io.dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  };
}

/**
 * Serialises a model description to ONNX protobuf bytes.
 *
 * @param model - graph, initialisers, inputs/outputs and metadata of the model
 * @returns the bytes of a `.onnx` file
 */
export function encodeModel(model: ModelValue): Uint8Array {
  const message = modelType.fromObject({
    irVersion: model.irVersion,
    producerName: 'medledger-ml-models',
    producerVersion: model.producerVersion,
    domain: 'org.medledger',
    modelVersion: 1,
    docString: model.doc,
    opsetImport: [{ domain: '', version: model.opset }],
    metadataProps: Object.entries(model.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: model.graphName,
      docString: model.doc,
      node: model.nodes.map((node) => ({
        name: node.name,
        opType: node.opType,
        input: node.inputs,
        output: node.outputs,
        attribute: (node.attributes ?? []).map(encodeAttribute),
      })),
      initializer: model.initializers.map(encodeTensor),
      input: model.inputs.map(encodeIo),
      output: model.outputs.map(encodeIo),
    },
  });
  return modelType.encode(message).finish();
}
