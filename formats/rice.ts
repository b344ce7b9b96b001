// Golomb-Rice coding of sparse positions (formats/README.md, "Rice(k)").
// Positions are strictly increasing; gap = pos − prev − 1 with prev = −1 before the first.
// Each gap is q = gap >> k zero bits, a one bit, then the low k bits of gap, LSB first.
import { ERR_MALFORMED } from './constants.js';
import { SqzFormatError } from './errors.js';
import { BitReader, BitWriter } from './bits.js';

/** Largest Rice parameter the format allows. */
export const RICE_K_MAX = 24;

function checkK(k: number): void {
  if (!(Number.isInteger(k) && k >= 0 && k <= RICE_K_MAX))
    throw new RangeError(`Rice k must be an integer 0..${RICE_K_MAX}, got ${k}`);
}

/** Gaps of strictly increasing positions; throws RangeError if they are not strictly increasing. */
function gapsOf(positions: Uint32Array): Uint32Array {
  const gaps = new Uint32Array(positions.length);
  let prev = -1;
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i];
    if (p <= prev)
      throw new RangeError(`Rice positions must be strictly increasing: positions[${i}] = ${p} after ${prev}`);
    gaps[i] = p - prev - 1;
    prev = p;
  }
  return gaps;
}

/** Exact length in bits of the Rice(k) stream of `positions` (sorted, strictly increasing). */
export function riceBitLength(positions: Uint32Array, k: number): number {
  checkK(k);
  return riceBitLengthOfGaps(gapsOf(positions), k);
}

function riceBitLengthOfGaps(gaps: Uint32Array, k: number): number {
  let bits = gaps.length * (k + 1);
  for (let i = 0; i < gaps.length; i++) bits += gaps[i] >>> k;
  return bits;
}

/** Bit lengths of the Rice(k) stream of `positions` for every k in 0..24 (index = k). */
export function riceBitLengths(positions: Uint32Array): number[] {
  const gaps = gapsOf(positions);
  const lengths: number[] = [];
  for (let k = 0; k <= RICE_K_MAX; k++) lengths.push(riceBitLengthOfGaps(gaps, k));
  return lengths;
}

/** The k in 0..24 that gives the shortest stream (the smallest such k on ties), by trying every k. */
export function riceKForShortestStream(positions: Uint32Array): number {
  const lengths = riceBitLengths(positions);
  return lengths.indexOf(Math.min(...lengths));
}

/**
 * Rice(k)-codes strictly increasing positions.
 * @returns ceil(riceBitLength / 8) bytes, unused high bits of the last byte 0
 */
export function riceEncode(positions: Uint32Array, k: number): Uint8Array {
  checkK(k);
  const gaps = gapsOf(positions);
  const writer = new BitWriter(riceBitLengthOfGaps(gaps, k));
  for (let i = 0; i < gaps.length; i++) {
    const gap = gaps[i];
    writer.writeZeros(gap >>> k);
    writer.writeOne();
    writer.write(gap, k);
  }
  return writer.finish();
}

/**
 * Decodes `nnz` positions of a Rice(k) stream and checks that each is < n, that the stream
 * holds exactly ceil(bits used / 8) bytes and that its unused tail bits are 0.
 * @throws SqzFormatError(ERR_MALFORMED) naming the problem
 */
export function riceDecode(bytes: Uint8Array, nnz: number, k: number, n: number): Uint32Array {
  if (!(Number.isInteger(k) && k >= 0 && k <= RICE_K_MAX)) {
    throw new SqzFormatError(ERR_MALFORMED, `Rice k is ${k}, must be 0..${RICE_K_MAX}`);
  }
  if (nnz > n) throw new SqzFormatError(ERR_MALFORMED, `nnz ${nnz} exceeds the ${n} elements of the tensor`);
  // Every position costs at least k + 1 bits: reject impossible counts before allocating.
  if (nnz * (k + 1) > bytes.length * 8) {
    throw new SqzFormatError(
      ERR_MALFORMED,
      `Rice stream of ${bytes.length} bytes cannot hold ${nnz} positions with k = ${k} (at least ${nnz * (k + 1)} bits)`,
    );
  }
  const positions = new Uint32Array(nnz);
  const reader = new BitReader(bytes);
  let prev = -1;
  for (let i = 0; i < nnz; i++) {
    const q = reader.readUnary();
    if (q < 0)
      throw new SqzFormatError(
        ERR_MALFORMED,
        `Rice stream ends inside position ${i} of ${nnz} (no terminating one bit)`,
      );
    if (reader.remaining < k)
      throw new SqzFormatError(
        ERR_MALFORMED,
        `Rice stream ends inside position ${i} of ${nnz} (${k} low bits missing)`,
      );
    const gap = q * 2 ** k + reader.read(k);
    const pos = prev + 1 + gap;
    if (pos >= n) throw new SqzFormatError(ERR_MALFORMED, `Rice position ${i} of ${nnz} is ${pos}, not < n = ${n}`);
    positions[i] = pos;
    prev = pos;
  }
  const usedBytes = (reader.pos + 7) >>> 3;
  if (usedBytes !== bytes.length) {
    throw new SqzFormatError(
      ERR_MALFORMED,
      `Rice stream of ${nnz} positions takes ${usedBytes} bytes, field has ${bytes.length}`,
    );
  }
  if (!reader.restIsZero())
    throw new SqzFormatError(ERR_MALFORMED, 'Rice stream has nonzero padding bits after the last position');
  return positions;
}
