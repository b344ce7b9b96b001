// Running a split through the wasm runtime, as an application would: one place for the batching (and the argmax
// of a classifier), shared by `sqz eval`, `sqz demo` and compress's final check of the written file.
import type { Split } from '../data/dataset.js';
import type { SqzModel } from '../../runtime/index.js';
import { classesOf } from '../compress/task.js';

/** The first output for every sample of `split`, in batches of `batch`: count × output values, sample-major. */
export function runtimeOutputs(model: SqzModel, split: Split, batch = 32): Float32Array {
  const size = split.count === 0 ? 0 : split.images.length / split.count;
  const outputs = model.info.outputs[0]!.shape.reduce((a, b) => a * b, 1);
  const all = new Float32Array(split.count * outputs);
  for (let start = 0; start < split.count; start += batch) {
    const n = Math.min(batch, split.count - start);
    all.set(
      model.predict(split.images.subarray(start * size, (start + n) * size), n).subarray(0, n * outputs),
      start * outputs,
    );
  }
  return all;
}

/** Predicted class (argmax of the first output, first index on ties) per sample of `split`, in batches of `batch`. */
export function runtimeClasses(model: SqzModel, split: Split, batch = 32): Uint8Array {
  const outputs = model.info.outputs[0]!.shape.reduce((a, b) => a * b, 1);
  return classesOf(runtimeOutputs(model, split, batch), split.count, outputs);
}

/** Fraction of `predicted` equal to `labels` (NaN for none). */
export function fractionEqual(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  let same = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) same++;
  return labels.length === 0 ? NaN : same / labels.length;
}
