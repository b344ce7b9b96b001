// Test helpers: naive, bit-at-a-time versions of the README's bit layouts. They share no
// code with formats/, so a test that compares against them checks the encoder against the written spec.

/** Bits of `bytes`, LSB first: bit i is bit (i & 7) of byte (i >> 3). */
export function bitsOf(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length * 8; i++) out.push((bytes[i >> 3] >> (i & 7)) & 1);
  return out;
}

/** Bytes of a bit list, LSB first, padded with 0 bits. */
export function bytesOf(bits: number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    if (b) out[i >> 3] |= 1 << (i & 7);
  });
  return out;
}

/** Code j = bits [j·b, j·b + b), LSB first. */
export function naivePack(codes: ArrayLike<number>, b: number): Uint8Array {
  const bits: number[] = [];
  for (let j = 0; j < codes.length; j++) for (let i = 0; i < b; i++) bits.push((codes[j] >> i) & 1);
  return bytesOf(bits);
}

export function naiveUnpack(bytes: Uint8Array, count: number, b: number): number[] {
  const bits = bitsOf(bytes);
  const out: number[] = [];
  for (let j = 0; j < count; j++) {
    let v = 0;
    for (let i = 0; i < b; i++) v |= bits[j * b + i] << i;
    out.push(v);
  }
  return out;
}

/** Rice(k) per README: q = gap >> k zeros, a one, the low k bits of gap LSB first. */
export function naiveRiceEncode(positions: ArrayLike<number>, k: number): Uint8Array {
  const bits: number[] = [];
  let prev = -1;
  for (let i = 0; i < positions.length; i++) {
    const gap = positions[i] - prev - 1;
    for (let q = Math.floor(gap / 2 ** k); q > 0; q--) bits.push(0);
    bits.push(1);
    for (let j = 0; j < k; j++) bits.push(Math.floor(gap / 2 ** j) % 2);
    prev = positions[i];
  }
  return bytesOf(bits);
}

export function naiveRiceDecode(bytes: Uint8Array, nnz: number, k: number): number[] {
  const bits = bitsOf(bytes);
  const out: number[] = [];
  let p = 0;
  let prev = -1;
  for (let i = 0; i < nnz; i++) {
    let q = 0;
    while (bits[p++] === 0) q++;
    let low = 0;
    for (let j = 0; j < k; j++) low += bits[p++] * 2 ** j;
    prev = prev + 1 + q * 2 ** k + low;
    out.push(prev);
  }
  return out;
}

/** Bit patterns of a Float32Array, for bit-identical comparisons. */
export function u32(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** `values` with −0 replaced by +0 (the encoder's documented zero rule). */
export function canonicalZeros(values: Float32Array): Float32Array {
  return values.map((v) => (v === 0 ? 0 : v));
}

/** Sorted-by-position random subset of [0, n) with about density·n members. */
export function randomPositions(n: number, density: number, random: () => number): Uint32Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (random() < density) out.push(i);
  return Uint32Array.from(out);
}
