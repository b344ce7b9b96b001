// The optional fields of a .sqz that inference does not read (sqz.proto Model.class_names = 6 and
// Model.input_range = 7, two little-endian f32), read by the host from the file's bytes after the wasm runtime has accepted them: a walk
// over the payload's top-level fields that keeps those two and steps over the rest by wire type. Files without them
// (every file written before they existed) give empty results.

import { lengthDelimitedFields } from '../formats/field_walk.js';

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
  const classNames: string[] = [];
  const range: number[] = [];
  const decoder = new TextDecoder();
  for (const { field, data } of lengthDelimitedFields(bytes)) {
    if (field === 6) classNames.push(decoder.decode(data));
    else if (field === 7 && data.length === 8) {
      const view = new DataView(data.buffer, data.byteOffset, 8);
      range.push(view.getFloat32(0, true), view.getFloat32(4, true));
    }
  }
  return range.length === 2 ? { classNames, inputRange: [range[0]!, range[1]!] } : { classNames };
}
