// The compressed path of conv2d, as a sparse weight times im2col tiles. With K = KH·KW·C rows of the weight
// [K, M] and G = batch·OH·OW output pixels:
//   1. the input goes to planar [C][batch·H·W] and the output starts as planar [M][G] holding the bias;
//   2. the output pixels are cut into tiles of whole output rows; for each tile, colT[k][t] (im2col, transposed)
//      holds the input value each pixel t of the tile sees through window tap k = (kh, kw, c), 0 outside the input;
//   3. the compressed weight is walked once per tile, and each nonzero (k, m) adds w · colT[k] to the output plane
//      of channel m over the whole tile: one contiguous run, 4 pixels per step in the SIMD build;
//   4. the planar output goes back to [G][M], which is [batch, OH, OW, M].
// The scratch (planar input, planar output, colT) is planned in the arena. colT holds at most ~16K floats per
// sample (64 KB) and at least one output row; the tile grows with the batch, so the walks per run do not.

import { Op, Tensor } from '../model';
import { scratchPointer } from '../planner';
import { chunkPosition, chunkRow, chunkValue, walkChunk, walkMatrix } from '../walk';
import { addScaledRun, endValid, fillPlanes, firstValid, transpose } from './conv_planar';

const TILE_FLOATS_PER_SAMPLE: i32 = 16384;

/** Sets op.tilePixels and returns the arena scratch per sample: planar input + planar output + colT. */
export function conv2dSparseScratchFloats(op: Op): u32 {
  let depth = op.windowH * op.windowW * op.inC;
  let rows = min(op.outH, max(1, TILE_FLOATS_PER_SAMPLE / max(1, depth * op.outW)));
  op.tilePixels = rows * op.outW;
  return <u32>(op.inH * op.inW * op.inC) + <u32>(op.outH * op.outW * op.outC) + <u32>(depth * op.tilePixels);
}

/** Fills colT [K][tile] for the output rows [firstRow, firstRow + rows) of the batch (row = b·OH + oh). */
function buildColumns(op: Op, planarIn: usize, colT: usize, firstRow: i32, rows: i32, batch: u32): void {
  let inH = op.inH, inW = op.inW, outH = op.outH, outW = op.outW;
  let strideH = op.strideH, strideW = <i32>op.strideW;
  let planeBytes = (<usize>(inH * inW) * batch) << 2; // one input channel, whole batch
  let outRowBytes = <usize>outW << 2, inRowBytes = <usize>inW << 2;
  let firstB = firstRow / outH, firstOh = firstRow - firstB * outH;
  let dst = colT;
  for (let ky = 0; ky < op.windowH; ky++) {
    for (let kx = 0; kx < op.windowW; kx++) {
      // Output columns whose tap (ky, kx) lands inside the input: iw = ow·SW + kx − padLeft in [0, W).
      let ow0 = firstValid(kx, op.padLeft, strideW), ow1 = endValid(kx, op.padLeft, strideW, inW, outW);
      let count = max(ow1 - ow0, 0);
      let leftBytes = <usize>ow0 << 2, rightBytes = <usize>(outW - ow0 - count) << 2;
      let firstColumn = <usize>(ow0 * strideW + kx - op.padLeft) << 2;
      for (let c = 0; c < op.inC; c++) {
        let plane = planarIn + <usize>c * planeBytes + firstColumn;
        let b = firstB, oh = firstOh;
        for (let r = 0; r < rows; r++) {
          let ih = oh * <i32>strideH + ky - op.padTop;
          if (<u32>ih >= <u32>inH || count == 0) {
            memory.fill(dst, 0, outRowBytes);
          } else {
            if (leftBytes != 0) memory.fill(dst, 0, leftBytes);
            let src = plane + <usize>(b * inH + ih) * inRowBytes;
            let o = dst + leftBytes;
            let j = 0;
            if (strideW == 1) {
              if (ASC_FEATURE_SIMD) {
                for (; j + 4 <= count; j += 4) v128.store(o + (<usize>j << 2), v128.load(src + (<usize>j << 2)));
              }
              for (; j < count; j++) store<f32>(o + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
            } else {
              for (; j < count; j++) store<f32>(o + (<usize>j << 2), load<f32>(src + (<usize>(j * strideW) << 2)));
            }
            if (rightBytes != 0) memory.fill(o + (<usize>count << 2), 0, rightBytes);
          }
          dst += outRowBytes;
          if (++oh == outH) {
            oh = 0;
            b++;
          }
        }
      }
    }
  }
}

/** Runs conv2d from the compressed weight [KH, KW, C, M] into `out` (bias included). */
export function evalConv2dSparse(op: Op, x: usize, out: usize, batch: u32): void {
  let inPixels = op.inH * op.inW, outPixels = op.outH * op.outW, outC = op.outC;
  let pixels = outPixels * <i32>batch; // G
  let planarIn = scratchPointer(op.scratchOffset);
  let planarOut = planarIn + (<usize>(inPixels * op.inC) * batch << 2);
  let colT = planarOut + (<usize>(outPixels * outC) * batch << 2);
  transpose(x, planarIn, inPixels * <i32>batch, op.inC, 1);
  fillPlanes(planarOut, op.denseBias, pixels, outC, 1);
  let rowsTotal = op.outH * <i32>batch;
  let rowsPerTile = op.tilePixels * <i32>batch / op.outW;
  for (let firstRow = 0; firstRow < rowsTotal; firstRow += rowsPerTile) {
    let rows = min(rowsPerTile, rowsTotal - firstRow);
    let tile = rows * op.outW;
    let tileBytes = <usize>tile << 2;
    buildColumns(op, planarIn, colT, firstRow, rows, batch);
    let outTile = planarOut + (<usize>(firstRow * op.outW) << 2);
    let planeBytes = <usize>pixels << 2;
    // The weight as a [K, M] matrix: each nonzero (k, m) adds w · colT[k] to output plane m over the tile.
    walkMatrix(changetype<Tensor>(op.weightRecord), <u32>outC);
    for (let count = walkChunk(); count != 0; count = walkChunk()) {
      for (let j: u32 = 0; j < count; j++) {
        addScaledRun(outTile + <usize>chunkPosition(j) * planeBytes, 1, colT + <usize>chunkRow(j) * tileBytes, 1, chunkValue(j), tile);
      }
    }
  }
  transpose(planarOut, out, outC, pixels, 1);
}
