// IR → .sqz bytes: the lossy weight step chosen by the caller, then the exact encoder and the container writer.
import {
  encodedTensorBytes,
  encodeTensor,
  encodingByCode,
  encodingName,
  writeSqz,
  type ModelMessage,
} from '../../formats/index.js';
import type { Graph } from '../ir/graph.js';
import { quantizeGraphWeights, type WeightMode } from './quantize_weights.js';
import { simplifyForExport, toModelMessage, weightTensorsOf } from './to_model_message.js';

export interface ExportOptions {
  weights: WeightMode;
}

/** One stored weight tensor, for reports. */
interface ExportedTensor {
  /** Name of the op (source layer) that reads it. */
  op: string;
  role: 'kernel' | 'bias';
  shape: number[];
  /** The encoding's name (formats/encodings.ts): 'f32' | 'f16' | 'codebook' | 'sparse-bitmap' | 'sparse-rice'. */
  encoding: string;
  /** Bits per code for codebook forms, 0 otherwise. */
  bits: number;
  /** Stored nonzeros for the sparse forms, else the element count. */
  stored: number;
  /** Size of the encoded Tensor message, in bytes. */
  bytes: number;
}

export interface ExportResult {
  /** The .sqz file. */
  bytes: Uint8Array;
  message: ModelMessage;
  /** The graph whose weights the file holds exactly (after the weight mode's rounding, before simplification). */
  graph: Graph;
  /** In file order. */
  tensors: ExportedTensor[];
}

/** exportModel with the message, the stored graph and a per-tensor account. */
export function exportModelDetailed(graph: Graph, opts: ExportOptions): ExportResult {
  const stored = quantizeGraphWeights(graph, opts.weights);
  const message = toModelMessage(stored, encodeTensor);
  const simplified = simplifyForExport(stored);
  const tensors = weightTensorsOf(simplified).map((ref, i): ExportedTensor => {
    const t = message.tensors[i]!;
    const sparse = encodingByCode(t.encoding)?.sparse === true;
    return {
      op: simplified.ops[ref.opIndex]!.name,
      role: ref.role,
      shape: [...ref.tensor.shape],
      encoding: encodingName(t.encoding),
      bits: t.bits,
      stored: sparse ? t.nnz : ref.tensor.values.length,
      bytes: encodedTensorBytes(t),
    };
  });
  return { bytes: writeSqz(message), message, graph: stored, tensors };
}

/**
 * The .sqz file for `graph`. weights: 'exact'/'f32' store the values as they are (smallest exact encoding),
 * 'f16' rounds every weight to f16 first, 'q8' quantizes each kernel to ≤ 256 levels (zeros kept) and biases to f16.
 */
export function exportModel(graph: Graph, opts: ExportOptions): Uint8Array {
  return exportModelDetailed(graph, opts).bytes;
}
