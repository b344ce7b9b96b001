// A walk over a protobuf message's top-level fields that steps over each one by its wire type and returns the
// length-delimited ones (sub-messages, strings, bytes): where a host needs a few fields' positions or bytes without
// decoding the rest (container.ts's message offsets, the runtime's optional metadata). It stops at the end, at a
// group (wire types 3 and 4, which sqz never writes) and never reads past the payload.

export interface LengthDelimitedField {
  /** Field number. */
  field: number;
  /** Offset of the field's tag in the payload. */
  start: number;
  /** The field's bytes (cut at the payload's end if its length runs past it). */
  data: Uint8Array;
}

export function lengthDelimitedFields(payload: Uint8Array): LengthDelimitedField[] {
  const fields: LengthDelimitedField[] = [];
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10 && pos < payload.length; i++) {
      const b = payload[pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    return value;
  };
  while (pos < payload.length) {
    const start = pos;
    const tag = varint();
    const wire = tag & 7;
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const length = varint();
      const end = Math.min(pos + length, payload.length);
      fields.push({ field: Math.floor(tag / 8), start, data: payload.subarray(pos, end) });
      pos = end;
    } else break;
  }
  return fields;
}
