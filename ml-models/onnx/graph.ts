/**
 * A small builder for ONNX graphs: each method adds one standard operator and returns the name of
 * its output, so exporters read like the arithmetic they implement.
 */
import { DataType, encodeModel, type AttributeValue, type IoValue, type NodeValue, type TensorValue } from './proto';

/** ONNX opset the exporters target; verified with onnxruntime-node and onnxruntime-web 1.30. */
export const OPSET = 17;
/** IR version matching {@link OPSET} (ONNX 1.12). */
export const IR_VERSION = 8;

export class GraphBuilder {
  private readonly nodes: NodeValue[] = [];
  private readonly initializers: TensorValue[] = [];
  private readonly inputs: IoValue[] = [];
  private readonly outputs: IoValue[] = [];
  private counter = 0;

  private fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  /** Declares a float graph input of shape `[N, width]`. */
  input(name: string, width: number, doc: string): string {
    this.inputs.push({ name, dataType: DataType.FLOAT, dims: ['N', width], doc });
    return name;
  }

  /**
   * Declares a float graph output of shape `[N, width]` and renames the node producing `source` to
   * emit it directly (no Identity copy of a possibly large tensor).
   */
  output(name: string, source: string, width: number, doc: string): void {
    const producer = this.nodes.find((node) => node.outputs.includes(source));
    if (!producer) throw new Error(`no node produces ${source}`);
    producer.outputs = producer.outputs.map((output) => (output === source ? name : output));
    for (const node of this.nodes) node.inputs = node.inputs.map((input) => (input === source ? name : input));
    this.outputs.push({ name, dataType: DataType.FLOAT, dims: ['N', width], doc });
  }

  /** A float constant with the given shape (row-major values). */
  constant(values: readonly number[], dims: number[], hint = 'const'): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dataType: DataType.FLOAT, dims, values });
    return name;
  }

  /** A boolean constant with the given shape, for masks. */
  boolean(values: readonly boolean[], dims: number[], hint = 'mask'): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dataType: DataType.BOOL, dims, values: values.map(Number) });
    return name;
  }

  /** An int64 constant, for indices and axes. */
  int64(values: readonly number[], hint = 'idx'): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dataType: DataType.INT64, dims: [values.length], values });
    return name;
  }

  /** Adds one operator node; returns its (single) output name. */
  op(opType: string, inputs: string[], attributes?: AttributeValue[]): string {
    const output = this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, inputs, outputs: [output], name: `${opType}_${this.counter}`, attributes });
    return output;
  }

  /** Columns `indices` of a `[N, k]` tensor, as `[N, indices.length]`. */
  columns(source: string, indices: readonly number[]): string {
    return this.op('Gather', [source, this.int64(indices)], [{ name: 'axis', value: 1 }]);
  }

  /** Row-wise sum of a `[N, k]` tensor, as `[N, 1]`. */
  rowSum(source: string): string {
    return this.op('ReduceSum', [source, this.int64([1], 'axes')], [{ name: 'keepdims', value: 1 }]);
  }

  /** Serialises the graph with the given metadata to `.onnx` bytes. */
  build(graphName: string, doc: string, metadata: Record<string, string>): Uint8Array {
    return encodeModel({
      graphName,
      doc,
      opset: OPSET,
      irVersion: IR_VERSION,
      producerVersion: '1',
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: this.inputs,
      outputs: this.outputs,
      metadata,
    });
  }
}
