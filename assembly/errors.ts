// Error state of the runtime. A failure sets a code (ERR_* from constants.ts), a byte offset in the .sqz file (-1
// when not about a position) and a short latin1 message in a fixed static buffer, so the host reads it with no
// allocation. Messages may get a context suffix (" [op 3]") and numbers (": got 5, expected 4") appended.
// Every message is one constant of messages.ts, generated from the list in messages.txt: its text sits in one
// latin-1 byte table, which a failure copies into the buffer. The constants are re-exported here, with the helpers.

import { ERR_NONE, ERR_UNSUPPORTED } from '../formats/constants';
import {
  CTX_OP, E_NOT_BUILT, Message, T_BYTES, T_CLOSE, T_EXPECTED, T_GOT, T_LIMIT, T_MINUS, T_NEEDS, T_OPEN,
  T_SPACE,
} from './messages';

export * from './messages';

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
export function notBuilt(kind: u32, label: Message, code: u32, offset: i32, opIndex: u32): i32 {
  fail(ERR_UNSUPPORTED, E_NOT_BUILT, offset);
  setMissing(kind, code);
  context(CTX_OP, opIndex);
  return context(label, code);
}

export function messagePtr(): usize {
  return messageBuffer;
}

function appendText(text: Message): void {
  let count = min(<i32>(text & 0xFF), MESSAGE_CAPACITY - errLength);
  memory.copy(messageBuffer + <usize>errLength, <usize>(text >>> 8), <usize>count);
  errLength += count;
}

function appendNumber(value: i64): void {
  if (value < 0) {
    appendText(T_MINUS);
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
export function fail(code: i32, message: Message, offset: i32): i32 {
  if (errCode != ERR_NONE) return errCode;
  errCode = code;
  errOffset = offset;
  errLength = 0;
  appendText(message);
  return code;
}

/** Appends ": got G, expected E" to the current message. Returns the current code. */
export function gotExpected(got: i64, expected: i64): i32 {
  appendText(T_GOT);
  appendNumber(got);
  appendText(T_EXPECTED);
  appendNumber(expected);
  return errCode;
}

/** Appends ": needs N bytes, limit is M bytes" to the current message. Returns the current code. */
export function needsLimit(need: u64, limit: u64): i32 {
  appendText(T_NEEDS);
  appendNumber(<i64>need);
  appendText(T_LIMIT);
  appendNumber(<i64>limit);
  appendText(T_BYTES);
  return errCode;
}

/** Appends " [label index]" (e.g. " [op 3]") to the current message. Returns the current code. */
export function context(label: Message, index: i32): i32 {
  appendText(T_OPEN);
  appendText(label);
  appendText(T_SPACE);
  appendNumber(index);
  appendText(T_CLOSE);
  return errCode;
}
