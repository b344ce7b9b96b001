// Reader for the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"):
//
//   bytes 0..1   0x00 0x00
//   byte  2      element type: 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64
//   byte  3      number of dimensions d
//   4..4+4d      each dimension as a big-endian u32
//   then         the elements, row-major, big-endian
//
// Files may be gzip-compressed (detected by the gzip magic 1F 8B, not by the name). The element data must be
// exactly as long as the dimensions say: a shorter file is truncated, a longer one is corrupt.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataError, describeFsError } from '../errors.js';

type IdxType = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';

export interface IdxArray {
  type: IdxType;
  dims: number[];
  /** Elements in row-major order; u8 data is a view into the (decompressed) file, the rest are copies. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { type: IdxType; bytes: number }> = {
  0x08: { type: 'u8', bytes: 1 },
  0x09: { type: 'i8', bytes: 1 },
  0x0b: { type: 'i16', bytes: 2 },
  0x0c: { type: 'i32', bytes: 4 },
  0x0d: { type: 'f32', bytes: 4 },
  0x0e: { type: 'f64', bytes: 8 },
};

/** Reads an IDX file (raw or gzip). Errors name the file and what is wrong with it. */
export function readIdxFile(path: string): IdxArray {
  if (!existsSync(path)) throw new DataError(`IDX file not found: ${path}`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new DataError(`cannot read IDX file ${path}: ${describeFsError(err)}`, { cause: err });
  }
  return parseIdx(bytes, path);
}

/** Parses IDX bytes (raw or gzip). `name` is used in error messages. */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  let raw = bytes;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      raw = gunzipSync(bytes);
    } catch (err) {
      throw new DataError(`${name}: corrupt or truncated gzip data (${(err as Error).message})`);
    }
  }
  if (raw.length < 4) {
    throw new DataError(`${name}: truncated IDX header (${raw.length} bytes, need at least 4)`);
  }
  if (raw[0] !== 0 || raw[1] !== 0) {
    throw new DataError(`${name}: not an IDX file (first bytes ${hex(raw[0])} ${hex(raw[1])}, expected 0x00 0x00)`);
  }
  const kind = TYPES[raw[2]];
  if (kind === undefined) {
    throw new DataError(
      `${name}: unknown IDX element type ${hex(raw[2])} (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)`,
    );
  }
  const rank = raw[3];
  if (rank === 0) throw new DataError(`${name}: IDX header declares 0 dimensions`);
  const headerBytes = 4 + 4 * rank;
  if (raw.length < headerBytes) {
    throw new DataError(
      `${name}: truncated IDX header (${raw.length} bytes, the ${rank} dimensions need ${headerBytes})`,
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const expected = headerBytes + count * kind.bytes;
  if (raw.length < expected) {
    throw new DataError(
      `${name}: truncated IDX data (dimensions [${dims.join(', ')}] need ${expected} bytes, file has ${raw.length})`,
    );
  }
  if (raw.length > expected) {
    throw new DataError(
      `${name}: corrupt IDX file (dimensions [${dims.join(', ')}] need ${expected} bytes, file has ${raw.length})`,
    );
  }
  return { type: kind.type, dims, data: readElements(view, headerBytes, count, kind.type) };
}

function readElements(view: DataView, offset: number, count: number, type: IdxType): IdxArray['data'] {
  switch (type) {
    case 'u8':
      return new Uint8Array(view.buffer, view.byteOffset + offset, count);
    case 'i8':
      return new Int8Array(view.buffer, view.byteOffset + offset, count);
    case 'i16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'i32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'f32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'f64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

function hex(b: number): string {
  return '0x' + b.toString(16).toUpperCase().padStart(2, '0');
}
