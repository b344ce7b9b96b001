// Per kernel tensor of a .sqz file: the bytes written for codes, positions and codebook, the order-0 entropies
// of codes and gaps, and the size of each alternative coding (code_costs.ts, position_costs.ts). Savings are
// counted on whole protobuf fields (payload plus tag and length prefix, and the rice_k field the alternative
// replaces), per tensor and only where the alternative is smaller: an encoder would keep today's coding elsewhere.
import {
  bitmapByteLength,
  bitmapDecode,
  ENC_CODEBOOK,
  ENC_SPARSE_BITMAP,
  ENC_SPARSE_RICE,
  modelByteAccount,
  readSqz,
  riceDecode,
  unpackCodes,
  varintBytes,
  type TensorMessage,
} from '../../formats/index.js';
import { codebookEntryCount } from '../../formats/tensor_decode.js';
import { adaptiveCodeBits, entropyBits, huffmanDataBits, huffmanLengths, huffmanTableBits } from './code_costs.js';
import {
  adaptiveGapBits,
  bestRice,
  gapEntropyBits,
  gapsOf,
  liveRowsCols,
  perRowRice,
  subsetBits,
} from './position_costs.js';

/** Bytes a range coder adds when it flushes its state at the end of a stream (a 32-bit coder: 4). */
const ARITHMETIC_FLUSH_BYTES = 4;

const ENCODINGS = ['f32', 'f16', 'codebook', 'sparse-bitmap', 'sparse-rice'];

/** Bytes of a bytes field holding `payload` bytes: proto3 omits an empty one. */
function fieldBytes(payload: number): number {
  return payload === 0 ? 0 : 1 + varintBytes(payload) + payload;
}

const bytesOf = (bits: number) => Math.ceil(bits / 8);

interface CodeFigures {
  /** Codes stored (n for dense codebook, nnz for the sparse forms) and codebook entries. */
  count: number;
  entries: number;
  /** Payload bytes written (packed b-bit codes). */
  written: number;
  /** Order-0 empirical entropy of the codes, in bytes (a bound: no table, no flush). */
  entropy: number;
  /** Canonical Huffman: coded codes + the table of code lengths, in bytes. */
  huffman: number;
  /** Adaptive (Laplace) arithmetic coding: ideal length + flush, in bytes. */
  adaptive: number;
}

interface PositionFigures {
  nnz: number;
  /** Payload bytes written (the bitmap or the Rice stream) and the Rice k in the file (0 for a bitmap). */
  written: number;
  riceK: number;
  /** The format's own Rice stream at its best k (what a Rice encoding would write). */
  rice: number;
  /** log2 C(n, nnz) in bytes: one arbitrary set of nnz positions among n (the cost when no pattern is likelier). */
  subset: number;
  /**
   * The bitmap arithmetic-coded with exact counts (a 1 has probability nnz left / positions left): log2 C(n, nnz)
   * rounded up + flush, in bytes. nnz is in the file already, so there is no other side information.
   */
  subsetCoded: number;
  /** Order-0 empirical entropy of the gaps, in bytes (a bound: no model cost). */
  gapEntropy: number;
  /** Gaps by an adaptive arithmetic coder (raw gap values or Elias-gamma buckets), with its side information. */
  adaptive: number;
  adaptiveScheme: 'raw' | 'buckets';
  /** One Rice k per row, with the k table. */
  perRowRice: number;
  /** Row and column bitmaps + positions within the live sub-matrix. */
  liveRowsCols: number;
  liveRows: number;
  liveCols: number;
  rows: number;
  cols: number;
  /** An n-bit bitmap. */
  bitmap: number;
}

/** Bytes each alternative would save on this tensor's fields (≥ 0: where it is larger, today's coding stays). */
export interface Savings {
  codesHuffman: number;
  codesAdaptive: number;
  gapsAdaptive: number;
  subsetCoded: number;
  perRowRice: number;
  liveRowsCols: number;
  bitmap: number;
  /** The best position coding plus the best code coding. */
  best: number;
  /** The same from the two entropy bounds (gaps and codes): a ceiling no order-0 coder reaches. */
  bound: number;
}

export const SAVING_NAMES: Record<keyof Savings, string> = {
  codesHuffman: 'codes: Huffman + table',
  codesAdaptive: 'codes: adaptive arithmetic',
  gapsAdaptive: 'positions: adaptive arithmetic on gaps',
  subsetCoded: 'positions: arithmetic-coded bitmap, exact counts',
  perRowRice: 'positions: Rice k per row',
  liveRowsCols: 'positions: within live rows/cols',
  bitmap: 'positions: bitmap',
  best: 'best positions + best codes',
  bound: 'bound: entropy of gaps + of codes',
};

export interface KernelEntropy {
  /** Index in Model.tensors and of the op that reads it as its weight. */
  tensor: number;
  op: number;
  shape: number[];
  encoding: string;
  bits: number;
  /** The tensor's bytes by part (formats/byte_account.ts). */
  bytes: { total: number; values: number; positions: number; codebook: number; framing: number };
  /** Absent for f32/f16 tensors and all-zero ones. */
  codes?: CodeFigures;
  /** Absent unless the tensor is stored sparse with nnz > 0. */
  positions?: PositionFigures;
  savings: Savings;
}

