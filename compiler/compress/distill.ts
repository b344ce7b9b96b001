// Distillation targets (Hinton et al. 2015). The teacher is the model the user gave (or --teacher): its class
// probabilities at temperature T are computed once per training sample before training and ride along with the
// samples (Split.soft, which gather() carries into every batch), so no ADMM or fine-tune step runs the teacher.
import * as tf from '@tensorflow/tfjs-core';
import type { Split } from '../data/dataset.js';
import { forward, graphConstants } from '../ir/forward.js';
import type { Graph } from '../ir/graph.js';

/** A model that scores a batch: logits [n, classes] (before any softmax) for inputs [n, ...inputShape]. */
export interface Teacher {
  logits(x: tf.Tensor): tf.Tensor;
  dispose(): void;
}

/** `graph` as a teacher, through the compiler's own forward pass (its output softmax skipped). */
export function graphTeacher(graph: Graph): Teacher {
  const constants = graphConstants(graph);
  return {
    logits: (x) => forward(graph, x, { params: constants.params, logits: true }),
    dispose: () => constants.dispose(),
  };
}

/** Samples per teacher forward pass. */
const BATCH = 500;

/**
 * softmax(teacher logits / T) for every sample of `split`: count × classes values, sample-major. Each sample goes
 * through the teacher exactly once, in order, BATCH at a time.
 */
export function teacherTargets(
  teacher: Teacher,
  split: Split,
  inputShape: readonly number[],
  numClasses: number,
  temperature: number,
): Float32Array {
  if (!(temperature > 0)) throw new RangeError(`teacherTargets: temperature must be > 0, got ${temperature}`);
  const out = new Float32Array(split.count * numClasses);
  const size = split.count === 0 ? 0 : split.images.length / split.count;
  for (let start = 0; start < split.count; start += BATCH) {
    const end = Math.min(start + BATCH, split.count);
    const probs = tf.tidy(() => {
      const x = tf.tensor(split.images.subarray(start * size, end * size), [end - start, ...inputShape], 'float32');
      const logits = teacher.logits(x);
      if (logits.shape.length !== 2 || logits.shape[1] !== numClasses) {
        throw new Error(
          `teacherTargets: the teacher outputs [${logits.shape.slice(1)}] per sample, expected ${numClasses} classes`,
        );
      }
      return tf.softmax(tf.div(logits, temperature), -1);
    });
    out.set(probs.dataSync() as Float32Array, start * numClasses);
    probs.dispose();
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
