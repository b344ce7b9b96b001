// Weight tensor validation at load: everything the decoders and the compressed-form kernels rely on is proved here,
// so they run with no checks. Counts nonzeros; allocates nothing (each codebook's f32 lookup table, at most 2^bits
// floats, is built after the memory pre-check: buildCodebookTable).
//
// Checked per encoding (formats/README.md):
//   all        rank 1..6, dims ≥ 1, n ≤ 2^28, known encoding, built into this runtime (features.ts)
//   F32 / F16  data = 4n / 2n bytes
//   codebook   bits 1..8 (any when nnz = 0), known codebook type, whole entries ≤ 2^bits,
//              data = ceil(count·bits / 8) bytes with count = n (dense) or nnz (sparse), every code < entries,
//              unused bits of the last byte 0
//   bitmap     nnz ≤ n, positions = ceil(n / 8) bytes, popcount = nnz, bits ≥ n are 0
//   Rice       nnz ≤ n, k ≤ 24, exactly nnz gaps, each position < n, stream length = ceil(bits used / 8), pad bits 0

import {
  CB_F16, CB_F32, CB_Q8, CB_Q8_EXP_MAX, CB_Q8_EXP_MIN, ENC_CODEBOOK, ENC_COUNT, ENC_F16, ENC_F32, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE, ERR_MALFORMED,
  ERR_NONE, ERR_SHAPE, ERR_UNSUPPORTED,
} from '../formats/constants';
import { codeAt } from './codes';
import {
  CTX_ENCODING, CTX_TENSOR, E_BITMAP_COUNT, E_BITMAP_LEN, E_BITS, E_CB_LEN, E_CB_Q8_EXP, E_CB_TYPE, E_CODE_RANGE, E_DATA_LEN,
  E_DIM_ZERO, E_EMPTY_SHAPE, E_ENCODING, E_NNZ, E_NOT_BUILT, E_PAD_BITS, E_RANK, E_RICE_END, E_RICE_K, E_RICE_LEN,
  E_RICE_POS, E_TOO_BIG, MISSING_ENCODING, Message, context, fail, gotExpected, setMissing,
} from './errors';
import { f16ToF32 } from './f16';
import { encodingBuilt } from './features';
import { allocBytes, blockBytes } from './heap';
import { MAX_RANK, MAX_TENSOR_ELEMENTS, Tensor, dimOf, tensorAt } from './model';
import { riceBitAddress, riceGaps, riceSeek } from './rice';
import { offsetOf } from './wire';

/** Records a tensor error at `ptr` (a byte in the file) with the tensor index appended. */
function tensorFail(code: i32, message: Message, ptr: usize, index: u32): i32 {
  fail(code, message, offsetOf(ptr));
  return context(CTX_TENSOR, index);
}

/** Counts values of a raw f32 / f16 array whose bits are not ±0. */
function countRawNonzeros(data: usize, n: u32, bytesPerValue: u32): u32 {
  let count: u32 = 0;
  if (bytesPerValue == 4) {
    for (let i: u32 = 0; i < n; i++) count += u32((load<u32>(data + (<usize>i << 2)) & 0x7FFF_FFFF) != 0);
  } else {
    for (let i: u32 = 0; i < n; i++) count += u32((load<u16>(data + (<usize>i << 1)) & 0x7FFF) != 0);
  }
  return count;
}

/** Whether each codebook entry is nonzero (not ±0), for counting nonzeros before any table exists: 256 bytes. */
const entryNonzero: usize = memory.data(256);

/** CB_Q8: bytes before the entries (int8 exponent, int16 offset). */
const Q8_HEADER_BYTES: u32 = 3;

/** Value of codebook entry `e` as f32 (binary16 entries widened; CB_Q8 entries (j0 + u) · 2^exponent, exact). */
@inline function codebookEntry(t: Tensor, e: u32): f32 {
  if (t.codebookType == CB_Q8) {
    let scale = reinterpret<f32>(<u32>(load<i8>(t.codebook) + 127) << 23);
    return <f32>(<i32>load<i16>(t.codebook, 1) + <i32>load<u8>(t.codebook + Q8_HEADER_BYTES + e)) * scale;
  }
  return t.codebookType == CB_F16 ? f16ToF32(load<u16>(t.codebook + (<usize>e << 1))) : load<f32>(t.codebook + (<usize>e << 2));
}