function codeFigures(t: TensorMessage, count: number): CodeFigures {
  const entries = codebookEntryCount(t);
  const codes = unpackCodes(t.data, count, t.bits);
  const counts = new Array<number>(entries).fill(0);
  for (const c of codes) counts[c]!++;
  const lengths = huffmanLengths(counts);
  return {
    count,
    entries,
    written: t.data.length,
    entropy: entropyBits(counts) / 8,
    huffman: bytesOf(huffmanDataBits(counts, lengths) + huffmanTableBits(lengths, entries)),
    adaptive: bytesOf(adaptiveCodeBits(counts, entries)) + ARITHMETIC_FLUSH_BYTES,
  };
}

function positionFigures(t: TensorMessage, n: number): PositionFigures {
  const positions =
    t.encoding === ENC_SPARSE_RICE ? riceDecode(t.positions, t.nnz, t.riceK, n) : bitmapDecode(t.positions, t.nnz, n);
  const cols = t.shape[t.shape.length - 1] ?? 1;
  const gaps = gapsOf(positions);
  const adaptive = adaptiveGapBits(gaps);
  const live = liveRowsCols(positions, n, cols);
  return {
    nnz: t.nnz,
    written: t.positions.length,
    riceK: t.riceK,
    rice: bytesOf(bestRice(gaps).bits),
    subset: subsetBits(n, t.nnz) / 8,
    subsetCoded: bytesOf(subsetBits(n, t.nnz)) + ARITHMETIC_FLUSH_BYTES,
    gapEntropy: gapEntropyBits(gaps) / 8,
    adaptive: bytesOf(adaptive.bits) + ARITHMETIC_FLUSH_BYTES,
    adaptiveScheme: adaptive.scheme,
    perRowRice: bytesOf(perRowRice(positions, n, cols).bits),
    liveRowsCols: bytesOf(live.bits),
    liveRows: live.liveRows,
    liveCols: live.liveCols,
    rows: n / cols,
    cols,
    bitmap: bitmapByteLength(n),
  };
}

function savingsOf(codes: CodeFigures | undefined, positions: PositionFigures | undefined): Savings {
  const codeField = codes ? fieldBytes(codes.written) : 0;
  // The alternatives carry their parameters in their payload, so they also drop today's rice_k field.
  const positionField = positions
    ? fieldBytes(positions.written) + (positions.riceK > 0 ? 1 + varintBytes(positions.riceK) : 0)
    : 0;
  const onCodes = (payload: number) => (codes ? Math.max(0, codeField - fieldBytes(payload)) : 0);
  const onPositions = (payload: number) => (positions ? Math.max(0, positionField - fieldBytes(payload)) : 0);
  const s = {
    codesHuffman: onCodes(codes?.huffman ?? 0),
    codesAdaptive: onCodes(codes?.adaptive ?? 0),
    gapsAdaptive: onPositions(positions?.adaptive ?? 0),
    subsetCoded: onPositions(positions?.subsetCoded ?? 0),
    perRowRice: onPositions(positions?.perRowRice ?? 0),
    liveRowsCols: onPositions(positions?.liveRowsCols ?? 0),
    bitmap: onPositions(positions?.bitmap ?? 0),
    bound: onCodes(Math.ceil(codes?.entropy ?? 0)) + onPositions(Math.ceil(positions?.gapEntropy ?? 0)),
  };
  const best =
    Math.max(s.codesHuffman, s.codesAdaptive) +
    Math.max(s.gapsAdaptive, s.subsetCoded, s.perRowRice, s.liveRowsCols, s.bitmap);
  return { ...s, best };
}

/** The figures of every kernel (op weight) tensor of a decoded model. */
export function kernelEntropies(bytes: Uint8Array): KernelEntropy[] {
  const model = readSqz(bytes);
  const account = modelByteAccount(model, bytes.length);
  return account.layers.map((layer) => {
    const t = model.tensors[layer.weight]!;
    const n = t.shape.reduce((a, b) => a * b, 1);
    const sparse = t.encoding === ENC_SPARSE_BITMAP || t.encoding === ENC_SPARSE_RICE;
    const codes =
      t.encoding === ENC_CODEBOOK ? codeFigures(t, n) : sparse && t.nnz > 0 ? codeFigures(t, t.nnz) : undefined;
    const positions = sparse && t.nnz > 0 ? positionFigures(t, n) : undefined;
    const parts = account.tensors[layer.weight]!;
    return {
      tensor: layer.weight,
      op: layer.op,
      shape: [...t.shape],
      encoding: ENCODINGS[t.encoding] ?? String(t.encoding),
      bits: t.bits,
      bytes: { total: parts.values + parts.positions + parts.codebook + parts.framing, ...parts },
      codes,
      positions,
      savings: savingsOf(codes, positions),
    };
  });
}
