// Packed b-bit codes (formats/README.md, "Codes"): code j is bits [j·b, j·b + b) of a tensor's data, LSB first, and
// names codebook entry `code`. The runtime's one packed-code reader, used by the load checks (tensor.ts), the chunk
// walker (walk.ts) and the compressed dense kernels (kernels/dense_sparse.ts, and its Rice rows in rice.ts).

/**
 * The code whose bits start at bit offset `bit` of `data`, with `mask` = 2^b − 1 (b ≤ 8): one unaligned 4-byte load,
 * which may look up to 3 bytes past the field (the file is followed by padding). Offsets stay below 2^31: at most
 * 2^28 codes of 8 bits.
 */
@inline export function codeAt(data: usize, bit: u32, mask: u32): u32 {
  return (load<u32>(data + <usize>(bit >>> 3)) >>> (bit & 7)) & mask;
}

/**
 * The same read at an absolute bit address (byte address · 8 + bit index), so that a loop over one row of codes
 * advances a single counter (the Rice row of kernels/dense_sparse.ts, in rice.ts).
 */
@inline export function codeAtBit(address: u64, mask: u32): u32 {
  return (load<u32>(<usize>(address >> 3)) >>> <u32>(address & 7)) & mask;
}
