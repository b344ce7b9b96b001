// IEEE binary16 → f32, exact (every half value is representable as a float), keeping the sign of zero,
// infinities and the NaN payload (shifted into the top of the float mantissa).

/** The f32 value of the half-precision bit pattern `half` (low 16 bits). */
export function f16ToF32(half: u32): f32 {
  let sign = (half & 0x8000) << 16;
  let exponent = (half >>> 10) & 0x1F;
  let mantissa = half & 0x3FF;
  if (exponent == 0) {
    // Zero or subnormal: mantissa · 2^-24, exact in f32.
    let magnitude = <f32>mantissa * 5.9604644775390625e-8;
    return reinterpret<f32>(reinterpret<u32>(magnitude) | sign);
  }
  if (exponent == 31) return reinterpret<f32>(sign | 0x7F80_0000 | (mantissa << 13));
  return reinterpret<f32>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}
