// Tensor encoder: writes f32 values in whichever exact encoding gives the smallest Tensor message.
// The encoder is lossless. Rounding to f16 or to 2^b levels happens before it, in the compiler.
//
// Zero sign: −0 counts as zero everywhere. Every encoding writes it as +0, so decoding gives +0 where the
// input had −0. A weight's zero sign does not change what inference computes. It would cost a codebook
// entry and break sparsity.
//
// NaN cannot be encoded. ±inf can (as f32, f16 or codebook entries).
import {
  CB_F16,
  CB_F32,
  CB_Q8,
  ENC_CODEBOOK,
  ENC_F16,
  ENC_F32,
  ENC_SPARSE_BITMAP,
  ENC_SPARSE_RICE,
} from './constants.js';
import { bitsForCount, packCodes } from './bits.js';
import { bitmapEncode } from './bitmap.js';
import { allF16Exact, encodeF16 } from './f16.js';
import { encodeQ8Codebook } from './codebook_q8.js';
import { encodedTensorBytes, uint32Field, varintBytes } from './message_size.js';
import { riceBitLengths, riceEncode, RICE_K_MAX } from './rice.js';
import type { TensorMessage } from './schema.js';

export { decodeTensor, validateTensor, tensorStats } from './tensor_decode.js';
export { encodedTensorBytes } from './message_size.js';

/** Largest codebook: 2^8 entries. */
export const MAX_CODEBOOK_ENTRIES = 256;

/** Choices for `encodeTensorAs`; each defaults to the smallest that represents the values exactly. */
export interface EncodeOptions {
  /** Code width for the codebook forms, 1..8; at least the smallest width that fits the codebook. */
  bits?: number;
  /** Rice parameter for ENC_SPARSE_RICE, 0..24; default: the k giving the smallest message (see riceKForSmallestTensor). */
  riceK?: number;
  /** CB_F16, CB_F32 or CB_Q8; default the smallest that holds every entry exactly. */
  codebookType?: number;
}

/** What the encodings need to know about a tensor's values, computed once. */
interface ValueAnalysis {
  /** The values with −0 replaced by +0. */
  values: Float32Array;
  /** Nonzero positions, increasing. */
  positions: Uint32Array;
  /** Distinct values including 0 (if present), ascending; undefined when more than 2^8 + 1. */
  distinct?: Float32Array;
}

function checkShape(values: Float32Array, shape: readonly number[], who: string): void {
  let n = 1;
  for (const d of shape) {
    if (!(Number.isInteger(d) && d >= 0 && d <= 0xffffffff))
      throw new RangeError(`${who}: shape [${shape.join(', ')}] has a dimension that is not a uint32`);
    n *= d;
  }
  if (n !== values.length)
    throw new RangeError(
      `${who}: shape [${shape.join(', ')}] has ${n} elements but ${values.length} values were given`,
    );
}

function analyze(input: Float32Array, who: string): ValueAnalysis {
  const inBits = new Uint32Array(input.buffer, input.byteOffset, input.length);
  let values = input;
  let nnz = 0;
  for (let i = 0; i < inBits.length; i++) {
    const b = inBits[i];
    if ((b & 0x7fffffff) > 0x7f800000)
      throw new RangeError(`${who}: value ${i} is NaN; NaN weights cannot be stored (did training diverge?)`);
    if (b === 0x80000000 && values === input) values = input.slice(); // copy once, then clear −0 signs
    if ((b & 0x7fffffff) !== 0) nnz++;
  }
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const positions = new Uint32Array(nnz);
  const seen = new Set<number>();
  let tooMany = false;
  for (let i = 0, o = 0; i < bits.length; i++) {
    if (bits[i] === 0x80000000) bits[i] = 0;
    const b = bits[i];
    if (b !== 0) positions[o++] = i;
    if (!tooMany && !seen.has(b)) {
      seen.add(b);
      tooMany = seen.size > MAX_CODEBOOK_ENTRIES + 1; // + 1: the sparse forms keep zero out of the codebook
    }
  }
  let distinct: Float32Array | undefined;
  if (!tooMany) {
    distinct = new Float32Array(seen.size);
    const distinctBits = new Uint32Array(distinct.buffer);
    let i = 0;
    for (const b of seen) distinctBits[i++] = b;
    distinct.sort();
  }
  return { values, positions, distinct };
}

