// Valid models the fuzzer mutates. Between them they use every op but prelu, every encoding and codebook type, both
// paddings, strides 1 and 2 and op params, so mutations reach every parser and prepare path of the runtime.
import {
  ACT_RELU,
  ACT_RELU_CLIP,
  ACT_SOFTMAX,
  ACT_TANH,
  CB_F32,
  CB_Q8,
  ENC_CODEBOOK,
  ENC_F16,
  ENC_F32,
  ENC_SPARSE_BITMAP,
  ENC_SPARSE_RICE,
  OP_ACTIVATION,
  OP_ADD,
  OP_AVG_POOL2D,
  OP_CONV2D,
  OP_DENSE,
  OP_DEPTHWISE_CONV2D,
  OP_GLOBAL_AVG_POOL2D,
  OP_GLOBAL_MAX_POOL2D,
  OP_MAX_POOL2D,
  OP_RESHAPE,
  PAD_SAME,
  type ModelMessage,
  encodeTensorAs,
  newOp,
  writeSqz,
  OP_AVERAGE,
  OP_CONCAT,
  OP_CONV2D_TRANSPOSE,
  OP_CROP2D,
  OP_MAXIMUM,
  OP_MINIMUM,
  OP_MULTIPLY,
  OP_RESCALE,
  OP_THRESHOLDED_RELU,
  OP_TRANSPOSE,
  OP_UP_SAMPLING2D,
  OP_ZERO_PAD2D,
} from '../../formats/index.js';
import { rng } from '../fixtures/random.js';
import { runModelReference } from '../runtime/reference/run_model.js';

/** Sparse values on a few levels, so every codebook encoding represents them exactly. */
function levels(random: () => number, n: number, values: number[], density: number): Float32Array {
  return Float32Array.from({ length: n }, () =>
    random() < density ? values[Math.floor(random() * values.length)]! : 0,
  );
}

/** conv (codebook) → max pool → dense (Rice, CB_Q8 codebook), f32 and f16 biases. */
function convPoolDense(): ModelMessage {
  const random = rng(21);
  const dense = levels(random, 8 * 3, [0.5, -1], 0.35);
  return {
    values: [{ shape: [6, 6, 1] }, { shape: [4, 4, 2] }, { shape: [2, 2, 2] }, { shape: [3] }],
    tensors: [
      encodeTensorAs(levels(random, 18, [-0.5, 0.25, 0.75], 1), [3, 3, 1, 2], ENC_CODEBOOK),
      encodeTensorAs(new Float32Array([0.125, -0.25]), [2], ENC_F32),
      encodeTensorAs(dense, [8, 3], ENC_SPARSE_RICE, { riceK: 1, codebookType: CB_Q8 }),
      encodeTensorAs(new Float32Array([0.5, 1, -2]), [3], ENC_F16),
    ],
    ops: [
      newOp({ type: OP_CONV2D, inputs: [0], outputs: [1], weight: 1, bias: 2, activation: ACT_RELU }),
      newOp({ type: OP_MAX_POOL2D, inputs: [1], outputs: [2], kernel: [2, 2], strides: [2, 2] }),
      newOp({ type: OP_DENSE, inputs: [2], outputs: [3], weight: 3, bias: 4 }),
    ],
    inputs: [0],
    outputs: [3],
  };
}

/**
 * depthwise (strided, same, f32 codebook) + avg pool (same) → add (relu6) → 1×1 conv (bitmap) → global avg and max
 * pool → add → reshape → dense (bitmap, tanh) → softmax.
 */
function branchy(): ModelMessage {
  const random = rng(22);
  return {
    values: [
      { shape: [5, 5, 2] },
      { shape: [3, 3, 4] },
      { shape: [3, 3, 4] },
      { shape: [3, 3, 4] },
      { shape: [3, 3, 3] },
      { shape: [3] },
      { shape: [3] },
      { shape: [3] },
      { shape: [1, 3] },
      { shape: [4] },
      { shape: [4] },
    ],
    tensors: [
      encodeTensorAs(levels(random, 3 * 3 * 2 * 2, [0.3, -0.7, 1.1], 0.9), [3, 3, 2, 2], ENC_CODEBOOK, {
        bits: 2,
        codebookType: CB_F32,
      }),
      encodeTensorAs(levels(random, 4 * 3, [0.5, -0.25, 2], 0.5), [1, 1, 4, 3], ENC_SPARSE_BITMAP, { bits: 3 }),
      encodeTensorAs(levels(random, 3 * 4, [0.75, -1.5], 0.5), [3, 4], ENC_SPARSE_BITMAP),
      encodeTensorAs(new Float32Array(4), [4], ENC_SPARSE_RICE),
    ],
    ops: [
      newOp({ type: OP_DEPTHWISE_CONV2D, inputs: [0], outputs: [1], weight: 1, strides: [2, 2], padding: PAD_SAME }),
      newOp({ type: OP_AVG_POOL2D, inputs: [1], outputs: [2], kernel: [2, 2], padding: PAD_SAME }),
      newOp({ type: OP_ADD, inputs: [1, 2], outputs: [3], activation: ACT_RELU_CLIP, clipMax: 6 }),
      newOp({ type: OP_CONV2D, inputs: [3], outputs: [4], weight: 2 }),
      newOp({ type: OP_GLOBAL_AVG_POOL2D, inputs: [4], outputs: [5] }),
      newOp({ type: OP_GLOBAL_MAX_POOL2D, inputs: [4], outputs: [6] }),
      newOp({ type: OP_ADD, inputs: [5, 6], outputs: [7] }),
      newOp({ type: OP_RESHAPE, inputs: [7], outputs: [8] }),
      newOp({ type: OP_DENSE, inputs: [8], outputs: [9], weight: 3, bias: 4, activation: ACT_TANH }),
      newOp({ type: OP_ACTIVATION, inputs: [9], outputs: [10], activation: ACT_SOFTMAX }),
    ],
    inputs: [0],
    outputs: [10],
  };
}

