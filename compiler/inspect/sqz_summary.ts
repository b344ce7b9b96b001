// What a .sqz file holds, tensor by tensor, read with the format layer's own reader and decoder (readSqz +
// tensorStats), so `sqz inspect` shows exactly what the runtime will load. Names are the tables' (formats/ops.ts,
// activations.ts, encodings.ts), as in model.info. Where the bytes go (values, positions, codebook, framing, bias)
// comes from formats' modelByteAccount.
import {
  HEADER_BYTES,
  activationName,
  encodingName,
  modelByteAccount,
  opName,
  readSqz,
  tensorStats,
  type FileByteTotals,
  type LayerBytes,
  type TensorByteParts,
} from '../../formats/index.js';

export interface TensorSummary {
  /** Index in the file's tensor list. */
  index: number;
  role: 'weight' | 'bias';
  shape: number[];
  /** Elements. */
  n: number;
  /** Elements that are not zero (decoded). */
  nonzeros: number;
  /** nonzeros / n. */
  density: number;
  /** Bits per stored value: 32 (f32), 16 (f16) or the code width b. */
  bits: number;
  encoding: string;
  /** Bytes of the tensor in the file (its whole protobuf field). */
  bytes: number;
  /** `bytes` split by what they hold; the parts add up to `bytes`. */
  parts: TensorByteParts;
}

export interface LayerSummary {
  /** Index of the op. */
  op: number;
  type: string;
  /** Tensor indices of the kernel and the bias (−1 = none). */
  weightTensor: number;
  biasTensor: number;
  /** The kernel's parts and the bias tensor's bytes. */
  bytes: LayerBytes;
}

export interface OpSummary {
  index: number;
  type: string;
  activation: string;
  /** Per-sample shape of the op's output. */
  outputShape: number[];
  tensors: TensorSummary[];
}

export interface SqzSummary {
  fileBytes: number;
  /** Per-sample shapes of the model's inputs and outputs. */
  inputs: number[][];
  outputs: number[][];
  ops: OpSummary[];
  /** Names of the first output's values (a classifier's classes), when the file has them; else empty. */
  classNames: string[];
  /** [A, B]: what pixel levels 0 and 255 map to at the input, when the file says. */
  inputRange?: number[];
  /** Per op with a weight, in op order. */
  layers: LayerSummary[];
  totals: {
    fileBytes: number;
    /** Σ n over every tensor. */
    parameters: number;
    /** Σ nonzeros over every tensor. */
    nonzeros: number;
    /** Σ nonzeros · bits over every tensor: the value bits, without positions, codebooks or framing. */
    nonzeroBits: number;
    /** Σ tensor bytes; the rest of the file is the header and the graph. */
    tensorBytes: number;
    headerBytes: number;
    /**
     * The whole file by part: header, graph, the kernels' values, positions, codebooks and framing, the biases, and
     * other (tensors no op reads, bytes the reader skips). They add up to fileBytes.
     */
    bytes: FileByteTotals;
  };
}

/** Parses and validates `bytes` as a .sqz file and summarizes it. @throws SqzFormatError for a bad file */
export function summarizeSqz(bytes: Uint8Array): SqzSummary {
  const model = readSqz(bytes);
  const account = modelByteAccount(model, bytes.length);
  const tensors = model.tensors.map((t, index) => ({ index, stats: tensorStats(t, index) }));
  const tensorSummary = (ref: number, role: TensorSummary['role']): TensorSummary[] => {
    if (ref === 0) return []; // refs are index + 1; 0 = none
    const { index, stats } = tensors[ref - 1]!;
    return [
      {
        index,
        role,
        shape: [...model.tensors[index]!.shape],
        n: stats.n,
        nonzeros: stats.nnz,
        density: stats.n === 0 ? 0 : stats.nnz / stats.n,
        bits: stats.bits,
        encoding: encodingName(stats.encoding),
        bytes: stats.bytes,
        parts: account.tensors[index]!,
      },
    ];
  };
  const ops = model.ops.map((op, index): OpSummary => ({
    index,
    type: opName(op.type),
    activation: activationName(op.activation),
    outputShape: [...model.values[op.outputs[0]!]!.shape],
    tensors: [...tensorSummary(op.weight, 'weight'), ...tensorSummary(op.bias, 'bias')],
  }));
  const layers = account.layers.map((l): LayerSummary => ({
    op: l.op,
    type: opName(model.ops[l.op]!.type),
    weightTensor: l.weight,
    biasTensor: l.biasTensor,
    bytes: { values: l.values, positions: l.positions, codebook: l.codebook, framing: l.framing, bias: l.bias },
  }));
  const all = tensors.map((t) => t.stats);
  return {
    fileBytes: bytes.length,
    inputs: model.inputs.map((v) => [...model.values[v]!.shape]),
    outputs: model.outputs.map((v) => [...model.values[v]!.shape]),
    ops,
    classNames: [...(model.classNames ?? [])],
    ...(model.inputRange ? { inputRange: [...model.inputRange] } : {}),
    layers,
    totals: {
      fileBytes: bytes.length,
      parameters: all.reduce((s, t) => s + t.n, 0),
      nonzeros: all.reduce((s, t) => s + t.nnz, 0),
      nonzeroBits: all.reduce((s, t) => s + t.nnz * t.bits, 0),
      tensorBytes: all.reduce((s, t) => s + t.bytes, 0),
      headerBytes: HEADER_BYTES,
      bytes: account.totals,
    },
  };
}
