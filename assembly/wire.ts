// Protobuf wire-format reader. State: the file start (for error offsets), a position and an end.
// A field that runs past its message is ERR_MALFORMED (the container check already caught a short file).
// Every read checks the end first; on any error it records the failure, moves the position to the end (so every
// caller's `while (pos < end)` loop stops) and returns 0. Callers check `errCode` after a group of reads.
// Only what sqz.proto needs: varints (uint32, at most 10 bytes), fixed32 (float), length-delimited (bytes, messages),
// and skipping unknown fields by wire type.

import { ERR_MALFORMED, ERR_NONE } from '../formats/constants';
import {
  E_FIELD_TYPE, E_FIELD_ZERO, E_VARINT_BIG, E_VARINT_LONG, E_WIRE_END, E_WIRE_TYPE, Message, errCode, fail,
} from './errors';

export const WIRE_VARINT: u32 = 0;
export const WIRE_FIXED64: u32 = 1;
export const WIRE_LEN: u32 = 2;
export const WIRE_FIXED32: u32 = 5;

/** Start of the file in memory: offsets in error reports are relative to it. */
export let fileStart: usize = 0;
/** Next byte to read. */
export let pos: usize = 0;
/** One past the last byte of the message being read. */
export let end: usize = 0;

/** Field number and wire type of the last tag read. */
export let fieldNumber: u32 = 0;
export let wireType: u32 = 0;
/** Start of the last tag read (for error offsets and per-field sizes). */
export let tagStart: usize = 0;

export function setReader(start: usize, position: usize, limit: usize): void {
  fileStart = start;
  pos = position;
  end = limit;
}

/** Narrows the reader to [pos, newEnd); returns the old end, to restore with `leave`. */
export function enter(newEnd: usize): usize {
  let saved = end;
  end = newEnd;
  return saved;
}

export function leave(savedEnd: usize): void {
  if (errCode != ERR_NONE) pos = savedEnd;
  end = savedEnd;
}

/** Moves the position (after a length-delimited field was taken as a view). */
export function seek(position: usize): void {
  pos = position;
}

export function offsetOf(ptr: usize): i32 {
  return <i32>(ptr - fileStart);
}

function failHere(code: i32, message: Message, at: usize): u64 {
  fail(code, message, offsetOf(at));
  pos = end;
  return 0;
}

/** Reads a varint of up to 10 bytes (64 bits). */
export function readVarint64(): u64 {
  let start = pos;
  let result: u64 = 0;
  for (let shift: u64 = 0; shift < 70; shift += 7) {
    if (pos >= end) return failHere(ERR_MALFORMED, E_WIRE_END, start);
    let byte = <u64>load<u8>(pos);
    pos++;
    result |= (byte & 0x7F) << shift;
    if (byte < 0x80) return result;
  }
  return failHere(ERR_MALFORMED, E_VARINT_LONG, start);
}

/** Reads a varint that must fit in 32 bits (uint32 fields). */
export function readVarint32(): u32 {
  let start = pos;
  // Fast path: one byte.
  if (pos < end) {
    let byte = load<u8>(pos);
    if (byte < 0x80) {
      pos++;
      return <u32>byte;
    }
  }
  let value = readVarint64();
  if (value > 0xFFFF_FFFF) return <u32>failHere(ERR_MALFORMED, E_VARINT_BIG, start);
  return <u32>value;
}

/** Reads a tag into fieldNumber / wireType. Returns false at the end of the message or on error. */
export function readTag(): bool {
  if (pos >= end || errCode != ERR_NONE) return false;
  tagStart = pos;
  let tag = readVarint32();
  if (errCode != ERR_NONE) return false;
  fieldNumber = tag >>> 3;
  wireType = tag & 7;
  if (fieldNumber == 0) {
    failHere(ERR_MALFORMED, E_FIELD_ZERO, tagStart);
    return false;
  }
  return true;
}

/** Reads a length prefix and checks the payload fits; returns the payload's end (payload starts at pos). */
export function readLengthDelimited(): usize {
  let lengthStart = pos;
  let length = readVarint32();
  if (errCode != ERR_NONE) return 0;
  if (<u64>length > <u64>(end - pos)) return <usize>failHere(ERR_MALFORMED, E_WIRE_END, lengthStart);
  return pos + <usize>length;
}

export function readFixed32(): u32 {
  if (end - pos < 4) return <u32>failHere(ERR_MALFORMED, E_WIRE_END, pos);
  let value = load<u32>(pos);
  pos += 4;
  return value;
}

/** Skips the value of the field whose tag was just read, by its wire type. */
export function skipField(): void {
  if (wireType == WIRE_VARINT) {
    readVarint64();
  } else if (wireType == WIRE_FIXED64) {
    if (end - pos < 8) failHere(ERR_MALFORMED, E_WIRE_END, pos);
    else pos += 8;
  } else if (wireType == WIRE_LEN) {
    let fieldEnd = readLengthDelimited();
    if (errCode == ERR_NONE) pos = fieldEnd;
  } else if (wireType == WIRE_FIXED32) {
    if (end - pos < 4) failHere(ERR_MALFORMED, E_WIRE_END, pos);
    else pos += 4;
  } else {
    // 3 and 4 are proto2 groups (not used by sqz), 6 and 7 do not exist.
    failHere(ERR_MALFORMED, E_WIRE_TYPE, tagStart);
  }
}

/** Records "wrong wire type" for the tag just read. */
export function wrongWireType(): void {
  failHere(ERR_MALFORMED, E_FIELD_TYPE, tagStart);
}

/**
 * Reads the value(s) of a repeated uint32 field, packed (LEN) or not (VARINT), appending them to `dst` (u32s) from
 * index `count`, at most `capacity` in all. With dst = 0 it only counts. Returns the new count; past capacity it
 * records (tooManyCode, tooMany) and returns capacity.
 */
export function readRepeatedU32(dst: usize, count: u32, capacity: u32, tooManyCode: i32, tooMany: Message): u32 {
  if (wireType == WIRE_VARINT) {
    let value = readVarint32();
    if (errCode != ERR_NONE) return count;
    if (count >= capacity) {
      failHere(tooManyCode, tooMany, tagStart);
      return capacity;
    }
    if (dst != 0) store<u32>(dst + (<usize>count << 2), value);
    return count + 1;
  }
  if (wireType != WIRE_LEN) {
    wrongWireType();
    return count;
  }
  let packedEnd = readLengthDelimited();
  if (errCode != ERR_NONE) return count;
  let saved = enter(packedEnd);
  while (pos < end) {
    let value = readVarint32();
    if (errCode != ERR_NONE) break;
    if (count >= capacity) {
      failHere(tooManyCode, tooMany, tagStart);
      break;
    }
    if (dst != 0) store<u32>(dst + (<usize>count << 2), value);
    count++;
  }
  leave(saved);
  return count;
}
