// CB_Q8 codebooks: entries on a power-of-two grid, 3 + k bytes where f16 entries take 2k.
// Layout: byte 0 is an int8 exponent e (CB_Q8_EXP_MIN..CB_Q8_EXP_MAX), bytes 1..2 an int16 offset j0
// (little-endian), then one u8 u_i per entry: entry i = (j0 + u_i) · 2^e, exact in f32 (|j0 + u_i| < 2^16).
// The encoder picks it when it is exact and smaller. sqz compress keeps f16 codebooks: snapping them to a grid saved
// up to 5% of a 1000× file but cost accuracy at 300× (BENCHMARKS.md, "Codebooks on a grid").
import { CB_Q8_EXP_MAX, CB_Q8_EXP_MIN } from './constants.js';

/** Bytes before the entries: exponent and offset. */
export const Q8_HEADER_BYTES = 3;

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** The exponent of the lowest set bit of f32 `x` (finite, nonzero): x = odd · 2^result. */
function lowBitExponent(x: number): number {
  scratchF32[0] = x;
  const bits = scratchU32[0]!;
  const biased = (bits >>> 23) & 0xff;
  const significand = biased === 0 ? bits & 0x7fffff : (bits & 0x7fffff) | 0x800000;
  const trailing = 31 - Math.clz32(significand & -significand);
  return (biased === 0 ? -149 : biased - 150) + trailing;
}

/**
 * The CB_Q8 bytes holding `entries` exactly, or undefined when no grid does (a span over 255 steps of the
 * coarsest grid that holds them all, an offset beyond int16, an exponent out of range, or a non-finite entry).
 */
export function encodeQ8Codebook(entries: Float32Array): Uint8Array | undefined {
  if (entries.length === 0) return undefined;
  let exponent = Infinity;
  for (const x of entries) {
    if (!Number.isFinite(x)) return undefined;
    if (x !== 0) exponent = Math.min(exponent, lowBitExponent(x));
  }
  if (exponent === Infinity) exponent = 0; // all zeros
  if (exponent < CB_Q8_EXP_MIN || exponent > CB_Q8_EXP_MAX) return undefined;
  const scale = 2 ** exponent;
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of entries) {
    lo = Math.min(lo, x / scale);
    hi = Math.max(hi, x / scale);
  }
  if (hi - lo > 255 || lo < -32768 || lo > 32767) return undefined;
  const out = new Uint8Array(Q8_HEADER_BYTES + entries.length);
  const view = new DataView(out.buffer);
  view.setInt8(0, exponent);
  view.setInt16(1, lo, true);
  for (let i = 0; i < entries.length; i++) out[Q8_HEADER_BYTES + i] = entries[i]! / scale - lo;
  return out;
}

/** Why `codebook` is not a valid CB_Q8 codebook, or undefined when it is. */
export function q8CodebookProblem(codebook: Uint8Array): string | undefined {
  if (codebook.length <= Q8_HEADER_BYTES)
    return `a CB_Q8 codebook of ${codebook.length} bytes has no entries (it needs ${Q8_HEADER_BYTES} header bytes, then one per entry)`;
  const exponent = (codebook[0]! << 24) >> 24;
  if (exponent < CB_Q8_EXP_MIN || exponent > CB_Q8_EXP_MAX)
    return `CB_Q8 exponent ${exponent} is outside ${CB_Q8_EXP_MIN}..${CB_Q8_EXP_MAX}`;
  return undefined;
}

/** Entries of CB_Q8 bytes (valid per q8CodebookProblem) as f32 values. */
export function decodeQ8Codebook(codebook: Uint8Array): Float32Array {
  const view = new DataView(codebook.buffer, codebook.byteOffset, codebook.byteLength);
  const scale = 2 ** view.getInt8(0);
  const offset = view.getInt16(1, true);
  const out = new Float32Array(codebook.length - Q8_HEADER_BYTES);
  for (let i = 0; i < out.length; i++) out[i] = (offset + codebook[Q8_HEADER_BYTES + i]!) * scale;
  return out;
}
