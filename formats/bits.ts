// LSB-first bit streams, as formats/README.md defines them: bit i is bit (i & 7) of byte (i >> 3),
// and a value of w bits is written low bit first. Unused high bits of the last byte are 0.

/** Appends bits to a growing byte buffer, LSB first. */
export class BitWriter {
  private bytes: Uint8Array;
  /** Bits written so far. */
  private bitLength = 0;

  /** @param expectedBits a capacity hint, in bits */
  constructor(expectedBits = 64) {
    this.bytes = new Uint8Array(Math.max(8, (expectedBits + 7) >>> 3));
  }

  /** Number of bits written. */
  get length(): number {
    return this.bitLength;
  }

  /** Writes the low `width` bits of `value` (0 ≤ width ≤ 24), LSB first. */
  write(value: number, width: number): void {
    if (width === 0) return;
    this.reserve(width);
    let pos = this.bitLength;
    let v = value & ((1 << width) - 1);
    let left = width;
    while (left > 0) {
      const byte = pos >>> 3;
      const shift = pos & 7;
      const take = Math.min(8 - shift, left);
      this.bytes[byte] |= (v & ((1 << take) - 1)) << shift;
      v >>>= take;
      left -= take;
      pos += take;
    }
    this.bitLength = pos;
  }

  /** Writes `count` zero bits. */
  writeZeros(count: number): void {
    this.reserve(count);
    this.bitLength += count; // the buffer is zero-filled already
  }

  /** Writes a single one bit. */
  writeOne(): void {
    this.reserve(1);
    const pos = this.bitLength;
    this.bytes[pos >>> 3] |= 1 << (pos & 7);
    this.bitLength = pos + 1;
  }

  /** The written bytes, ceil(length / 8) of them (a copy). */
  finish(): Uint8Array {
    return this.bytes.slice(0, (this.bitLength + 7) >>> 3);
  }

  private reserve(extraBits: number): void {
    const neededBytes = (this.bitLength + extraBits + 7) >>> 3;
    if (neededBytes <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(neededBytes, this.bytes.length * 2));
    grown.set(this.bytes);
    this.bytes = grown;
  }
}

/** Reads bits LSB first from a byte view. Reads do not check the end: callers check `remaining` first. */
export class BitReader {
  readonly bytes: Uint8Array;
  /** Current bit position. */
  pos = 0;
  /** Total bits available (8 × bytes.length). */
  readonly end: number;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.end = bytes.length * 8;
  }

  /** Bits left to read. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Reads one bit; the caller checks `remaining > 0` first. */
  readBit(): number {
    const pos = this.pos++;
    return (this.bytes[pos >>> 3] >>> (pos & 7)) & 1;
  }

  /** Reads `width` bits (0 ≤ width ≤ 24) as an unsigned value; the caller checks `remaining ≥ width` first. */
  read(width: number): number {
    let value = 0;
    let got = 0;
    let pos = this.pos;
    while (got < width) {
      const shift = pos & 7;
      const take = Math.min(8 - shift, width - got);
      value |= ((this.bytes[pos >>> 3] >>> shift) & ((1 << take) - 1)) << got;
      got += take;
      pos += take;
    }
    this.pos = pos;
    return value >>> 0;
  }

  /**
   * Counts zero bits up to and including the next one bit (which is consumed) and returns the zero count,
   * or -1 if the stream ends before a one bit.
   */
  readUnary(): number {
    let zeros = 0;
    let pos = this.pos;
    const end = this.end;
    // Skip whole zero bytes quickly when byte-aligned.
    while (pos < end) {
      if ((pos & 7) === 0 && this.bytes[pos >>> 3] === 0) {
        zeros += 8;
        pos += 8;
        continue;
      }
      if ((this.bytes[pos >>> 3] >>> (pos & 7)) & 1) {
        this.pos = pos + 1;
        return zeros;
      }
      zeros++;
      pos++;
    }
    this.pos = pos;
    return -1;
  }

  /** True when every bit from the current position to the end is 0. */
  restIsZero(): boolean {
    let pos = this.pos;
    if (pos >= this.end) return true;
    if ((pos & 7) !== 0) {
      if (this.bytes[pos >>> 3] >>> (pos & 7) !== 0) return false;
      pos = (pos + 7) & ~7;
    }
    for (let i = pos >>> 3; i < this.bytes.length; i++) if (this.bytes[i] !== 0) return false;
    return true;
  }
}

