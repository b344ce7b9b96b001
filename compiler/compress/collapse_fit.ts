// Weights for a collapsed dense pair (ir/passes/collapse_dense.ts): the least-squares linear map from the hidden
// layer's input to the next layer's pre-activation outputs on training samples, with a small ridge. This is the
// best one-layer stand-in for the pair on the data, so training starts from the given model's behaviour.
import * as tf from '@tensorflow/tfjs-core';
import type { Split } from '../data/dataset.js';
import type { Graph, IRTensor } from '../ir/graph.js';
import { cloneGraph, compactValues } from '../ir/graph_utils.js';
import { forwardAll } from '../ir/forward.js';
import type { DensePair } from '../ir/passes/collapse_dense.js';

const FIT_BATCH = 512;
/** Ridge, relative to the mean diagonal of XᵀX: keeps the solve stable where features are (nearly) collinear. */
const RELATIVE_RIDGE = 1e-3;

/**
 * Kernel [in, out] and bias [out] minimising Σ‖x·W + b − z‖² + λ‖W‖² over `samples`, where x is the hidden op's
 * input and z the next op's output before its activation.
 */
export function fitCollapsedPair(
  graph: Graph,
  pair: DensePair,
  samples: Split,
  inputShape: readonly number[],
): { kernel: IRTensor; bias: IRTensor } {
  const hidden = graph.ops[pair.hidden]!;
  const next = graph.ops[pair.next]!;
  const inSize = hidden.kernel!.shape[0]!;
  const outSize = next.kernel!.shape[1]!;
  const probe = cloneGraph(graph);
  probe.ops[pair.next]!.activation = 'linear';
  delete probe.ops[pair.next]!.clipMax;
  probe.ops = probe.ops.slice(0, pair.next + 1);
  probe.outputs = [hidden.inputs[0]!, next.output];
  const truncated = compactValues(probe);

  // Normal equations over [x, 1]: G = AᵀA, R = AᵀZ, in float64.
  const d = inSize + 1;
  const gram = new Float64Array(d * d);
  const cross = new Float64Array(d * outSize);
  const per = samples.images.length / samples.count;
  for (let start = 0; start < samples.count; start += FIT_BATCH) {
    const count = Math.min(FIT_BATCH, samples.count - start);
    const [a, z] = tf.tidy(() => {
      const x = tf.tensor(samples.images.subarray(start * per, (start + count) * per), [count, ...inputShape]);
      const [features, outputs] = forwardAll(truncated, x);
      const withOne = tf.concat([tf.reshape(features!, [count, inSize]), tf.ones([count, 1])], 1);
      return [
        tf.matMul(withOne, withOne, true, false).dataSync(),
        tf.matMul(withOne, tf.reshape(outputs!, [count, outSize]), true, false).dataSync(),
      ];
    });
    for (let i = 0; i < gram.length; i++) gram[i]! += a![i]!;
    for (let i = 0; i < cross.length; i++) cross[i]! += z![i]!;
  }
  let trace = 0;
  for (let i = 0; i < inSize; i++) trace += gram[i * d + i]!;
  const ridge = (RELATIVE_RIDGE * trace) / inSize + 1e-12;
  for (let i = 0; i < inSize; i++) gram[i * d + i]! += ridge;
  const solution = solveSpd(gram, cross, d, outSize);
  const kernel = new Float32Array(inSize * outSize);
  kernel.set(solution.subarray(0, inSize * outSize));
  const bias = new Float32Array(outSize);
  bias.set(solution.subarray(inSize * outSize));
  return { kernel: { shape: [inSize, outSize], values: kernel }, bias: { shape: [outSize], values: bias } };
}

/** Solves G·X = R for symmetric positive definite G [d, d] and R [d, m] by Cholesky; G is overwritten. */
export function solveSpd(gram: Float64Array, rhs: Float64Array, d: number, m: number): Float64Array {
  for (let j = 0; j < d; j++) {
    let diag = gram[j * d + j]!;
    for (let k = 0; k < j; k++) diag -= gram[j * d + k]! * gram[j * d + k]!;
    if (!(diag > 0)) throw new Error(`solveSpd: matrix is not positive definite at row ${j}`);
    const l = Math.sqrt(diag);
    gram[j * d + j] = l;
    for (let i = j + 1; i < d; i++) {
      let s = gram[i * d + j]!;
      for (let k = 0; k < j; k++) s -= gram[i * d + k]! * gram[j * d + k]!;
      gram[i * d + j] = s / l;
    }
  }
  const x = rhs.slice();
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < d; i++) {
      let s = x[i * m + c]!;
      for (let k = 0; k < i; k++) s -= gram[i * d + k]! * x[k * m + c]!;
      x[i * m + c] = s / gram[i * d + i]!;
    }
    for (let i = d - 1; i >= 0; i--) {
      let s = x[i * m + c]!;
      for (let k = i + 1; k < d; k++) s -= gram[k * d + i]! * x[k * m + c]!;
      x[i * m + c] = s / gram[i * d + i]!;
    }
  }
  return x;
}
