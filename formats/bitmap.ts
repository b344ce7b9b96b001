// Sparse positions as an n-bit bitmap (formats/README.md, "Bitmap"): bit p set ⇔ position p holds a
// stored value; ceil(n / 8) bytes, LSB first; bits at positions ≥ n are 0.
import { ERR_MALFORMED } from './constants.js';
import { SqzFormatError } from './errors.js';

/** Bytes of an n-bit bitmap. */
export function bitmapByteLength(n: number): number {
  return Math.ceil(n / 8);
}

/**
 * Sets bit p for each p in `positions` (strictly increasing, each < n).
 * @returns ceil(n / 8) bytes
 */
export function bitmapEncode(positions: Uint32Array, n: number): Uint8Array {
  const out = new Uint8Array(bitmapByteLength(n));
  let prev = -1;
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i];
    if (p <= prev || p >= n)
      throw new RangeError(`bitmapEncode: positions[${i}] = ${p} is not increasing or not < n = ${n}`);
    out[p >>> 3] |= 1 << (p & 7);
    prev = p;
  }
  return out;
}

const POPCOUNT8 = /* @__PURE__ */ (() => {
  const table = new Uint8Array(256);
  for (let i = 1; i < 256; i++) table[i] = (i & 1) + table[i >>> 1];
  return table;
})();

/**
 * Checks an n-bit bitmap (length ceil(n / 8), popcount = nnz, bits ≥ n clear) and returns its set
 * positions in increasing order.
 * @throws SqzFormatError(ERR_MALFORMED) naming the problem
 */
export function bitmapDecode(bytes: Uint8Array, nnz: number, n: number): Uint32Array {
  const want = bitmapByteLength(n);
  if (bytes.length !== want) {
    throw new SqzFormatError(ERR_MALFORMED, `bitmap of ${n} positions needs ${want} bytes, got ${bytes.length}`);
  }
  if (n % 8 !== 0 && want > 0 && bytes[want - 1] >>> (n % 8) !== 0) {
    throw new SqzFormatError(ERR_MALFORMED, `bitmap has bits set at positions ≥ n = ${n}`);
  }
  let count = 0;
  for (let i = 0; i < bytes.length; i++) count += POPCOUNT8[bytes[i]];
  if (count !== nnz) throw new SqzFormatError(ERR_MALFORMED, `bitmap has ${count} bits set, nnz says ${nnz}`);
  const positions = new Uint32Array(count);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    let byte = bytes[i];
    while (byte !== 0) {
      const low = byte & -byte;
      positions[o++] = i * 8 + (31 - Math.clz32(low));
      byte ^= low;
    }
  }
  return positions;
}