/** Smallest width b ≥ 1 with 2^b ≥ count (count ≤ 2^16). */
export function bitsForCount(count: number): number {
  let b = 1;
  while (1 << b < count) b++;
  return b;
}

/** Bytes needed for `count` codes of `bits` bits: ceil(count · bits / 8). */
export function packedByteLength(count: number, bits: number): number {
  return Math.ceil((count * bits) / 8);
}

/**
 * Packs `codes` (each < 2^bits, 1 ≤ bits ≤ 16) LSB first: code j is bits [j·bits, j·bits + bits).
 * @returns ceil(count · bits / 8) bytes
 */
export function packCodes(codes: Uint8Array | Uint16Array, bits: number): Uint8Array {
  if (!(bits >= 1 && bits <= 16 && Number.isInteger(bits)))
    throw new RangeError(`packCodes: bits must be 1..16, got ${bits}`);
  const out = new Uint8Array(packedByteLength(codes.length, bits));
  const limit = 1 << bits;
  if (bits === 8) {
    for (let j = 0; j < codes.length; j++) {
      if (codes[j] >= limit) throw new RangeError(`packCodes: code ${j} is ${codes[j]}, does not fit ${bits} bits`);
      out[j] = codes[j];
    }
    return out;
  }
  // Accumulate into a 32-bit window and flush whole bytes; bits ≤ 16 keeps the window below 24 bits.
  let acc = 0;
  let accBits = 0;
  let o = 0;
  for (let j = 0; j < codes.length; j++) {
    const c = codes[j];
    if (c >= limit) throw new RangeError(`packCodes: code ${j} is ${c}, does not fit ${bits} bits`);
    acc |= c << accBits;
    accBits += bits;
    while (accBits >= 8) {
      out[o++] = acc & 0xff;
      acc >>>= 8;
      accBits -= 8;
    }
  }
  if (accBits > 0) out[o] = acc & 0xff;
  return out;
}

/**
 * Unpacks `count` codes of `bits` bits (1 ≤ bits ≤ 16) from `bytes`, which must hold at least
 * ceil(count · bits / 8) bytes (the caller validates lengths and padding).
 */
export function unpackCodes(bytes: Uint8Array, count: number, bits: number): Uint16Array {
  if (!(bits >= 1 && bits <= 16 && Number.isInteger(bits)))
    throw new RangeError(`unpackCodes: bits must be 1..16, got ${bits}`);
  const need = packedByteLength(count, bits);
  if (bytes.length < need)
    throw new RangeError(`unpackCodes: ${count} codes of ${bits} bits need ${need} bytes, got ${bytes.length}`);
  const out = new Uint16Array(count);
  if (bits === 8) {
    out.set(bytes.subarray(0, count));
    return out;
  }
  forEachCode(bytes, count, bits, (j, code) => {
    out[j] = code;
  });
  return out;
}

/**
 * Calls `visit(j, code)` for `count` packed codes of `bits` bits (1 ≤ bits ≤ 16), in order. `bytes` must hold
 * at least ceil(count · bits / 8) bytes: nothing is checked here (callers have validated the lengths).
 */
export function forEachCode(
  bytes: Uint8Array,
  count: number,
  bits: number,
  visit: (j: number, code: number) => void,
): void {
  const mask = (1 << bits) - 1;
  let acc = 0;
  let accBits = 0;
  let i = 0;
  for (let j = 0; j < count; j++) {
    while (accBits < bits) {
      acc |= bytes[i++] << accBits;
      accBits += 8;
    }
    visit(j, acc & mask);
    acc >>>= bits;
    accBits -= bits;
  }
}
