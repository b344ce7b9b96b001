// Training-time augmentation of image batches: each sample is shifted by a random whole number of pixels in
// [−max, max] along height and width, and the pixels it uncovers are filled with the sample's own corner value
// (its background). Shifts keep every pixel's value, so the model sees the same digits or garments at other
// positions; they need an [H, W, C] input and make no sense for other data, which is left as it is.
import type { Split } from './dataset.js';
import type { Rng } from '../util/rng.js';

/** The largest shift samples of `shape` allow: less than half of an image's height and width; 0 for non-images. */
export function maxShiftOf(shape: readonly number[]): number {
  return shape.length === 3 ? Math.max(0, Math.floor((Math.min(shape[0]!, shape[1]!) - 1) / 2)) : 0;
}

/**
 * A copy of `batch` with each sample shifted by (dy, dx), each uniform in [−maxShift, maxShift], drawn from `rng`
 * in sample order (two draws per sample), so a seeded run shifts the same way every time. A shift of 0 returns
 * `batch` itself and draws nothing.
 */
export function shiftBatch(batch: Split, shape: readonly number[], maxShift: number, rng: Rng): Split {
  if (maxShift === 0) return batch;
  if (maxShift > maxShiftOf(shape))
    throw new Error(`shiftBatch: cannot shift samples of shape [${shape.join(', ')}] by ${maxShift} px`);
  const [h, w, c] = shape as [number, number, number];
  const size = h * w * c;
  const images = new Float32Array(batch.images.length);
  for (let s = 0; s < batch.count; s++) {
    const dy = rng.int(2 * maxShift + 1) - maxShift;
    const dx = rng.int(2 * maxShift + 1) - maxShift;
    const src = batch.images.subarray(s * size, (s + 1) * size);
    const dst = images.subarray(s * size, (s + 1) * size);
    for (let y = 0; y < h; y++) {
      const sy = y - dy;
      for (let x = 0; x < w; x++) {
        const sx = x - dx;
        const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
        for (let k = 0; k < c; k++) dst[(y * w + x) * c + k] = inside ? src[(sy * w + sx) * c + k]! : src[k]!;
      }
    }
  }
  return { ...batch, images };
}
