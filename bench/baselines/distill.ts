// Knowledge distillation for the small models bench/compare trains from scratch (Hinton et al. 2015): the loss,
// and the teacher's softened outputs, computed once per training sample before the first epoch.
import * as tf from '@tensorflow/tfjs-core';
import type { Split } from '../../compiler/data/index.js';
import { importModel } from '../../compiler/import/index.js';
import { forward, graphConstants } from '../../compiler/ir/forward.js';

export interface Distillation {
  /** Weight of the teacher term (0: labels only, 1: teacher only). */
  alpha: number;
  /** Softmax temperature T of both teacher and student in the teacher term. */
  temperature: number;
}

/**
 * The bench's teacher term: mostly the teacher (α = 0.9) at T = 4, the usual setting for a small student
 * (Hinton et al. 2015; the KD baseline of Tian et al. 2020). Not tuned on the test split.
 */
export const DEFAULT_DISTILLATION: Distillation = { alpha: 0.9, temperature: 4 };

/** A model that scores a batch: logits [n, classes] (before any softmax) for inputs [n, ...inputShape]. */
export interface Teacher {
  logits(x: tf.Tensor): tf.Tensor;
  dispose(): void;
}

/** The model.json at `modelJson` as a teacher, run by the compiler's own forward pass (the graph `sqz compress` sees). */
export async function modelTeacher(modelJson: string): Promise<Teacher> {
  const graph = await importModel(modelJson);
  const constants = graphConstants(graph);
  return {
    logits: (x) => forward(graph, x, { params: constants.params, logits: true }),
    dispose: () => constants.dispose(),
  };
}

/**
 * softmax(teacher logits / T) of every sample of `split`, row-major [count, classes]. Each sample goes through the
 * teacher exactly once, in order, `batchSize` at a time; training then reads the rows by sample index.
 */
export function teacherSoftTargets(
  teacher: Teacher, split: Split, inputShape: readonly number[], temperature: number, batchSize = 500,
): { targets: Float32Array; classes: number } {
  const size = split.count === 0 ? 0 : split.images.length / split.count;
  const rows: Float32Array[] = [];
  let classes = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const end = Math.min(start + batchSize, split.count);
    const soft = tf.tidy(() => {
      const x = tf.tensor(split.images.subarray(start * size, end * size), [end - start, ...inputShape], 'float32');
      return tf.softmax(tf.div(teacher.logits(x), temperature), -1);
    });
    classes = soft.shape[1]!;
    rows.push(soft.dataSync() as Float32Array);
    soft.dispose();
  }
  const targets = new Float32Array(split.count * classes);
  let at = 0;
  for (const r of rows) { targets.set(r, at); at += r.length; }
  return { targets, classes };
}

/**
 * (1 − α)·CE(labels, softmax(s)) + α·T²·KL(p ‖ softmax(s/T)), averaged over the batch, where s are the student's
 * logits [n, classes], `oneHot` the labels and `soft` = p the teacher's softened outputs [n, classes]. T² keeps the
 * teacher term's gradients on the scale of the label term's as T grows (Hinton et al.).
 */
export function distillationLoss(studentLogits: tf.Tensor, oneHot: tf.Tensor, soft: tf.Tensor, d: Distillation): tf.Scalar {
  return tf.tidy(() => {
    const ce = tf.losses.softmaxCrossEntropy(oneHot, studentLogits);
    const logStudent = tf.logSoftmax(tf.div(studentLogits, d.temperature), -1);
    // p·log p with 0·log 0 = 0: a target the teacher's softmax rounded to 0 adds nothing.
    const pLogP = tf.mul(soft, tf.log(tf.maximum(soft, 1e-30)));
    const kl = tf.mean(tf.sum(tf.sub(pLogP, tf.mul(soft, logStudent)), -1));
    return tf.add(tf.mul(ce, 1 - d.alpha), tf.mul(kl, d.alpha * d.temperature ** 2)) as tf.Scalar;
  });
}