/**
 * The edge layers: rescale → zero padding → transposed conv (strided, same, bitmap) → crop → max pool → up-sampling;
 * multiply, maximum, minimum, average and concat of those; thresholded relu → transpose → global avg pool.
 */
function edge(): ModelMessage {
  const random = rng(23);
  const v = (...shape: number[]) => ({ shape });
  return {
    values: [
      v(3, 3, 2),
      v(3, 3, 2),
      v(4, 4, 2),
      v(8, 8, 3),
      v(6, 6, 3),
      v(3, 3, 3),
      v(6, 6, 3),
      v(6, 6, 3),
      v(6, 6, 3),
      v(6, 6, 3),
      v(6, 6, 3),
      v(6, 6, 6),
      v(6, 6, 6),
      v(6, 6, 6),
      v(6),
    ],
    tensors: [
      encodeTensorAs(new Float32Array([2, -1]), [2], ENC_F32),
      encodeTensorAs(levels(random, 3 * 3 * 2 * 3, [0.5, -0.25, 0.75], 0.4), [3, 3, 2, 3], ENC_SPARSE_BITMAP, {
        bits: 2,
      }),
      encodeTensorAs(new Float32Array([0.125, -0.5, 0.25]), [3], ENC_F16),
      encodeTensorAs(new Float32Array([0.1]), [1], ENC_F32),
    ],
    ops: [
      newOp({ type: OP_RESCALE, inputs: [0], outputs: [1], bias: 1 }),
      newOp({ type: OP_ZERO_PAD2D, inputs: [1], outputs: [2], params: [1, 0, 0, 1] }),
      newOp({
        type: OP_CONV2D_TRANSPOSE,
        inputs: [2],
        outputs: [3],
        weight: 2,
        bias: 3,
        strides: [2, 2],
        padding: PAD_SAME,
        activation: ACT_RELU,
      }),
      newOp({ type: OP_CROP2D, inputs: [3], outputs: [4], params: [1, 1, 2, 0] }),
      newOp({ type: OP_MAX_POOL2D, inputs: [4], outputs: [5], kernel: [2, 2], strides: [2, 2] }),
      newOp({ type: OP_UP_SAMPLING2D, inputs: [5], outputs: [6], params: [2, 2] }),
      newOp({ type: OP_MULTIPLY, inputs: [4, 6], outputs: [7] }),
      newOp({ type: OP_MAXIMUM, inputs: [7, 4], outputs: [8] }),
      newOp({ type: OP_MINIMUM, inputs: [8, 6], outputs: [9] }),
      newOp({ type: OP_AVERAGE, inputs: [9, 4, 6], outputs: [10] }),
      newOp({ type: OP_CONCAT, inputs: [10, 4], outputs: [11], params: [2] }),
      newOp({ type: OP_THRESHOLDED_RELU, inputs: [11], outputs: [12], bias: 4 }),
      newOp({ type: OP_TRANSPOSE, inputs: [12], outputs: [13], params: [2, 0, 1] }),
      newOp({ type: OP_GLOBAL_AVG_POOL2D, inputs: [13], outputs: [14] }),
    ],
    inputs: [0],
    outputs: [14],
  };
}

/** A seed: its message (for field-level mutations), its file, one input and the reference output for it. */
export interface Seed {
  name: string;
  model: ModelMessage;
  file: Uint8Array;
  input: Float32Array;
  expected: Float32Array;
}

export function fuzzSeeds(): Seed[] {
  return [
    ['conv_pool_dense', convPoolDense()],
    ['branchy', branchy()],
    ['edge', edge()],
  ].map(([name, model]) => {
    const m = model as ModelMessage;
    const n = m.values[m.inputs[0]!]!.shape.reduce((a, b) => a * b, 1);
    const random = rng(7);
    const input = Float32Array.from({ length: n }, () => random() * 2 - 1);
    return { name: name as string, model: m, file: writeSqz(m), input, expected: runModelReference(m, [input], 1)[0]! };
  });
}
