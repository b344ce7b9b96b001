// Reference transposed conv2d, NHWC, weight [KH, KW, C, M]: each input pixel adds its taps to the output pixels
// (ih·SH + kh − pad_top, iw·SW + kw − pad_left) that exist. Output size is Keras' deconv length: 'same' H·SH, 'valid'
// H·SH + max(KH − SH, 0); pads as the conv2d whose input gradient this is.

import type { ImageShape } from './conv2d.js';
import type { Padding } from './geometry.js';

export function transposedAxis(
  input: number,
  kernel: number,
  stride: number,
  padding: Padding,
): { out: number; before: number } {
  const out = padding === 'same' ? input * stride : input * stride + Math.max(kernel - stride, 0);
  const total = Math.max((input - 1) * stride + kernel - out, 0);
  return { out, before: padding === 'same' ? Math.floor(total / 2) : 0 };
}

export function conv2dTransposeReference(
  x: Float32Array,
  batch: number,
  shape: ImageShape,
  w: Float32Array,
  kh: number,
  kw: number,
  m: number,
  strides: [number, number],
  padding: Padding,
  bias?: Float32Array,
): { y: Float32Array; shape: ImageShape } {
  const rows = transposedAxis(shape.h, kh, strides[0], padding);
  const cols = transposedAxis(shape.w, kw, strides[1], padding);
  const y = new Float64Array(batch * rows.out * cols.out * m);
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < rows.out * cols.out; p++)
      for (let o = 0; o < m; o++) y[(b * rows.out * cols.out + p) * m + o] = bias ? bias[o]! : 0;
    for (let iy = 0; iy < shape.h; iy++) {
      for (let ix = 0; ix < shape.w; ix++) {
        for (let i = 0; i < kh; i++) {
          const oy = iy * strides[0] + i - rows.before;
          if (oy < 0 || oy >= rows.out) continue;
          for (let j = 0; j < kw; j++) {
            const ox = ix * strides[1] + j - cols.before;
            if (ox < 0 || ox >= cols.out) continue;
            for (let c = 0; c < shape.c; c++) {
              const v = x[((b * shape.h + iy) * shape.w + ix) * shape.c + c]!;
              for (let o = 0; o < m; o++)
                y[((b * rows.out + oy) * cols.out + ox) * m + o] += v * w[((i * kw + j) * shape.c + c) * m + o]!;
            }
          }
        }
      }
    }
  }
  return { y: Float32Array.from(y), shape: { h: rows.out, w: cols.out, c: m } };
}