function codebookBytes(
  entries: Float32Array,
  options: EncodeOptions,
  who: string,
): { codebook: Uint8Array; codebookType: number } {
  const exactF16 = allF16Exact(entries);
  const q8 =
    options.codebookType === undefined || options.codebookType === CB_Q8 ? encodeQ8Codebook(entries) : undefined;
  const type =
    options.codebookType ??
    // CB_Q8 also costs its codebook_type field (CB_F16 = 0 is omitted).
    (q8 !== undefined && (!exactF16 || q8.length + uint32Field(CB_Q8) < 2 * entries.length)
      ? CB_Q8
      : exactF16
        ? CB_F16
        : CB_F32);
  if (type === CB_Q8) {
    if (q8 === undefined)
      throw new RangeError(`${who}: codebook entries are not on one 256-step power-of-two grid; use CB_F16 or CB_F32`);
    return { codebook: q8, codebookType: CB_Q8 };
  }
  if (type === CB_F16) {
    if (!exactF16) throw new RangeError(`${who}: codebook entries are not all exact f16 values; use CB_F32`);
    return { codebook: encodeF16(entries), codebookType: CB_F16 };
  }
  if (type !== CB_F32) throw new RangeError(`${who}: unknown codebook type ${type}`);
  const codebook = new Uint8Array(entries.length * 4);
  const view = new DataView(codebook.buffer);
  for (let i = 0; i < entries.length; i++) view.setFloat32(4 * i, entries[i], true);
  return { codebook, codebookType: CB_F32 };
}

/**
 * Bytes these codebook entries add to a Tensor message in the storage the encoder picks: the codebook's contents
 * and the codebook_type field (absent for CB_F16); not the codebook field's tag and length.
 */
export function codebookEncodedBytes(entries: Float32Array): number {
  const { codebook, codebookType } = codebookBytes(entries, {}, 'codebookEncodedBytes');
  return codebook.length + uint32Field(codebookType);
}

function codeWidth(entries: number, options: EncodeOptions, who: string): number {
  const minBits = bitsForCount(entries);
  const bits = options.bits ?? minBits;
  if (!(Number.isInteger(bits) && bits >= minBits && bits <= 8)) {
    throw new RangeError(`${who}: ${entries} codebook entries need ${minBits}..8 bits, asked for ${bits}`);
  }
  return bits;
}

/** Codes of `values` at `at` (all positions when undefined) into ascending `entries`. */
function codesOf(values: Float32Array, entries: Float32Array, at?: Uint32Array): Uint8Array {
  const entryBits = new Uint32Array(entries.buffer, entries.byteOffset, entries.length);
  const index = new Map<number, number>();
  for (let i = 0; i < entryBits.length; i++) index.set(entryBits[i], i);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const count = at ? at.length : bits.length;
  const codes = new Uint8Array(count);
  for (let j = 0; j < count; j++) codes[j] = index.get(bits[at ? at[j] : j])!;
  return codes;
}

function emptyTensor(shape: readonly number[], encoding: number): TensorMessage {
  return {
    shape: [...shape],
    encoding,
    data: new Uint8Array(0),
    bits: 0,
    codebook: new Uint8Array(0),
    codebookType: 0,
    positions: new Uint8Array(0),
    riceK: 0,
    nnz: 0,
  };
}

