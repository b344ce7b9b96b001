// Classifying a split with the wasm runtime, as an application would: one place for the batching and the argmax,
// shared by `sqz eval`, `sqz demo` and compress's final check of the written file.
import type { Split } from '../data/dataset.js';
import type { SqzModel } from '../../runtime/index.js';

/** Predicted class (argmax of the first output, first index on ties) per sample of `split`, in batches of `batch`. */
export function runtimeClasses(model: SqzModel, split: Split, batch = 32): Uint8Array {
  const size = split.count === 0 ? 0 : split.images.length / split.count;
  const outputs = model.info.outputs[0]!.shape.reduce((a, b) => a * b, 1);
  const classes = new Uint8Array(split.count);
  for (let start = 0; start < split.count; start += batch) {
    const n = Math.min(batch, split.count - start);
    const scores = model.predict(split.images.subarray(start * size, (start + n) * size), n);
    for (let i = 0; i < n; i++) {
      let arg = 0;
      for (let c = 1; c < outputs; c++) if (scores[i * outputs + c]! > scores[i * outputs + arg]!) arg = c;
      classes[start + i] = arg;
    }
  }
  return classes;
}

/** Fraction of `predicted` equal to `labels` (NaN for none). */
export function fractionEqual(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  let same = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) same++;
  return labels.length === 0 ? NaN : same / labels.length;
}
