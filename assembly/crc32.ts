// CRC-32 as zlib and PNG compute it: IEEE polynomial, reflected, init and final xor 0xFFFFFFFF.
// The 1 KB table is built in static memory on first use (a zero region, not a data segment in the .wasm).

const table: usize = memory.data(1024, 16);
let tableReady = false;

function buildTable(): void {
  for (let i: u32 = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
    store<u32>(table + (<usize>i << 2), c);
  }
  tableReady = true;
}

/** CRC-32 of `length` bytes at `ptr`. */
export function crc32(ptr: usize, length: usize): u32 {
  if (!tableReady) buildTable();
  let crc: u32 = 0xFFFF_FFFF;
  let end = ptr + length;
  while (ptr < end) {
    crc = load<u32>(table + ((<usize>((crc ^ load<u8>(ptr)) & 0xFF)) << 2)) ^ (crc >>> 8);
    ptr++;
  }
  return crc ^ 0xFFFF_FFFF;
}
