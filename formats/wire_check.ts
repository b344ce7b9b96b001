// Wire-level check of a payload before protobufjs decodes it. protobufjs is lenient where the wasm runtime
// (assembly/wire.ts) is strict: it keeps the low 32 bits of a varint too large for a uint32 field (so 2^32 + 5 reads
// as 5), accepts varints longer than 10 bytes and reads known fields sent with the wrong wire type. A hostile file
// would then mean one model to the TS tools and another (or an error) to the runtime. This walk applies the
// runtime's rules, with its messages, so both readers refuse the same files at the same offsets.
import { ERR_MALFORMED, HEADER_BYTES } from './constants.js';
import { SqzFormatError } from './errors.js';

const VARINT = 0,
  FIXED64 = 1,
  LEN = 2,
  FIXED32 = 5;

/** How each known field is encoded: a uint32 ('u32'), packed-or-not repeated uint32 ('rep'), bytes, f32, or a submessage. */
type FieldKind = 'u32' | 'rep' | 'bytes' | 'f32' | Schema;
interface Schema {
  [field: number]: FieldKind;
}

const VALUE: Schema = { 1: 'rep' };
const TENSOR: Schema = {
  1: 'rep',
  2: 'u32',
  3: 'bytes',
  4: 'u32',
  5: 'bytes',
  6: 'u32',
  7: 'bytes',
  8: 'u32',
  9: 'u32',
};
const OP: Schema = {
  1: 'u32',
  2: 'rep',
  3: 'rep',
  4: 'u32',
  5: 'u32',
  6: 'rep',
  7: 'rep',
  8: 'u32',
  9: 'u32',
  10: 'f32',
  11: 'rep',
};
const MODEL: Schema = { 1: VALUE, 2: TENSOR, 3: OP, 4: 'rep', 5: 'rep', 6: 'bytes', 7: 'bytes' };

class Walker {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  fail(message: string, at: number): never {
    throw new SqzFormatError(
      ERR_MALFORMED,
      `payload is not a valid sqz.Model: ${message} at file offset ${HEADER_BYTES + at}`,
      HEADER_BYTES + at,
    );
  }

  /** A varint of at most 10 bytes, as its low 64 bits (what protobuf readers keep). */
  varint(end: number): bigint {
    const start = this.pos;
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= end) this.fail('field runs past the end of its message', start);
      const byte = this.bytes[this.pos++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asUintN(64, value);
    }
    return this.fail('varint longer than 10 bytes', start);
  }

  u32(end: number): number {
    const start = this.pos;
    const value = this.varint(end);
    if (value > 0xffff_ffffn) this.fail('varint too large for a uint32 field', start);
    return Number(value);
  }

  /** Checks one message [pos, end) against `schema`; unknown fields are skipped by wire type. */
  message(schema: Schema, end: number): void {
    while (this.pos < end) {
      const tagStart = this.pos;
      const tag = this.u32(end);
      const field = tag >>> 3;
      const wire = tag & 7;
      if (field === 0) this.fail('field number 0', tagStart);
      const kind = schema[field];
      const wrong = (): never => this.fail('wrong wire type for a known field', tagStart);
      if (wire === LEN) {
        const lengthStart = this.pos;
        const length = this.u32(end);
        if (length > end - this.pos) this.fail('field runs past the end of its message', lengthStart);
        const fieldEnd = this.pos + length;
        if (kind === 'rep') {
          while (this.pos < fieldEnd) this.u32(fieldEnd);
        } else if (typeof kind === 'object') this.message(kind, fieldEnd);
        else if (kind !== undefined && kind !== 'bytes') wrong();
        this.pos = fieldEnd;
      } else if (wire === VARINT) {
        if (kind === 'u32' || kind === 'rep') this.u32(end);
        else if (kind === undefined) this.varint(end);
        else wrong();
      } else if (wire === FIXED32 || wire === FIXED64) {
        if (kind !== undefined && !(kind === 'f32' && wire === FIXED32)) wrong();
        const size = wire === FIXED32 ? 4 : 8;
        if (end - this.pos < size) this.fail('field runs past the end of its message', this.pos);
        this.pos += size;
      } else {
        this.fail('bad wire type', tagStart); // 3 and 4 are proto2 groups (unused by sqz), 6 and 7 do not exist
      }
    }
  }
}

/** Throws SqzFormatError (ERR_MALFORMED, with the file offset) where the runtime's wire reader would refuse `payload`. */
export function checkPayloadWire(payload: Uint8Array): void {
  new Walker(payload).message(MODEL, payload.length);
}
