// Distillation targets (Hinton et al. 2015). The teacher is the model the user gave (or --teacher): its class
// probabilities at temperature T are computed once per training sample before training and ride along with the
// samples (Split.soft), so every ADMM and fine-tune step reads them instead of running the teacher again.
import * as tf from '@tensorflow/tfjs-core';
import type { Split } from '../data/dataset.js';
import { forward, graphConstants } from '../ir/forward.js';
import type { Graph } from '../ir/graph.js';

/** Samples per teacher forward pass. */
const BATCH = 500;

/**
 * softmax(logits / T) of `teacher` for every sample of `split`: count × classes values, sample-major.
 * The teacher's own output softmax is skipped (forward's `logits`), so a softmax output gives its logits.
 */
export function teacherTargets(
  teacher: Graph, split: Split, inputShape: readonly number[], numClasses: number, temperature: number,
): Float32Array {
  if (!(temperature > 0)) throw new RangeError(`teacherTargets: temperature must be > 0, got ${temperature}`);
  const out = new Float32Array(split.count * numClasses);
  const size = split.count === 0 ? 0 : split.images.length / split.count;
  const constants = graphConstants(teacher);
  try {
    for (let start = 0; start < split.count; start += BATCH) {
      const end = Math.min(start + BATCH, split.count);
      const probs = tf.tidy(() => {
        const x = tf.tensor(split.images.subarray(start * size, end * size), [end - start, ...inputShape], 'float32');
        const logits = forward(teacher, x, { params: constants.params, logits: true });
        return tf.softmax(tf.div(tf.reshape(logits, [end - start, numClasses]), temperature), -1);
      });
      out.set(probs.dataSync() as Float32Array, start * numClasses);
      probs.dispose();
    }
  } finally {
    constants.dispose();
  }
  return out;
}

/** `split` with the teacher's targets attached (same samples, same order). */
export function withTeacherTargets(split: Split, soft: Float32Array): Split {
  if (soft.length % Math.max(split.count, 1) !== 0) {
    throw new RangeError(`withTeacherTargets: ${soft.length} targets do not divide into ${split.count} samples`);
  }
  return { ...split, soft };
}
