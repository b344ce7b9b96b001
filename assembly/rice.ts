// Rice(k) gap decoding (formats/README.md): each gap is q = gap >> k zero bits, a one bit, then the k low bits,
// LSB first. Used by the compressed dense kernel and the chunk walker; validated once at load by tensor.ts, so it
// runs with no checks. Its loads may look up to 3 bytes past the stream (the file is followed by padding).

/** Decoder state between chunks: stream address, bit buffer, bits buffered. */
let riceStream: usize = 0;
let riceBuffer: u64 = 0;
let riceAvail: u64 = 0;

/**
 * Decodes the next `count` Rice(k) gaps into `gaps` (u32). A tight loop with few live values, so the engine keeps
 * the bit buffer in registers; refills take 24 bits so at most 63 are buffered and every shift is < 64.
 */
export function riceGaps(gaps: usize, count: u32, k: u64): void {
  let stream = riceStream, buffer = riceBuffer, avail = riceAvail;
  let lowMask: u64 = (<u64>1 << k) - 1;
  let end = gaps + (<usize>count << 2);
  for (let dst = gaps; dst < end; dst += 4) {
    if (avail < 40) {
      buffer |= <u64>(load<u32>(stream) & 0xFF_FFFF) << avail;
      stream += 3;
      avail += 24;
    }
    let zeros = <u64>ctz(buffer); // 64 when the buffer is empty
    let used = zeros + 1 + k;
    if (used <= avail) {
      store<u32>(dst, <u32>((zeros << k) | ((buffer >> (zeros + 1)) & lowMask)));
      buffer >>= used;
      avail -= used;
      continue;
    }
    // A long unary run: count whole buffers of zeros, then finish the gap with a refilled buffer.
    let quotient: u64 = 0;
    while (buffer == 0) {
      quotient += avail;
      buffer = <u64>(load<u32>(stream) & 0xFF_FFFF);
      stream += 3;
      avail = 24;
    }
    zeros = <u64>ctz(buffer);
    quotient += zeros;
    buffer >>= zeros + 1;
    avail -= zeros + 1;
    if (avail < 40) {
      buffer |= <u64>(load<u32>(stream) & 0xFF_FFFF) << avail;
      stream += 3;
      avail += 24;
    }
    store<u32>(dst, <u32>((quotient << k) | (buffer & lowMask)));
    buffer >>= k;
    avail -= k;
  }
  riceStream = stream;
  riceBuffer = buffer;
  riceAvail = avail;
}

/** Starts decoding the stream at `stream`. */
export function riceBegin(stream: usize): void {
  riceStream = stream;
  riceBuffer = 0;
  riceAvail = 0;
}