/** Checks the packed codes and counts nonzeros (allocates nothing); returns ERR_NONE or the recorded code. */
function checkCodes(t: Tensor, index: u32, count: u32): i32 {
  let bits = t.bits;
  if (t.codebookType > <u32>CB_Q8) return tensorFail(ERR_UNSUPPORTED, E_CB_TYPE, t.codebook, index);
  let entries: u32;
  if (t.codebookType == CB_Q8) {
    if (t.codebookLength <= Q8_HEADER_BYTES || t.codebookLength - Q8_HEADER_BYTES > (<u32>1 << bits)) {
      tensorFail(ERR_MALFORMED, E_CB_LEN, t.codebook, index);
      return gotExpected(t.codebookLength, <i64>Q8_HEADER_BYTES + (<i64>1 << bits));
    }
    let exponent = <i32>load<i8>(t.codebook);
    if (exponent < CB_Q8_EXP_MIN || exponent > CB_Q8_EXP_MAX) return tensorFail(ERR_MALFORMED, E_CB_Q8_EXP, t.codebook, index);
    entries = t.codebookLength - Q8_HEADER_BYTES;
  } else {
    let entrySize: u32 = t.codebookType == CB_F16 ? 2 : 4;
    entries = t.codebookLength / entrySize;
    if (entries * entrySize != t.codebookLength || entries > (<u32>1 << bits)) {
      tensorFail(ERR_MALFORMED, E_CB_LEN, t.codebook, index);
      return gotExpected(t.codebookLength, <i64>entrySize << bits);
    }
  }
  t.entries = entries;
  let dataBits = <u64>count * bits;
  let dataBytes = (dataBits + 7) >> 3;
  if (<u64>t.dataLength != dataBytes) {
    tensorFail(ERR_MALFORMED, E_DATA_LEN, t.data, index);
    return gotExpected(t.dataLength, dataBytes);
  }
  for (let e: u32 = 0; e < entries; e++) {
    store<u8>(entryNonzero + e, <u8>((reinterpret<u32>(codebookEntry(t, e)) & 0x7FFF_FFFF) != 0));
  }
  let mask: u32 = (1 << bits) - 1;
  let nonzeros: u32 = 0;
  let bit: u32 = 0;
  for (let j: u32 = 0; j < count; j++) {
    let code = codeAt(t.data, bit, mask);
    if (code >= entries) {
      tensorFail(ERR_MALFORMED, E_CODE_RANGE, t.data + <usize>(bit >>> 3), index);
      return gotExpected(code, entries);
    }
    nonzeros += <u32>load<u8>(entryNonzero + code);
    bit += bits;
  }
  if ((dataBits & 7) != 0 && (load<u8>(t.data + <usize>(dataBytes - 1)) >>> <u32>(dataBits & 7)) != 0) {
    return tensorFail(ERR_MALFORMED, E_PAD_BITS, t.data + <usize>(dataBytes - 1), index);
  }
  t.nonzeros = nonzeros;
  return ERR_NONE;
}

function checkBitmap(t: Tensor, index: u32): i32 {
  let n = t.n;
  let bytes = (n + 7) >>> 3;
  if (t.positionsLength != bytes) {
    tensorFail(ERR_MALFORMED, E_BITMAP_LEN, t.positions, index);
    return gotExpected(t.positionsLength, bytes);
  }
  let ones: u64 = 0;
  let i: u32 = 0;
  for (; i + 8 <= bytes; i += 8) ones += popcnt(load<u64>(t.positions + <usize>i));
  for (; i < bytes; i++) ones += popcnt(<u32>load<u8>(t.positions + <usize>i));
  if ((n & 7) != 0 && (<u32>load<u8>(t.positions + <usize>(bytes - 1)) >>> (n & 7)) != 0) {
    return tensorFail(ERR_MALFORMED, E_PAD_BITS, t.positions + <usize>(bytes - 1), index);
  }
  if (ones != <u64>t.nnz) {
    tensorFail(ERR_MALFORMED, E_BITMAP_COUNT, t.positions, index);
    return gotExpected(ones, t.nnz);
  }
  return ERR_NONE;
}

/** One Rice gap for checkRice (4 bytes). */
const oneGap: usize = memory.data(4);

/**
 * Decodes every Rice gap once with the runtime's Rice decoder (rice.ts), one gap at a time: each must end inside the
 * stream and give a position < n, and the gaps must use the whole stream (ceil(bits / 8) bytes, pad bits 0).
 */
