// Reference shape ops, NHWC, per sample: zero padding, cropping and nearest up-sampling of an image; concatenation
// along an axis; a permutation of axes. Plain index arithmetic, one output element at a time.

import type { ImageShape } from './conv2d.js';

/** Zeros around each image: params [top, bottom, left, right]. */
export function zeroPad2dReference(x: Float32Array, batch: number, s: ImageShape, pads: number[]): Float32Array {
  const [top, bottom, left, right] = pads as [number, number, number, number];
  const oh = s.h + top + bottom,
    ow = s.w + left + right;
  const y = new Float32Array(batch * oh * ow * s.c);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < s.h; h++) {
      for (let w = 0; w < s.w; w++) {
        for (let c = 0; c < s.c; c++) {
          y[((b * oh + h + top) * ow + w + left) * s.c + c] = x[((b * s.h + h) * s.w + w) * s.c + c]!;
        }
      }
    }
  }
  return y;
}

/** The window left after cutting params [top, bottom, left, right] off each image. */
export function crop2dReference(x: Float32Array, batch: number, s: ImageShape, crops: number[]): Float32Array {
  const [top, bottom, left, right] = crops as [number, number, number, number];
  const oh = s.h - top - bottom,
    ow = s.w - left - right;
  const y = new Float32Array(batch * oh * ow * s.c);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < oh; h++) {
      for (let w = 0; w < ow; w++) {
        for (let c = 0; c < s.c; c++) {
          y[((b * oh + h) * ow + w) * s.c + c] = x[((b * s.h + h + top) * s.w + w + left) * s.c + c]!;
        }
      }
    }
  }
  return y;
}

/** Nearest up-sampling by [SH, SW]: out[h, w] = x[⌊h / SH⌋, ⌊w / SW⌋]. */
export function upSampling2dReference(x: Float32Array, batch: number, s: ImageShape, size: number[]): Float32Array {
  const [sh, sw] = size as [number, number];
  const oh = s.h * sh,
    ow = s.w * sw;
  const y = new Float32Array(batch * oh * ow * s.c);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < oh; h++) {
      for (let w = 0; w < ow; w++) {
        for (let c = 0; c < s.c; c++) {
          y[((b * oh + h) * ow + w) * s.c + c] =
            x[((b * s.h + Math.floor(h / sh)) * s.w + Math.floor(w / sw)) * s.c + c]!;
        }
      }
    }
  }
  return y;
}

/** Inputs (batch × per-sample each) joined along per-sample `axis`; `shapes` are their per-sample shapes. */
export function concatReference(inputs: Float32Array[], shapes: number[][], axis: number, batch: number): Float32Array {
  const outer = shapes[0]!.slice(0, axis).reduce((a, b) => a * b, 1);
  const blocks = shapes.map((s) => s.slice(axis).reduce((a, b) => a * b, 1));
  const y: number[] = [];
  for (let o = 0; o < batch * outer; o++) {
    inputs.forEach((x, k) => {
      for (let j = 0; j < blocks[k]!; j++) y.push(x[o * blocks[k]! + j]!);
    });
  }
  return Float32Array.from(y);
}

/** Per-sample axes permuted: output axis i is input axis perm[i]. */
export function transposeReference(x: Float32Array, batch: number, shape: number[], perm: number[]): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const y = new Float32Array(batch * size);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < size; o++) {
      let rest = o,
        from = 0;
      for (let i = outShape.length - 1; i >= 0; i--) {
        const coordinate = rest % outShape[i]!;
        rest = Math.floor(rest / outShape[i]!);
        from += coordinate * inStrides[perm[i]!]!;
      }
      y[b * size + o] = x[b * size + from]!;
    }
  }
  return y;
}
