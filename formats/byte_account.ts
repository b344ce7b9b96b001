// Where a .sqz file's bytes go. Each tensor's encoded bytes split into the payload of its `data` field (values:
// packed codes or raw f32/f16), of `positions` (bitmap or Rice stream), of `codebook`, and framing (the tensor's
// own tag and length in the Model, shape, encoding, bits, codebook_type, rice_k, nnz, and the tags and length
// prefixes of the three byte fields). Per op with a weight, the layer is its kernel's split plus its bias tensor's
// bytes; the file is the header, the graph (values, ops, inputs, outputs), the layers and whatever is left.
// Payloads are the fields' lengths; framing and the graph are what message_size.ts's exact sizes leave over, so
// the parts add up to the encoded bytes by construction. test/formats/byte_account.test.ts checks every part
// against the wire bytes of files the real exporter wrote, walked independently of message_size.ts.
import { HEADER_BYTES } from './constants.js';
import { encodedTensorBytes, modelBytes } from './message_size.js';
import type { ModelMessage, TensorMessage } from './schema.js';

/** One tensor's encoded bytes by what they hold. values + positions + codebook + framing = encodedTensorBytes. */
export interface TensorByteParts {
  /** Payload of `data`: packed codes, or raw f32/f16 values. */
  values: number;
  /** Payload of `positions`: the bitmap or the Rice stream (0 for dense encodings). */
  positions: number;
  /** Payload of `codebook` (0 for f32/f16). */
  codebook: number;
  /** Everything else: field tags, length prefixes, shape, encoding, bits, codebook_type, rice_k, nnz. */
  framing: number;
}

/** A compressible layer's bytes: its kernel's split and its bias tensor's whole bytes. */
export interface LayerBytes extends TensorByteParts {
  /** Encoded bytes of the bias tensor (its whole field, framing included); 0 when the op has none. */
  bias: number;
}

/** A compressible layer (an op with a weight): where it sits in the model, and its bytes. */
export interface LayerByteParts extends LayerBytes {
  /** Index of the op in Model.ops. */
  op: number;
  /** Index of the kernel in Model.tensors. */
  weight: number;
  /** Index of the bias in Model.tensors, or −1 when the op has none. */
  biasTensor: number;
}

/** The whole file. header + graph + values + positions + codebook + framing + bias + other = file. */
export interface FileByteTotals {
  file: number;
  /** The 14-byte container header. */
  header: number;
  /** The graph: Value and Op messages and the inputs/outputs fields, with their tags and lengths. */
  graph: number;
  /** Σ over kernel (weight) tensors of their parts. */
  values: number;
  positions: number;
  codebook: number;
  framing: number;
  /** Σ encoded bytes of bias tensors. */
  bias: number;
  /**
   * Bytes of tensors no op reads as weight or bias, plus payload bytes the decoded message does not hold (unknown
   * fields a reader skips). 0 for files sqz writes.
   */
  other: number;
}

export interface ModelByteAccount {
  /** Per entry of Model.tensors. */
  tensors: TensorByteParts[];
  /** Per op with a weight, in op order. */
  layers: LayerByteParts[];
  totals: FileByteTotals;
}

/** Splits one tensor's encoded bytes (tag + length + body inside the Model) into values, positions, codebook, framing. */
export function tensorByteParts(t: TensorMessage): TensorByteParts {
  const values = t.data.length;
  const positions = t.positions.length;
  const codebook = t.codebook.length;
  return { values, positions, codebook, framing: encodedTensorBytes(t) - values - positions - codebook };
}

/** Sum of a split's parts. */
export function tensorPartsTotal(p: TensorByteParts): number {
  return p.values + p.positions + p.codebook + p.framing;
}

/**
 * The byte account of a decoded Model. `fileBytes` is the real file's length (default: what writeSqz would write
 * for `model`); any difference from header + encoded model counts as `other`.
 * A tensor read as a weight by some op counts as a kernel even if another op reads it as a bias.
 */
export function modelByteAccount(model: ModelMessage, fileBytes?: number): ModelByteAccount {
  const tensors = model.tensors.map(tensorByteParts);
  const tensorTotal = (index: number) => tensorPartsTotal(tensors[index]!);
  const kernels = new Set<number>();
  const biases = new Set<number>();
  const layers: LayerByteParts[] = [];
  model.ops.forEach((op, index) => {
    if (op.weight === 0) return; // tensor refs are index + 1; 0 = none
    const weight = op.weight - 1;
    const biasTensor = op.bias - 1;
    kernels.add(weight);
    if (biasTensor >= 0) biases.add(biasTensor);
    layers.push({
      op: index,
      weight,
      biasTensor,
      ...tensors[weight]!,
      bias: biasTensor >= 0 ? tensorTotal(biasTensor) : 0,
    });
  });
  model.ops.forEach((op) => {
    if (op.weight === 0 && op.bias !== 0) biases.add(op.bias - 1);
  });
  for (const k of kernels) biases.delete(k);

  const modelTotal = modelBytes(model);
  const file = fileBytes ?? HEADER_BYTES + modelTotal;
  const totals: FileByteTotals = {
    file,
    header: HEADER_BYTES,
    graph: modelTotal - tensors.reduce((s, p) => s + tensorPartsTotal(p), 0),
    values: 0,
    positions: 0,
    codebook: 0,
    framing: 0,
    bias: 0,
    other: file - HEADER_BYTES - modelTotal,
  };
  tensors.forEach((p, index) => {
    if (kernels.has(index)) {
      totals.values += p.values;
      totals.positions += p.positions;
      totals.codebook += p.codebook;
      totals.framing += p.framing;
    } else if (biases.has(index)) {
      totals.bias += tensorPartsTotal(p);
    } else {
      totals.other += tensorPartsTotal(p);
    }
  });
  return { tensors, layers, totals };
}
