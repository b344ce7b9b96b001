// Error state of the runtime and every message it can report, as constants in one file.
// A failure sets a code (ERR_* from constants.ts), a byte offset in the .sqz file (-1 when not about a
// position) and a short latin1 message in a fixed static buffer, so the host reads it with no allocation.
// Messages may get a context suffix (" [op 3]") and numbers (": got 5, expected 4") appended.

import { ERR_NONE, ERR_UNSUPPORTED } from '../formats/constants';

// ── Messages ─────────────────────────────────────────────────────────────────
// Container
@lazy export const E_HEADER_SHORT = 'file is shorter than the 14-byte header';
@lazy export const E_MAGIC = 'bad magic: not a .sqz file';
@lazy export const E_VERSION = 'unsupported format version';
@lazy export const E_PAYLOAD_SHORT = 'file ends before the payload length in its header';
@lazy export const E_CRC = 'CRC-32 mismatch: the file is corrupt';
@lazy export const E_TRAILING = 'bytes after the payload';
// Wire format
@lazy export const E_WIRE_END = 'field runs past the end of its message';
@lazy export const E_VARINT_LONG = 'varint longer than 10 bytes';
@lazy export const E_VARINT_BIG = 'varint too large for a uint32 field';
@lazy export const E_WIRE_TYPE = 'bad wire type';
@lazy export const E_FIELD_TYPE = 'wrong wire type for a known field';
@lazy export const E_FIELD_ZERO = 'field number 0';
@lazy export const E_TOO_MANY = 'too many entries';
// Graph
@lazy export const E_VALUE_INDEX = 'value index out of range';
@lazy export const E_TENSOR_INDEX = 'tensor index out of range';
@lazy export const E_NO_INPUTS = 'model has no inputs or no outputs';
@lazy export const E_DUP_INPUT = 'value listed twice as a model input';
@lazy export const E_READ_BEFORE_WRITE = 'op reads a value before any op writes it';
@lazy export const E_WRITTEN_TWICE = 'value is written twice (or is a model input)';
@lazy export const E_OUTPUT_UNWRITTEN = 'model output is never written';
@lazy export const E_OP_TYPE = 'unknown op type';
@lazy export const E_NOT_BUILT = 'not built into this runtime (rebuild it with sqz runtime)';
@lazy export const E_KERNEL_TWICE = 'runtime build error: op kernel registered twice';
@lazy export const E_ACTIVATION = 'unknown activation';
@lazy export const E_PADDING = 'unknown padding';
@lazy export const E_CLIP = 'clip_max is NaN';
@lazy export const E_OP_ARITY = 'wrong number of op inputs or outputs';
@lazy export const E_ATTR_COUNT = 'kernel and strides need 2 entries each';
@lazy export const E_ATTR_RANGE = 'kernel or stride of 0 or too large';
@lazy export const E_PARAMS = 'op params: wrong count, or a value out of range';
@lazy export const E_NEEDS_WEIGHT = 'op needs a weight tensor';
@lazy export const E_NO_WEIGHTS_HERE = 'op takes no weight or bias';
// Shapes
@lazy export const E_RANK = 'unsupported rank (1 to 6 dimensions)';
@lazy export const E_EMPTY_SHAPE = 'empty shape';
@lazy export const E_DIM_ZERO = 'dimension of size 0';
@lazy export const E_TOO_BIG = 'tensor or value too large';
@lazy export const E_IN_SHAPE = 'input value has the wrong shape';
@lazy export const E_OUT_SHAPE = 'output value has the wrong shape';
@lazy export const E_W_SHAPE = 'weight shape does not fit the input';
@lazy export const E_B_SHAPE = 'bias shape does not fit the output';
@lazy export const E_WINDOW = 'window larger than the input with valid padding';
// Tensors
@lazy export const E_ENCODING = 'unknown tensor encoding';
@lazy export const E_BITS = 'bits must be 1 to 8';
@lazy export const E_CB_TYPE = 'unknown codebook type';
@lazy export const E_CB_LEN = 'codebook length is not whole entries or exceeds 2^bits';
@lazy export const E_DATA_LEN = 'data length does not match n, nnz and bits';
@lazy export const E_CODE_RANGE = 'code >= number of codebook entries';
@lazy export const E_PAD_BITS = 'unused bits of the last byte are not 0';
@lazy export const E_NNZ = 'nnz larger than n';
@lazy export const E_BITMAP_LEN = 'bitmap length is not ceil(n / 8)';
@lazy export const E_BITMAP_COUNT = 'bitmap popcount differs from nnz';
@lazy export const E_RICE_K = 'rice_k must be 0 to 24';
@lazy export const E_RICE_END = 'Rice stream ends early';
@lazy export const E_RICE_POS = 'Rice position >= n';
@lazy export const E_RICE_LEN = 'Rice stream length does not match its gaps';
// Host calls
@lazy export const E_NOT_LOADED = 'no model loaded';
@lazy export const E_FILE_RANGE = 'file must lie inside the block from alloc';
@lazy export const E_EXEC_MODE = 'unknown exec mode';
@lazy export const E_BATCH = 'batch must be 1 to the planned batch';
@lazy export const E_PLAN_BATCH = 'batch must be at least 1';
@lazy export const E_GROW = 'out of memory: linear memory could not grow';
// The memory pre-check's refusal (heap.ts checkNeed), made before anything is allocated
@lazy export const E_MEMORY_LIMIT = 'memory limit exceeded';

