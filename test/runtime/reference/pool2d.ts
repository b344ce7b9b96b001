// Reference max / average pooling, NHWC. Only cells inside the input take part: with 'same' padding the average
// divides by the number of those cells, and padding never wins a max (TensorFlow's semantics).

import type { ImageShape } from './conv2d.js';
import { type Padding, windowAxis } from './geometry.js';

export function pool2dReference(
  kind: 'max' | 'avg',
  x: Float32Array,
  batch: number,
  shape: ImageShape,
  window: [number, number],
  strides: [number, number],
  padding: Padding,
): { y: Float32Array; shape: ImageShape } {
  const rows = windowAxis(shape.h, window[0], strides[0], padding);
  const cols = windowAxis(shape.w, window[1], strides[1], padding);
  const y = new Float32Array(batch * rows.out * cols.out * shape.c);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < rows.out; oy++) {
      for (let ox = 0; ox < cols.out; ox++) {
        for (let c = 0; c < shape.c; c++) {
          let result = kind === 'max' ? -Infinity : 0;
          let cells = 0;
          for (let i = 0; i < window[0]; i++) {
            const iy = oy * strides[0] + i - rows.before;
            if (iy < 0 || iy >= shape.h) continue;
            for (let j = 0; j < window[1]; j++) {
              const ix = ox * strides[1] + j - cols.before;
              if (ix < 0 || ix >= shape.w) continue;
              const v = x[((b * shape.h + iy) * shape.w + ix) * shape.c + c];
              result = kind === 'max' ? Math.max(result, v) : result + v;
              cells++;
            }
          }
          y[((b * rows.out + oy) * cols.out + ox) * shape.c + c] = kind === 'max' ? result : result / cells;
        }
      }
    }
  }
  return { y, shape: { h: rows.out, w: cols.out, c: shape.c } };
}

/** Global pooling: [H, W, C] → [C], over all pixels. */
export function globalPool2dReference(
  kind: 'max' | 'avg',
  x: Float32Array,
  batch: number,
  shape: ImageShape,
): Float32Array {
  const y = new Float32Array(batch * shape.c);
  const pixels = shape.h * shape.w;
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < shape.c; c++) {
      let result = kind === 'max' ? -Infinity : 0;
      for (let p = 0; p < pixels; p++) {
        const v = x[(b * pixels + p) * shape.c + c];
        result = kind === 'max' ? Math.max(result, v) : result + v;
      }
      y[b * shape.c + c] = kind === 'max' ? result : result / pixels;
    }
  }
  return y;
}
