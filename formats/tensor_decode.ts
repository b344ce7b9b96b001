// Tensor decoder and validator: checks every field of a Tensor message against formats/README.md and
// expands it to dense f32. Errors are SqzFormatError: ERR_UNSUPPORTED for an unknown encoding, bit width or
// codebook type, ERR_MALFORMED for anything inconsistent. Each message starts with "tensor <index>: ".
import {
  CB_F16,
  CB_F32,
  CB_Q8,
  ENC_CODEBOOK,
  ENC_F16,
  ENC_F32,
  ENC_SPARSE_BITMAP,
  ENC_SPARSE_RICE,
  ERR_MALFORMED,
  ERR_MEMORY,
  ERR_UNSUPPORTED,
} from './constants.js';
import { SqzFormatError } from './errors.js';
import { forEachCode, packedByteLength } from './bits.js';
import { bitmapDecode } from './bitmap.js';
import { TENSOR_FIELDS, encodingByCode } from './encodings.js';
import { decodeF16 } from './f16.js';
import { decodeQ8Codebook, q8CodebookProblem, Q8_HEADER_BYTES } from './codebook_q8.js';
import { encodedTensorBytes } from './message_size.js';
import { riceDecode } from './rice.js';
import type { TensorMessage } from './schema.js';

/** Largest element count a tensor may have: positions and counts are uint32. */
export const MAX_TENSOR_ELEMENTS = 0xffffffff;

/** What `tensorStats` reports about one tensor. */
export interface TensorStats {
  /** Elements, the product of the shape. */
  n: number;
  /** Nonzero elements (stored codes for the sparse forms; counted after decoding for the others). */
  nnz: number;
  /** Bits per stored value: 32 for ENC_F32, 16 for ENC_F16, b for the codebook forms. */
  bits: number;
  /** ENC_* */
  encoding: number;
  /** Encoded bytes inside the Model (tag + length + body): see encodedTensorBytes. */
  bytes: number;
}

/** Shape facts that decoding needs once the fields have been checked. */
interface CheckedTensor {
  n: number;
  /** Codes stored in `data`: n (dense codebook), nnz (sparse), 0 (f32/f16). */
  codeCount: number;
  /** Codebook entries. */
  entries: number;
}

function fail(code: number, label: string, message: string): never {
  throw new SqzFormatError(code, `${label}: ${message}`);
}

function labelOf(index?: number): string {
  return index === undefined ? 'tensor' : `tensor ${index}`;
}

/** Product of `shape`, checked to be at most MAX_TENSOR_ELEMENTS. */
export function tensorElementCount(shape: readonly number[], index?: number): number {
  return elementCount(shape, labelOf(index));
}

function elementCount(shape: readonly number[], label: string): number {
  for (const d of shape) {
    if (!(Number.isInteger(d) && d >= 0 && d <= 0xffffffff))
      fail(ERR_MALFORMED, label, `shape [${shape.join(', ')}] has a dimension that is not a uint32`);
  }
  if (shape.includes(0)) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > MAX_TENSOR_ELEMENTS)
      fail(ERR_UNSUPPORTED, label, `shape [${shape.join(', ')}] has more than 2^32 - 1 elements`);
  }
  return n;
}

/** Every field the encoding's descriptor does not list must be at its default (0 or empty). */
function expectUnusedUnset(t: TensorMessage, label: string): void {
  const encoding = encodingByCode(t.encoding)!;
  for (const f of TENSOR_FIELDS) {
    if (encoding.fields.includes(f)) continue;
    const v = t[f];
    const set = typeof v === 'number' ? v !== 0 : v.length !== 0;
    if (set) fail(ERR_MALFORMED, label, `${encoding.constant} does not use field '${f}', but it is set`);
  }
}

/**
 * Entries of `t`'s codebook, by its length and codebook type (CB_F16, CB_F32 or CB_Q8); not a whole number when the
 * length is not whole entries (checkCodebook rejects that).
 */
