// Datasets from numeric arrays (npy:, npz:, csv: and the JS API's typed arrays), with one set of value rules:
// - x is [N, ...sample]: integer x is divided by 255 (8-bit pixels to [0, 1]); float x is used as it is;
// - y is [N] or [N, ...]: its values become the float targets; when y is one integer in [0, 255] per sample it
//   also gives the class labels (numClasses = largest + 1), and so does a one-hot y (numClasses = its width, as
//   Keras' to_categorical writes it);
// - a NaN or ±Infinity in x or y is an error naming the array and the sample.
import { DataError } from '../errors.js';
import type { Split } from './dataset.js';

/** A numeric array with its shape; `kind` says how x is scaled. */
export interface NumericArray {
  shape: readonly number[];
  kind: 'int' | 'float';
  data: ArrayLike<number>;
}

/** One split built from arrays, with what it says about the whole dataset. */
export interface ArraySplit {
  split: Split;
  /** Per-sample shape of x. */
  shape: number[];
  /** Largest label + 1, or 0 when y is absent or not class indices. */
  numClasses: number;
  /** Values of y per sample, 0 without y. */
  targetWidth: number;
}

/** The largest label a u8 class index holds. */
const MAX_CLASS = 255;

/**
 * x (and y) as a Split. `xName` and `yName` name the arrays in errors (a file, or `file.npz:x_train`).
 * @throws DataError when the arrays disagree in length, x has no sample dimension, or a value is not finite
 */
export function arraySplit(x: NumericArray, y: NumericArray | undefined, xName: string, yName: string): ArraySplit {
  if (x.shape.length < 2) {
    throw new DataError(
      `${xName}: x must have a sample dimension and at least one more, [N, ...], got [${x.shape.join(', ')}]`,
    );
  }
  const n = x.shape[0]!;
  const size = n === 0 ? 0 : x.data.length / n;
  const images = new Float32Array(x.data.length);
  const scale = x.kind === 'int' ? 1 / 255 : 1;
  for (let i = 0; i < images.length; i++) {
    const v = x.data[i]!;
    if (!Number.isFinite(v)) {
      throw new DataError(
        `${xName}: sample ${Math.floor(i / size)} holds ${v} (element ${i % size}); x must be finite`,
      );
    }
    images[i] = v * scale;
  }
  const labels = new Uint8Array(n);
  if (!y) return { split: { images, labels, count: n }, shape: x.shape.slice(1), numClasses: 0, targetWidth: 0 };
  if (y.shape.length < 1 || y.shape[0] !== n) {
    throw new DataError(
      `${yName} holds ${y.shape[0] ?? 0} samples ([${y.shape.join(', ')}]) but ${xName} holds ${n}; x and y must have the same length`,
    );
  }
  const width = n === 0 ? 1 : y.data.length / n;
  const targets = new Float32Array(y.data.length);
  let classes = width === 1;
  let maxLabel = 0;
  for (let i = 0; i < targets.length; i++) {
    const v = y.data[i]!;
    if (!Number.isFinite(v))
      throw new DataError(`${yName}: sample ${Math.floor(i / width)} holds ${v}; y must be finite`);
    targets[i] = v;
    if (classes && Number.isInteger(v) && v >= 0 && v <= MAX_CLASS) {
      labels[i] = v;
      maxLabel = Math.max(maxLabel, v);
    } else classes = false;
  }
  if (!classes) labels.fill(0);
  const oneHot = !classes && width > 1 && width <= MAX_CLASS + 1 && oneHotLabels(targets, width, labels);
  return {
    split: { images, labels, count: n, targets },
    shape: x.shape.slice(1),
    numClasses: classes ? maxLabel + 1 : oneHot ? width : 0,
    targetWidth: width,
  };
}

/** When every row of `targets` is one-hot (one 1, the rest 0), writes each row's class to `labels`; else false. */
function oneHotLabels(targets: Float32Array, width: number, labels: Uint8Array): boolean {
  const n = targets.length / width;
  for (let i = 0; i < n; i++) {
    let hot = -1;
    for (let c = 0; c < width; c++) {
      const v = targets[i * width + c]!;
      if (v === 1 && hot < 0) hot = c;
      else if (v !== 0) return false;
    }
    if (hot < 0) return false;
  }
  for (let i = 0; i < n; i++) labels[i] = targets.subarray(i * width, (i + 1) * width).indexOf(1);
  return true;
}
