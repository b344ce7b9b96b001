// The optional fields of a .sqz that inference does not read (sqz.proto Model.class_names = 6 and
// Model.input_range = 7, two little-endian f32), read by the host from the file's bytes after the wasm runtime has accepted them: a walk
// over the payload's top-level fields that keeps those two and steps over the rest by wire type. Files without them
// (every file written before they existed) give empty results.

/** Header bytes before the payload (formats/README.md). */
const HEADER = 14;

export interface FileMetadata {
  /** One name per value of the first output (a classifier's classes), or empty. */
  classNames: string[];
  /** [A, B]: what pixel levels 0 and 255 map to at the input, or undefined. */
  inputRange?: [number, number];
}

/** Reads class_names and input_range from a .sqz file's bytes (already validated by the runtime's load). */
export function readFileMetadata(file: Uint8Array): FileMetadata {
  const bytes = file.subarray(HEADER);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const classNames: string[] = [];
  const range: number[] = [];
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10 && pos < bytes.length; i++) {
      const b = bytes[pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    return value;
  };
  const decoder = new TextDecoder();
  while (pos < bytes.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const length = varint();
      const end = Math.min(pos + length, bytes.length);
      if (field === 6) classNames.push(decoder.decode(bytes.subarray(pos, end)));
      else if (field === 7 && end - pos === 8) range.push(view.getFloat32(pos, true), view.getFloat32(pos + 4, true));
      pos = end;
    } else break;
  }
  return range.length === 2 ? { classNames, inputRange: [range[0]!, range[1]!] } : { classNames };
}