// Context labels appended as " [op 3]".
@lazy export const CTX_OP = 'op';
@lazy export const CTX_TENSOR = 'tensor';
@lazy export const CTX_VALUE = 'value';
@lazy export const CTX_OP_TYPE = 'op type';
@lazy export const CTX_ACTIVATION = 'activation';
@lazy export const CTX_ENCODING = 'encoding';
@lazy export const CTX_PATH = 'exec path';

// What a load refused as not built into this runtime (E_NOT_BUILT), for the host: missingFeature() in index.ts.
export const MISSING_OP: u32 = 1;
export const MISSING_ACTIVATION: u32 = 2;
export const MISSING_ENCODING: u32 = 3;
export const MISSING_PATH: u32 = 4;

// ── State ────────────────────────────────────────────────────────────────────
const MESSAGE_CAPACITY: i32 = 240;
const messageBuffer: usize = memory.data(256);
export let errCode: i32 = ERR_NONE;
export let errOffset: i32 = -1;
export let errLength: i32 = 0;
/** MISSING_* << 16 | code of the last E_NOT_BUILT failure, or -1. */
export let errMissing: i32 = -1;

export function clearError(): void {
  errCode = ERR_NONE;
  errOffset = -1;
  errLength = 0;
  errMissing = -1;
}

/** Records which op, activation, encoding or path (MISSING_*, code) the failing load needed and this build lacks. */
export function setMissing(kind: u32, code: u32): void {
  errMissing = <i32>((kind << 16) | (code & 0xFFFF));
}

/**
 * Refuses, naming it, something op `opIndex` needs that this build leaves out (a tailored runtime from `sqz runtime`):
 * ERR_UNSUPPORTED, "not built into this runtime (rebuild it with sqz runtime) [op 3] [op type 2]", and records it for
 * the host (missingFeature). Returns the code.
 */
export function notBuilt(kind: u32, label: string, code: u32, offset: i32, opIndex: u32): i32 {
  fail(ERR_UNSUPPORTED, E_NOT_BUILT, offset);
  setMissing(kind, code);
  context(CTX_OP, opIndex);
  return context(label, code);
}

export function messagePtr(): usize {
  return messageBuffer;
}

function appendText(text: string): void {
  let count = text.length;
  for (let i = 0; i < count && errLength < MESSAGE_CAPACITY; i++) {
    store<u8>(messageBuffer + <usize>errLength, <u8>text.charCodeAt(i));
    errLength++;
  }
}

function appendNumber(value: i64): void {
  if (value < 0) {
    appendText('-');
    value = -value;
  }
  let digits = memory.data(24);
  let count = 0;
  do {
    store<u8>(digits + <usize>count, <u8>(48 + value % 10));
    value /= 10;
    count++;
  } while (value != 0);
  while (count > 0 && errLength < MESSAGE_CAPACITY) {
    count--;
    store<u8>(messageBuffer + <usize>errLength, load<u8>(digits + <usize>count));
    errLength++;
  }
}

/** Records a failure (the first one wins until clearError) and returns its code, so callers can `return fail(...)`. */
export function fail(code: i32, message: string, offset: i32): i32 {
  if (errCode != ERR_NONE) return errCode;
  errCode = code;
  errOffset = offset;
  errLength = 0;
  appendText(message);
  return code;
}

/** Appends ": got G, expected E" to the current message. Returns the current code. */
export function gotExpected(got: i64, expected: i64): i32 {
  appendText(': got ');
  appendNumber(got);
  appendText(', expected ');
  appendNumber(expected);
  return errCode;
}

/** Appends ": needs N bytes, limit is M bytes" to the current message. Returns the current code. */
export function needsLimit(need: u64, limit: u64): i32 {
  appendText(': needs ');
  appendNumber(<i64>need);
  appendText(' bytes, limit is ');
  appendNumber(<i64>limit);
  appendText(' bytes');
  return errCode;
}

/** Appends " [label index]" (e.g. " [op 3]") to the current message. Returns the current code. */
export function context(label: string, index: i32): i32 {
  appendText(' [');
  appendText(label);
  appendText(' ');
  appendNumber(index);
  appendText(']');
  return errCode;
}
