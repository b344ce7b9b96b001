// The NumPy `.npy` format (numpy/lib/format.py): magic "\x93NUMPY", a version byte pair, a header length
// (u16 for version 1, u32 for 2 and 3, little-endian), a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (N, ...), } and then the raw elements, C order.
// Only plain numeric dtypes are read. Object arrays ('|O') hold pickles: they are refused, never unpickled, as
// are structured dtypes, Fortran order and dtypes with no exact JS counterpart (f2, complex, strings).
import { DataError } from '../errors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** A numeric array read from a .npy: its shape, dtype string and elements (a typed array in the file's type). */
export interface NpyArray {
  shape: number[];
  /** The dtype as numpy spells it, e.g. '<f4', '|u1'. */
  descr: string;
  /** 'int' for integer and boolean dtypes, 'float' for f4/f8. */
  kind: 'int' | 'float';
  data: ArrayLike<number>;
}

/** Element readers by dtype code (kind letter + byte width). */
const DTYPES: Record<
  string,
  {
    bytes: number;
    kind: 'int' | 'float';
    make: (n: number) => { [i: number]: number } & ArrayLike<number>;
    get: (v: DataView, at: number, le: boolean) => number;
  }
> = {
  b1: { bytes: 1, kind: 'int', make: (n) => new Uint8Array(n), get: (v, at) => v.getUint8(at) },
  u1: { bytes: 1, kind: 'int', make: (n) => new Uint8Array(n), get: (v, at) => v.getUint8(at) },
  i1: { bytes: 1, kind: 'int', make: (n) => new Int8Array(n), get: (v, at) => v.getInt8(at) },
  u2: { bytes: 2, kind: 'int', make: (n) => new Uint16Array(n), get: (v, at, le) => v.getUint16(at, le) },
  i2: { bytes: 2, kind: 'int', make: (n) => new Int16Array(n), get: (v, at, le) => v.getInt16(at, le) },
  u4: { bytes: 4, kind: 'int', make: (n) => new Uint32Array(n), get: (v, at, le) => v.getUint32(at, le) },
  i4: { bytes: 4, kind: 'int', make: (n) => new Int32Array(n), get: (v, at, le) => v.getInt32(at, le) },
  u8: { bytes: 8, kind: 'int', make: (n) => new Float64Array(n), get: (v, at, le) => Number(v.getBigUint64(at, le)) },
  i8: { bytes: 8, kind: 'int', make: (n) => new Float64Array(n), get: (v, at, le) => Number(v.getBigInt64(at, le)) },
  f4: { bytes: 4, kind: 'float', make: (n) => new Float32Array(n), get: (v, at, le) => v.getFloat32(at, le) },
  f8: { bytes: 8, kind: 'float', make: (n) => new Float64Array(n), get: (v, at, le) => v.getFloat64(at, le) },
};

/** The dtypes parseNpy reads, for error messages. */
export const NPY_DTYPES = 'bool, int8/16/32/64, uint8/16/32/64, float32, float64';

/**
 * Parses the bytes of a .npy file. `name` (the file, or `archive.npz:entry.npy`) prefixes every error.
 * @throws DataError for a file that is not a .npy, is truncated, or holds a dtype or layout sqz does not read
 */
export function parseNpy(bytes: Uint8Array, name: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DataError(`${name}: not a .npy file (it does not start with the NumPy magic "\\x93NUMPY")`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  if (major < 1 || major > 3)
    throw new DataError(`${name}: .npy format version ${major}.${bytes[7]} is not supported (1 to 3 are)`);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) {
    throw new DataError(
      `${name}: truncated: the header ends at byte ${dataStart} but the file has ${bytes.length} bytes`,
    );
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataStart));
  const { descr, fortran, shape } = parseHeader(header, name);
  if (fortran) {
    throw new DataError(
      `${name}: the array is stored in Fortran order; save it in C order (numpy.ascontiguousarray) first`,
    );
  }
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr);
  if (descr.includes('O')) {
    throw new DataError(
      `${name}: dtype '${descr}' is an object array (Python pickles); sqz never unpickles: save a numeric array`,
    );
  }
  const type = m ? DTYPES[`${m[2]}${m[3]}`] : undefined;
  if (!m || !type) throw new DataError(`${name}: dtype '${descr}' is not supported (sqz reads ${NPY_DTYPES})`);
  const littleEndian = m[1] !== '>';
  const count = shape.reduce((a, b) => a * b, 1);
  const needed = count * type.bytes;
  if (bytes.length - dataStart < needed) {
    throw new DataError(
      `${name}: truncated: shape (${shape.join(', ')}) of ${descr} needs ${needed} data bytes, the file has ${bytes.length - dataStart}`,
    );
  }
  const data = type.make(count);
  for (let i = 0; i < count; i++) data[i] = type.get(view, dataStart + i * type.bytes, littleEndian);
  if (m[2] === 'b') for (let i = 0; i < count; i++) if (data[i]! > 1) data[i] = 1;
  return { shape, descr, kind: type.kind, data };
}

/** The three keys of a .npy header dict. */
function parseHeader(header: string, name: string): { descr: string; fortran: boolean; shape: number[] } {
  const bad = (what: string) => new DataError(`${name}: malformed .npy header (${what}): ${header.trim()}`);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header);
  if (!descr) {
    if (/'descr'\s*:\s*\[/.test(header)) {
      throw new DataError(
        `${name}: structured dtypes (records with named fields) are not supported; save one numeric array per file`,
      );
    }
    throw bad("no 'descr'");
  }
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  if (!fortran) throw bad("no 'fortran_order'");
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!shape) throw bad("no 'shape'");
  const dims = shape[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^\d+L?$/.test(s) ? Number.parseInt(s, 10) : NaN));
  if (dims.some((d) => !Number.isSafeInteger(d))) throw bad('shape');
  return { descr: descr[1]!, fortran: fortran[1] === 'True', shape: dims };
}