export function codebookEntryCount(t: TensorMessage): number {
  if (t.codebookType === CB_Q8) return t.codebook.length - Q8_HEADER_BYTES;
  return t.codebook.length / (t.codebookType === CB_F16 ? 2 : 4);
}

function checkCodebook(t: TensorMessage, label: string): number {
  if (!(t.bits >= 1 && t.bits <= 8)) fail(ERR_UNSUPPORTED, label, `bits is ${t.bits}, must be 1..8`);
  if (t.codebookType !== CB_F16 && t.codebookType !== CB_F32 && t.codebookType !== CB_Q8)
    fail(ERR_UNSUPPORTED, label, `unknown codebook type ${t.codebookType}`);
  if (t.codebookType === CB_Q8) {
    const problem = q8CodebookProblem(t.codebook);
    if (problem !== undefined) fail(ERR_MALFORMED, label, problem);
  } else {
    const entryBytes = t.codebookType === CB_F16 ? 2 : 4;
    if (t.codebook.length % entryBytes !== 0) {
      fail(
        ERR_MALFORMED,
        label,
        `codebook of ${t.codebook.length} bytes is not a whole number of ${entryBytes}-byte entries`,
      );
    }
  }
  const entries = codebookEntryCount(t);
  if (entries > 1 << t.bits) fail(ERR_MALFORMED, label, `codebook has ${entries} entries, more than 2^${t.bits}`);
  return entries;
}

function checkCodeBytes(t: TensorMessage, label: string, count: number): void {
  const need = packedByteLength(count, t.bits);
  if (t.data.length !== need)
    fail(ERR_MALFORMED, label, `codes need ${need} bytes for ${count} codes of ${t.bits} bits, got ${t.data.length}`);
  const usedBits = (count * t.bits) % 8;
  if (usedBits !== 0 && t.data[need - 1] >>> usedBits !== 0)
    fail(ERR_MALFORMED, label, 'codes have nonzero padding bits in their last byte');
}

/** Checks every length and field of `t` (not the code values or positions) and returns its counts. */
function checkTensorFields(t: TensorMessage, label: string): CheckedTensor {
  const n = elementCount(t.shape, label);
  if (encodingByCode(t.encoding) === undefined) fail(ERR_UNSUPPORTED, label, `unknown encoding ${t.encoding}`);
  expectUnusedUnset(t, label);
  switch (t.encoding) {
    case ENC_F32:
    case ENC_F16: {
      const width = t.encoding === ENC_F32 ? 4 : 2;
      if (t.data.length !== n * width)
        fail(
          ERR_MALFORMED,
          label,
          `${encodingByCode(t.encoding)!.constant} data needs ${n * width} bytes for ${n} values, got ${t.data.length}`,
        );
      return { n, codeCount: 0, entries: 0 };
    }
    case ENC_CODEBOOK: {
      const entries = checkCodebook(t, label);
      checkCodeBytes(t, label, n);
      return { n, codeCount: n, entries };
    }
    case ENC_SPARSE_BITMAP:
    case ENC_SPARSE_RICE: {
      const entries = checkCodebook(t, label);
      if (t.nnz > n) fail(ERR_MALFORMED, label, `nnz ${t.nnz} exceeds its ${n} elements`);
      checkCodeBytes(t, label, t.nnz);
      return { n, codeCount: t.nnz, entries };
    }
    default:
      return fail(ERR_UNSUPPORTED, label, `unknown encoding ${t.encoding}`);
  }
}

/** Index of the first packed code ≥ `limit`, or -1. Reads `count` codes of `bits` bits. */
function firstCodeAtLeast(bytes: Uint8Array, count: number, bits: number, limit: number): number {
  if (limit >= 1 << bits) return -1;
  let first = -1;
  forEachCode(bytes, count, bits, (j, code) => {
    if (first < 0 && code >= limit) first = j;
  });
  return first;
}

