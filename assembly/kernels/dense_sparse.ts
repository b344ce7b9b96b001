// The compressed path of OP_DENSE for the sparse forms, decoding positions in the kernel itself:
// out[b, o] += x[b, i] · w for each stored nonzero (i, o) of the flat [N, M] weight.
//   Rice: 256 gaps at a time from rice.ts into the chunk buffer, then (row, column) advance from the previous
//         nonzero, with a division only when a gap skips more than one row; two nonzeros per step at batch 1.
//   Bitmap: row by row, 56 bitmap bits at a time, nonzeros found with ctz; at batch 1 a row whose input is 0 is
//         skipped whole (popcount advances the code cursor), which after a ReLU is often half the rows.
// Codes: code j is bits [j·b, j·b + b) of the data, read with one unaligned 4-byte load.

import { Tensor } from '../model';
import { riceBegin, riceGaps } from '../rice';
import { WALK_CHUNK, chunkPositions } from '../walk';

@inline function codeAt(data: usize, bit: u32, mask: u32): u32 {
  return (load<u32>(data + <usize>(bit >>> 3)) >>> (bit & 7)) & mask;
}

/** out[b, col] += x[b, row] · w for every sample. */
@inline function addToColumn(out: usize, x: usize, row: u32, col: u32, w: f32, batch: u32, n: u32, m: u32): void {
  let o = out + (<usize>col << 2);
  let xi = x + (<usize>row << 2);
  if (batch == 1) {
    store<f32>(o, load<f32>(o) + load<f32>(xi) * w);
    return;
  }
  for (let b: u32 = 0; b < batch; b++) {
    store<f32>(o, load<f32>(o) + load<f32>(xi) * w);
    o += <usize>m << 2;
    xi += <usize>n << 2;
  }
}

export function denseFromRice(t: Tensor, x: usize, out: usize, batch: u32, n: u32, m: u32): void {
  riceBegin(t.positions);
  let k = <u64>t.riceK;
  let data = t.data, table = t.table, bits = t.bits, mask: u32 = (1 << bits) - 1;
  let gaps = chunkPositions;
  let codeBit: u32 = 0;
  let row: u32 = 0, col: u32 = 0; // col: column of the next candidate position in row `row`
  for (let left = t.nnz; left > 0;) {
    let count = min(left, WALK_CHUNK);
    left -= count;
    riceGaps(gaps, count, k);
    let j: u32 = 0;
    if (batch == 1) {
      // Two nonzeros per iteration: half the loop overhead (each back edge also carries the engine's stack check).
      for (; j + 2 <= count; j += 2) {
        col += load<u32>(gaps + (<usize>j << 2));
        if (col >= m) {
          let rows = col < m << 1 ? 1 : col / m;
          row += rows;
          col -= rows * m;
        }
        let o = out + (<usize>col << 2);
        store<f32>(o, load<f32>(o) + load<f32>(x + (<usize>row << 2)) *
          load<f32>(table + (<usize>codeAt(data, codeBit, mask) << 2)));
        col += load<u32>(gaps + (<usize>j << 2), 4) + 1;
        if (col >= m) {
          let rows = col < m << 1 ? 1 : col / m;
          row += rows;
          col -= rows * m;
        }
        o = out + (<usize>col << 2);
        store<f32>(o, load<f32>(o) + load<f32>(x + (<usize>row << 2)) *
          load<f32>(table + (<usize>codeAt(data, codeBit + bits, mask) << 2)));
        codeBit += bits << 1;
        col++;
      }
    }
    for (; j < count; j++) {
      col += load<u32>(gaps + (<usize>j << 2));
      if (col >= m) {
        let rows = col < m << 1 ? 1 : col / m;
        row += rows;
        col -= rows * m;
      }
      let w = load<f32>(table + (<usize>codeAt(data, codeBit, mask) << 2));
      codeBit += bits;
      addToColumn(out, x, row, col, w, batch, n, m);
      col++;
    }
  }
}

export function denseFromBitmap(t: Tensor, x: usize, out: usize, batch: u32, n: u32, m: u32): void {
  let bitmap = t.positions;
  let data = t.data, table = t.table, bits = t.bits, mask: u32 = (1 << bits) - 1;
  let codeBit: u32 = 0;
  let bitPos: u32 = 0;
  for (let row: u32 = 0; row < n; row++) {
    if (batch == 1 && load<f32>(x + (<usize>row << 2)) == 0) {
      let ones: u32 = 0;
      for (let done: u32 = 0; done < m; done += 56) {
        let take = min(m - done, 56);
        let at = bitPos + done;
        ones += <u32>popcnt((load<u64>(bitmap + <usize>(at >>> 3)) >> (at & 7)) & ((<u64>1 << take) - 1));
      }
      codeBit += ones * bits;
      bitPos += m;
      continue;
    }
    for (let done: u32 = 0; done < m; done += 56) {
      let take = min(m - done, 56);
      let at = bitPos + done;
      let word = (load<u64>(bitmap + <usize>(at >>> 3)) >> (at & 7)) & ((<u64>1 << take) - 1);
      while (word != 0) {
        let col = done + <u32>ctz(word);
        word &= word - 1;
        let w = load<f32>(table + (<usize>codeAt(data, codeBit, mask) << 2));
        codeBit += bits;
        addToColumn(out, x, row, col, w, batch, n, m);
      }
    }
    bitPos += m;
  }
}
