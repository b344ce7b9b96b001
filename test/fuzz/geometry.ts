// Valid one-op models with unusual geometry (kernels as large as the padded input, strides up to 5, 1-pixel images,
// every encoding, sparse and dense weights), for differential fuzzing: the runtime must load them and match the
// reference interpreter. Mutated files mostly fail checks; these reach the kernels' prepare and eval with shapes
// the seed models never have.
import {
  ENC_CODEBOOK,
  ENC_F16,
  ENC_F32,
  ENC_SPARSE_BITMAP,
  ENC_SPARSE_RICE,
  OP_AVG_POOL2D,
  OP_CONV2D,
  OP_DENSE,
  OP_DEPTHWISE_CONV2D,
  OP_GLOBAL_AVG_POOL2D,
  OP_GLOBAL_MAX_POOL2D,
  OP_MAX_POOL2D,
  PAD_SAME,
  PAD_VALID,
  type ModelMessage,
  type TensorMessage,
  encodeTensorAs,
  newOp,
} from '../../formats/index.js';

type Random = () => number;
const int = (random: Random, lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

/** TensorFlow's output size for one axis, or 0 when the window does not fit. */
function outSize(input: number, kernel: number, stride: number, padding: number): number {
  if (padding === PAD_SAME) return Math.ceil(input / stride);
  return input >= kernel ? Math.ceil((input - kernel + 1) / stride) : 0;
}

/** Values an encoding represents exactly: ≤ 2^bits − 1 nonzero levels (f16-exact), at a random density. */
function weightTensor(random: Random, shape: number[]): TensorMessage {
  const n = shape.reduce((a, b) => a * b, 1);
  const bits = int(random, 1, 4);
  const levels = Array.from({ length: (1 << bits) - 1 }, () => int(random, -16, 16) / 8 || 0.5);
  const density = [0, 0.01, 0.1, 0.5, 1][int(random, 0, 4)]!;
  const values = Float32Array.from({ length: n }, () =>
    random() < density ? levels[int(random, 0, levels.length - 1)]! : 0,
  );
  const encoding = [ENC_F32, ENC_F16, ENC_CODEBOOK, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE][int(random, 0, 4)]!;
  const options = encoding >= ENC_CODEBOOK ? { bits: Math.max(bits, encoding === ENC_CODEBOOK ? bits : 1) } : {};
  try {
    return encodeTensorAs(values, shape, encoding, options);
  } catch {
    return encodeTensorAs(values, shape, ENC_F32); // the codebook form needs one more level for the zero
  }
}

/** A random valid one-op model, or undefined when the drawn window does not fit the drawn input. */
export function geometryModel(random: Random): ModelMessage | undefined {
  const [h, w, c] = [int(random, 1, 9), int(random, 1, 9), int(random, 1, 5)];
  const type = [
    OP_CONV2D,
    OP_DEPTHWISE_CONV2D,
    OP_MAX_POOL2D,
    OP_AVG_POOL2D,
    OP_GLOBAL_AVG_POOL2D,
    OP_GLOBAL_MAX_POOL2D,
    OP_DENSE,
  ][int(random, 0, 6)]!;
  const padding = random() < 0.5 ? PAD_SAME : PAD_VALID;
  const [kh, kw, sh, sw] = [int(random, 1, h + 2), int(random, 1, w + 2), int(random, 1, 5), int(random, 1, 5)];
  const [oh, ow] = [outSize(h, kh, sh, padding), outSize(w, kw, sw, padding)];
  const input = { shape: [h, w, c] };
  const strides = sh === 1 && sw === 1 && random() < 0.5 ? [] : [sh, sw];
  if (type === OP_GLOBAL_AVG_POOL2D || type === OP_GLOBAL_MAX_POOL2D) {
    return {
      values: [input, { shape: [c] }],
      tensors: [],
      ops: [newOp({ type, inputs: [0], outputs: [1] })],
      inputs: [0],
      outputs: [1],
    };
  }
  if (type === OP_DENSE) {
    const m = int(random, 1, 40);
    const bias = random() < 0.5;
    return {
      values: [input, { shape: [m] }],
      tensors: [weightTensor(random, [h * w * c, m]), ...(bias ? [weightTensor(random, [m])] : [])],
      ops: [newOp({ type, inputs: [0], outputs: [1], weight: 1, bias: bias ? 2 : 0 })],
      inputs: [0],
      outputs: [1],
    };
  }
  if (oh === 0 || ow === 0) return undefined;
  if (type === OP_MAX_POOL2D || type === OP_AVG_POOL2D) {
    return {
      values: [input, { shape: [oh, ow, c] }],
      tensors: [],
      ops: [newOp({ type, inputs: [0], outputs: [1], kernel: [kh, kw], strides, padding })],
      inputs: [0],
      outputs: [1],
    };
  }
  const m = type === OP_CONV2D ? int(random, 1, 6) : int(random, 1, 3); // filters, or the depth multiplier
  const outC = type === OP_CONV2D ? m : c * m;
  const bias = random() < 0.5;
  return {
    values: [input, { shape: [oh, ow, outC] }],
    tensors: [weightTensor(random, [kh, kw, c, m]), ...(bias ? [weightTensor(random, [outC])] : [])],
    ops: [newOp({ type, inputs: [0], outputs: [1], weight: 1, bias: bias ? 2 : 0, strides, padding })],
    inputs: [0],
    outputs: [1],
  };
}
