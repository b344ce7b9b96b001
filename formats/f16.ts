// IEEE 754 binary16 ↔ binary32 conversion on bit patterns. f32 → f16 rounds to nearest, ties to even,
// with gradual underflow to subnormals, overflow to ±inf, and NaN kept NaN (quiet bit set, top payload bits kept).

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** f32 bit pattern → f16 bit pattern (round to nearest even). */
export function f32BitsToF16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Result is subnormal (or zero): value in units of 2^-24 is M · 2^(exp − 126), M = 1.mant as an integer.
    if (exp === 0) return sign; // f32 subnormals are far below half the smallest f16 subnormal
    const shift = 126 - exp; // ≥ 14
    if (shift > 24) return sign; // M < 2^24 ≤ half a unit
    const m = mant | 0x800000;
    let h = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1) !== 0)) h++; // may carry into the smallest normal, which is right
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) !== 0)) h++; // a carry may reach 0x7c00 = inf, which is right
  return sign | h;
}

/** f16 bit pattern → f32 bit pattern (exact). */
export function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // Subnormal f16 → normal f32: shift the mantissa up until its leading one reaches bit 10.
  const lead = 31 - Math.clz32(mant); // 0..9
  const e32 = 103 + lead; // value = mant · 2^-24 = 1.x · 2^(lead − 24)
  return (sign | (e32 << 23) | ((mant << (23 - lead)) & 0x7fffff)) >>> 0;
}

/** Number (rounded to f32 first) → f16 bit pattern. */
export function f32ToF16(x: number): number {
  scratchF32[0] = x;
  return f32BitsToF16Bits(scratchU32[0]);
}

/** f16 bit pattern → number. */
export function f16ToF32(h: number): number {
  scratchU32[0] = f16BitsToF32Bits(h);
  return scratchF32[0];
}

/** True if `x` is exactly an f16 value (−0 included; NaN never counts as exact). */
export function isF16Exact(x: number): boolean {
  return !Number.isNaN(x) && Object.is(f16ToF32(f32ToF16(x)), x);
}

/** True if every value of `values` is exactly an f16 value; stops at the first that is not. */
export function allF16Exact(values: Float32Array): boolean {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return false; // NaN
    if (f16BitsToF32Bits(f32BitsToF16Bits(b)) !== b) return false;
  }
  return true;
}

/** Encodes f32 values as little-endian f16 (rounding each to nearest even). */
export function encodeF16(values: Float32Array): Uint8Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint8Array(values.length * 2);
  for (let i = 0; i < bits.length; i++) {
    const h = f32BitsToF16Bits(bits[i]);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
  return out;
}

/** Decodes `count` little-endian f16 values from `bytes` (at least 2 · count bytes). */
export function decodeF16(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < count; i++) outBits[i] = f16BitsToF32Bits(bytes[2 * i] | (bytes[2 * i + 1] << 8));
  return out;
}