function encodeAnalyzed(
  a: ValueAnalysis,
  shape: readonly number[],
  encoding: number,
  options: EncodeOptions,
  who: string,
): TensorMessage {
  const t = emptyTensor(shape, encoding);
  const n = a.values.length;
  switch (encoding) {
    case ENC_F32: {
      t.data = new Uint8Array(n * 4);
      const view = new DataView(t.data.buffer);
      for (let i = 0; i < n; i++) view.setFloat32(4 * i, a.values[i], true);
      return t;
    }
    case ENC_F16:
      if (!allF16Exact(a.values))
        throw new RangeError(`${who}: values are not all exact f16 values, ENC_F16 would round them`);
      t.data = encodeF16(a.values);
      return t;
    case ENC_CODEBOOK: {
      if (a.distinct === undefined || a.distinct.length > MAX_CODEBOOK_ENTRIES) {
        throw new RangeError(
          `${who}: more than ${MAX_CODEBOOK_ENTRIES} distinct values, ENC_CODEBOOK cannot hold them`,
        );
      }
      t.bits = codeWidth(a.distinct.length, options, who);
      Object.assign(t, codebookBytes(a.distinct, options, who));
      t.data = packCodes(codesOf(a.values, a.distinct), t.bits);
      return t;
    }
    case ENC_SPARSE_BITMAP:
    case ENC_SPARSE_RICE: {
      const nonzero = a.distinct?.filter((v) => v !== 0);
      if (nonzero === undefined || nonzero.length > MAX_CODEBOOK_ENTRIES) {
        throw new RangeError(
          `${who}: more than ${MAX_CODEBOOK_ENTRIES} distinct nonzero values, a sparse codebook cannot hold them`,
        );
      }
      t.bits = codeWidth(nonzero.length, options, who);
      Object.assign(t, codebookBytes(nonzero, options, who));
      t.nnz = a.positions.length;
      t.data = packCodes(codesOf(a.values, nonzero, a.positions), t.bits);
      if (encoding === ENC_SPARSE_BITMAP) {
        t.positions = bitmapEncode(a.positions, n);
      } else {
        const k = options.riceK ?? riceKForSmallestTensor(a.positions);
        if (!(Number.isInteger(k) && k >= 0 && k <= RICE_K_MAX))
          throw new RangeError(`${who}: Rice k must be 0..${RICE_K_MAX}, got ${k}`);
        t.riceK = k;
        t.positions = riceEncode(a.positions, k);
      }
      return t;
    }
    default:
      throw new RangeError(`${who}: unknown encoding ${encoding}`);
  }
}

/**
 * The Rice k giving the smallest Tensor message: the stream's bytes plus its length prefix plus the rice_k
 * field, which proto3 omits when k = 0. (riceKForShortestStream minimizes the stream alone, so it can lose by a byte or two.)
 * Smallest k on ties.
 */
export function riceKForSmallestTensor(positions: Uint32Array): number {
  const lengths = riceBitLengths(positions);
  let bestK = 0;
  let bestBytes = Infinity;
  for (let k = 0; k <= RICE_K_MAX; k++) {
    const streamBytes = Math.ceil(lengths[k] / 8);
    const bytes =
      (streamBytes === 0 ? 0 : 1 + varintBytes(streamBytes) + streamBytes) + (k === 0 ? 0 : 1 + varintBytes(k));
    if (bytes < bestBytes) {
      bestBytes = bytes;
      bestK = k;
    }
  }
  return bestK;
}

/**
 * Encodes `values` (row-major over `shape`) in the given ENC_* encoding.
 * @throws RangeError if that encoding cannot represent the values exactly, or on NaN
 */
export function encodeTensorAs(
  values: Float32Array,
  shape: readonly number[],
  encoding: number,
  options: EncodeOptions = {},
): TensorMessage {
  const who = 'encodeTensorAs';
  checkShape(values, shape, who);
  return encodeAnalyzed(analyze(values, who), shape, encoding, options, who);
}

/**
 * Encodes `values` (row-major over `shape`) in the exact encoding whose Tensor message is smallest.
 * Ties go to the simpler form, in ENC_* order (f32, f16, codebook, bitmap, Rice).
 * An all-zero tensor is ENC_SPARSE_RICE with nnz 0.
 * @throws RangeError on NaN or a shape that does not match
 */
export function encodeTensor(values: Float32Array, shape: readonly number[]): TensorMessage {
  const who = 'encodeTensor';
  checkShape(values, shape, who);
  const a = analyze(values, who);
  if (a.positions.length === 0) return encodeAnalyzed(a, shape, ENC_SPARSE_RICE, {}, who);
  const candidates = [ENC_F32];
  if (allF16Exact(a.values)) candidates.push(ENC_F16);
  if (a.distinct !== undefined) {
    const hasZero = a.positions.length < a.values.length;
    if (a.distinct.length <= MAX_CODEBOOK_ENTRIES) candidates.push(ENC_CODEBOOK);
    if (a.distinct.length - (hasZero ? 1 : 0) <= MAX_CODEBOOK_ENTRIES)
      candidates.push(ENC_SPARSE_BITMAP, ENC_SPARSE_RICE);
  }
  let best: TensorMessage | undefined;
  let bestBytes = Infinity;
  for (const encoding of candidates) {
    const t = encodeAnalyzed(a, shape, encoding, {}, who);
    const bytes = encodedTensorBytes(t);
    if (bytes < bestBytes) {
      // strict: on ties the earlier (simpler) encoding stays
      best = t;
      bestBytes = bytes;
    }
  }
  return best!;
}