function checkRice(t: Tensor, index: u32): i32 {
  let k = t.riceK;
  if (k > 24) {
    tensorFail(ERR_MALFORMED, E_RICE_K, t.positions, index);
    return gotExpected(k, 24);
  }
  let stream = t.positions;
  let end = stream + t.positionsLength;
  let endBit = <u64>end << 3;
  riceSeek(<u64>stream << 3);
  let next: u64 = 0;
  for (let j: u32 = 0; j < t.nnz; j++) {
    riceGaps(oneGap, 1, k, end);
    let bit = riceBitAddress();
    if (bit > endBit) return tensorFail(ERR_MALFORMED, E_RICE_END, end, index);
    let position = next + load<u32>(oneGap);
    if (position >= <u64>t.n) {
      tensorFail(ERR_MALFORMED, E_RICE_POS, <usize>(bit >> 3), index);
      return gotExpected(min(position, 0xFFFF_FFFF), t.n);
    }
    next = position + 1;
  }
  let bits = riceBitAddress() - (<u64>stream << 3);
  let usedBytes = (bits + 7) >> 3;
  if (usedBytes != <u64>t.positionsLength) {
    tensorFail(ERR_MALFORMED, E_RICE_LEN, stream, index);
    return gotExpected(t.positionsLength, usedBytes);
  }
  if ((bits & 7) != 0 && (<u32>load<u8>(stream + <usize>(usedBytes - 1)) >>> <u32>(bits & 7)) != 0) {
    return tensorFail(ERR_MALFORMED, E_PAD_BITS, stream + <usize>(usedBytes - 1), index);
  }
  return ERR_NONE;
}

/** Heap bytes of tensor t's codebook table (checked tensors; 0 for ENC_F32 / ENC_F16). */
export function codebookTableBytes(t: Tensor): u64 {
  return t.encoding == ENC_F32 || t.encoding == ENC_F16 ? 0 : blockBytes(<u64>t.entries << 2);
}

/** Builds tensor t's f32 codebook table (codebookTableBytes). False on ERR_MEMORY. */
export function buildCodebookTable(t: Tensor): bool {
  if (t.encoding == ENC_F32 || t.encoding == ENC_F16) return true;
  let table = allocBytes(<u64>t.entries << 2);
  for (let e: u32 = 0; table != 0 && e < t.entries; e++) store<f32>(table + (<usize>e << 2), codebookEntry(t, e));
  t.table = table;
  return table != 0;
}

/** Validates tensor `index` and fills n, entries and nonzeros (the codebook table comes later: buildCodebookTable). */
export function checkTensor(index: u32): i32 {
  let t = tensorAt(index);
  let record = changetype<usize>(t);
  let at = t.msgOffset;
  if (t.rank == 0 || t.rank > MAX_RANK) {
    fail(t.rank == 0 ? ERR_SHAPE : ERR_UNSUPPORTED, t.rank == 0 ? E_EMPTY_SHAPE : E_RANK, at);
    return context(CTX_TENSOR, index);
  }
  let n: u64 = 1;
  for (let d: u32 = 0; d < t.rank; d++) {
    let dim = dimOf(record, d);
    if (dim == 0) {
      fail(ERR_SHAPE, E_DIM_ZERO, at);
      return context(CTX_TENSOR, index);
    }
    n *= dim;
    if (n > MAX_TENSOR_ELEMENTS) {
      fail(ERR_UNSUPPORTED, E_TOO_BIG, at);
      return context(CTX_TENSOR, index);
    }
  }
  t.n = <u32>n;
  let encoding = t.encoding;
  if (encoding >= <u32>ENC_COUNT) {
    fail(ERR_UNSUPPORTED, E_ENCODING, at);
    return context(CTX_TENSOR, index);
  }
  if (!encodingBuilt(encoding)) {
    fail(ERR_UNSUPPORTED, E_NOT_BUILT, at);
    setMissing(MISSING_ENCODING, encoding);
    context(CTX_TENSOR, index);
    return context(CTX_ENCODING, encoding);
  }
  if (encoding == ENC_F32 || encoding == ENC_F16) {
    let width: u32 = encoding == ENC_F32 ? 4 : 2;
    if (<u64>t.dataLength != n * width) {
      tensorFail(ERR_MALFORMED, E_DATA_LEN, t.data, index);
      return gotExpected(t.dataLength, n * width);
    }
    t.nonzeros = countRawNonzeros(t.data, t.n, width);
    return ERR_NONE;
  }
  let count = t.n;
  if (encoding != ENC_CODEBOOK) {
    if (t.nnz > t.n) {
      fail(ERR_MALFORMED, E_NNZ, at);
      gotExpected(t.nnz, t.n);
      return context(CTX_TENSOR, index);
    }
    count = t.nnz;
  }
  if (t.bits > 8 || (t.bits == 0 && count > 0)) {
    fail(ERR_UNSUPPORTED, E_BITS, at);
    gotExpected(t.bits, 8);
    return context(CTX_TENSOR, index);
  }
  let code = checkCodes(t, index, count);
  if (code != ERR_NONE) return code;
  if (encodingBuilt(ENC_SPARSE_BITMAP) && encoding == ENC_SPARSE_BITMAP) return checkBitmap(t, index);
  if (encodingBuilt(ENC_SPARSE_RICE) && encoding == ENC_SPARSE_RICE) return checkRice(t, index);
  return ERR_NONE;
}