/** Decodes and checks the positions of a sparse tensor whose fields passed checkTensorFields. */
function sparsePositions(t: TensorMessage, n: number, label: string): Uint32Array {
  try {
    return t.encoding === ENC_SPARSE_BITMAP
      ? bitmapDecode(t.positions, t.nnz, n)
      : riceDecode(t.positions, t.nnz, t.riceK, n);
  } catch (e) {
    if (e instanceof SqzFormatError) fail(e.code, label, e.message);
    throw e;
  }
}

function checkCodes(t: TensorMessage, c: CheckedTensor, label: string): void {
  const bad = firstCodeAtLeast(t.data, c.codeCount, t.bits, c.entries);
  if (bad >= 0) fail(ERR_MALFORMED, label, `code ${bad} is not < the ${c.entries} codebook entries`);
}

/**
 * Checks everything `decodeTensor` checks without materializing the dense values.
 * @param index the tensor's index in Model.tensors, for messages
 * @throws SqzFormatError
 */
export function validateTensor(t: TensorMessage, index?: number): void {
  const label = labelOf(index);
  const c = checkTensorFields(t, label);
  if (c.codeCount > 0) checkCodes(t, c, label);
  if (t.encoding === ENC_SPARSE_BITMAP || t.encoding === ENC_SPARSE_RICE) sparsePositions(t, c.n, label);
}

function allocate(n: number, label: string): Float32Array {
  try {
    return new Float32Array(n);
  } catch {
    return fail(ERR_MEMORY, label, `cannot allocate ${n} f32 values`);
  }
}

function codebookValues(t: TensorMessage, entries: number): Float32Array {
  if (t.codebookType === CB_F16) return decodeF16(t.codebook, entries);
  if (t.codebookType === CB_Q8) return decodeQ8Codebook(t.codebook);
  const out = new Float32Array(entries);
  const view = new DataView(t.codebook.buffer, t.codebook.byteOffset, t.codebook.byteLength);
  for (let i = 0; i < entries; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/**
 * Validates `t` and expands it to its n dense f32 values, row-major over `t.shape`.
 * @param index the tensor's index in Model.tensors, for messages
 * @throws SqzFormatError (ERR_MALFORMED, ERR_UNSUPPORTED, ERR_MEMORY) saying what is wrong
 */
export function decodeTensor(t: TensorMessage, index?: number): Float32Array {
  const label = labelOf(index);
  const c = checkTensorFields(t, label);
  if (t.encoding === ENC_F32) {
    const out = allocate(c.n, label);
    const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    for (let i = 0; i < c.n; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  if (t.encoding === ENC_F16) return decodeF16(t.data, c.n);
  checkCodes(t, c, label);
  const cb = codebookValues(t, c.entries);
  if (t.encoding === ENC_CODEBOOK) {
    const out = allocate(c.n, label);
    forEachCode(t.data, c.n, t.bits, (j, code) => {
      out[j] = cb[code];
    });
    return out;
  }
  const positions = sparsePositions(t, c.n, label);
  const out = allocate(c.n, label);
  forEachCode(t.data, t.nnz, t.bits, (j, code) => {
    out[positions[j]] = cb[code];
  });
  return out;
}

/** Size and density figures of an encoded tensor; decodes it to count nonzeros of the dense forms. */
export function tensorStats(t: TensorMessage, index?: number): TensorStats {
  const n = tensorElementCount(t.shape, index);
  let nnz = t.nnz;
  if (t.encoding !== ENC_SPARSE_BITMAP && t.encoding !== ENC_SPARSE_RICE) {
    const values = decodeTensor(t, index);
    nnz = 0;
    for (let i = 0; i < values.length; i++) if (values[i] !== 0) nnz++;
  } else {
    validateTensor(t, index);
  }
  const bits = encodingByCode(t.encoding)!.valueBits ?? t.bits;
  return { n, nnz, bits, encoding: t.encoding, bytes: encodedTensorBytes(t) };
}
