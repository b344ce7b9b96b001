// Checks a Model's graph against formats/README.md: indices in range, known op types, activations and padding,
// weights where an op needs them and none where it does not, one output per op, every value written once
// before it is read, and the shapes of the README's op table. Every tensor is validated too.
// Both readSqz and writeSqz call this: a bad model fails before a file is written, and a file that
// passes was written by a checked writer.
import {
  ACT_COUNT, ACT_RELU_CLIP, ERR_MALFORMED, ERR_SHAPE, ERR_UNSUPPORTED, OP_ACTIVATION, OP_ADD, OP_AVG_POOL2D,
  OP_CONV2D, OP_COUNT, OP_DENSE, OP_DEPTHWISE_CONV2D, OP_GLOBAL_AVG_POOL2D, OP_GLOBAL_MAX_POOL2D, OP_MAX_POOL2D,
  OP_RESHAPE, PAD_SAME, PAD_VALID,
} from './constants.js';
import { SqzFormatError } from './errors.js';
import type { ModelMessage, OpMessage, TensorMessage } from './schema.js';
import { validateTensor } from './tensor_decode.js';

/** Byte offsets (in the .sqz file) of each value, tensor and op message, when known. */
export interface ModelOffsets {
  values: number[];
  tensors: number[];
  ops: number[];
}

const OP_NAMES = ['', 'dense', 'conv2d', 'depthwiseConv2d', 'maxPool2d', 'avgPool2d', 'globalAvgPool2d',
  'globalMaxPool2d', 'activation', 'add', 'reshape'];

function isUint32(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Output length of one spatial axis with TensorFlow's padding rules (README, "Graph"). */
function outLength(size: number, kernel: number, stride: number, padding: number): number {
  return padding === PAD_SAME ? Math.ceil(size / stride) : Math.ceil((size - kernel + 1) / stride);
}

function isSpatial(type: number): boolean {
  return type === OP_CONV2D || type === OP_DEPTHWISE_CONV2D || type === OP_MAX_POOL2D || type === OP_AVG_POOL2D;
}

/** Validates `model`; throws SqzFormatError naming the value, tensor or op at fault (with its offset if known). */
export function validateModel(model: ModelMessage, offsets?: ModelOffsets): void {
  const values = model.values;
  const tensors = model.tensors;
  const failValue = (i: number, code: number, msg: string): never => {
    throw new SqzFormatError(code, `value ${i}: ${msg}`, offsets?.values[i] ?? -1);
  };
  const failModel = (msg: string): never => {
    throw new SqzFormatError(ERR_MALFORMED, `model: ${msg}`);
  };

  values.forEach((v, i) => {
    if (v.shape.length === 0) failValue(i, ERR_SHAPE, 'has an empty shape');
    if (!v.shape.every((d) => isUint32(d) && d >= 1)) failValue(i, ERR_SHAPE, `shape ${fmt(v.shape)} has a dimension that is 0 or not a uint32`);
    if (product(v.shape) > 0xffffffff) failValue(i, ERR_SHAPE, `shape ${fmt(v.shape)} has more than 2^32 - 1 elements`);
  });
  tensors.forEach((t, i) => {
    try {
      validateTensor(t, i);
    } catch (e) {
      if (e instanceof SqzFormatError) throw new SqzFormatError(e.code, e.message, offsets?.tensors[i] ?? -1);
      throw e;
    }
  });

  if (model.inputs.length === 0) failModel('has no inputs');
  if (model.outputs.length === 0) failModel('has no outputs');
  const written = new Uint8Array(values.length);
  for (const v of model.inputs) {
    if (!(isUint32(v) && v < values.length)) failModel(`input value ${v} is out of range (${values.length} values)`);
    if (written[v]) failModel(`value ${v} is listed twice as an input`);
    written[v] = 1;
  }

  model.ops.forEach((op, i) => checkOp(model, op, i, written, offsets?.ops[i] ?? -1));

  for (const v of model.outputs) {
    if (!(isUint32(v) && v < values.length)) failModel(`output value ${v} is out of range (${values.length} values)`);
    if (!written[v]) failModel(`output value ${v} is never written by an op nor a model input`);
  }
}

function checkOp(model: ModelMessage, op: OpMessage, i: number, written: Uint8Array, offset: number): void {
  const name = OP_NAMES[op.type] ?? `type ${op.type}`;
  const fail = (code: number, msg: string): never => {
    throw new SqzFormatError(code, `op ${i} (${name}): ${msg}`, offset);
  };
  const values = model.values;
  if (!(isUint32(op.type) && op.type >= 1 && op.type < OP_COUNT)) fail(ERR_UNSUPPORTED, `unknown op type ${op.type}`);
  if (!(isUint32(op.activation) && op.activation < ACT_COUNT)) fail(ERR_UNSUPPORTED, `unknown activation ${op.activation}`);
  if (op.padding !== PAD_VALID && op.padding !== PAD_SAME) fail(ERR_UNSUPPORTED, `unknown padding ${op.padding}`);
  if (op.activation === ACT_RELU_CLIP) {
    if (!(Number.isFinite(op.clipMax) && op.clipMax > 0)) fail(ERR_MALFORMED, `relu clip needs clipMax > 0, got ${op.clipMax}`);
  } else if (!Object.is(op.clipMax, 0)) {
    fail(ERR_MALFORMED, `clipMax ${op.clipMax} is set but the activation is not ACT_RELU_CLIP`);
  }

  // Inputs: in range and already written; outputs: exactly one, written here for the first time.
  const wantInputs = op.type === OP_ADD ? '2 or more' : '1';
  if (op.type === OP_ADD ? op.inputs.length < 2 : op.inputs.length !== 1) fail(ERR_MALFORMED, `has ${op.inputs.length} inputs, needs ${wantInputs}`);
  for (const v of op.inputs) {
    if (!(isUint32(v) && v < values.length)) fail(ERR_MALFORMED, `input value ${v} is out of range (${values.length} values)`);
    if (!written[v]) fail(ERR_MALFORMED, `reads value ${v} before any op writes it`);
  }
  if (op.outputs.length !== 1) fail(ERR_MALFORMED, `has ${op.outputs.length} outputs, needs exactly 1`);
  const out = op.outputs[0];
  if (!(isUint32(out) && out < values.length)) fail(ERR_MALFORMED, `output value ${out} is out of range (${values.length} values)`);
  if (written[out]) fail(ERR_MALFORMED, `writes value ${out}, which is a model input or written by an earlier op`);
  written[out] = 1;

  // Weights and attributes: present where the op reads them, absent elsewhere.
  const hasWeights = op.type === OP_DENSE || op.type === OP_CONV2D || op.type === OP_DEPTHWISE_CONV2D;
  const tensorAt = (ref: number, what: string): TensorMessage | undefined => {
    if (!isUint32(ref) || ref > model.tensors.length) fail(ERR_MALFORMED, `${what} ${ref} refers past the ${model.tensors.length} tensors (index + 1)`);
    if (ref !== 0 && !hasWeights) fail(ERR_MALFORMED, `has a ${what}, which this op does not use`);
    return ref === 0 ? undefined : model.tensors[ref - 1];
  };
  const weight = tensorAt(op.weight, 'weight');
  const bias = tensorAt(op.bias, 'bias');
  if (hasWeights && weight === undefined) fail(ERR_MALFORMED, 'has no weight tensor');
  const isPool = op.type === OP_MAX_POOL2D || op.type === OP_AVG_POOL2D;
  if (isPool ? op.kernel.length !== 2 || !op.kernel.every((k) => isUint32(k) && k >= 1) : op.kernel.length !== 0) {
    fail(ERR_MALFORMED, isPool ? `kernel ${fmt(op.kernel)} must be [KH, KW], each ≥ 1` : 'has a kernel attribute, which this op does not use');
  }
  if (op.strides.length !== 0) {
    if (!isSpatial(op.type)) fail(ERR_MALFORMED, 'has strides, which this op does not use');
    if (op.strides.length !== 2 || !op.strides.every((s) => isUint32(s) && s >= 1)) fail(ERR_MALFORMED, `strides ${fmt(op.strides)} must be [SH, SW], each ≥ 1`);
  }
  if (op.padding !== PAD_VALID && !isSpatial(op.type)) fail(ERR_MALFORMED, 'has padding, which this op does not use');

  // Shapes (README op table).
  const inShape = values[op.inputs[0]].shape;
  const outShape = values[out].shape;
  const expected = inferOutputShape(op, inShape, weight, bias, model, (msg) => fail(ERR_SHAPE, msg));
  if (!sameShape(expected, outShape)) fail(ERR_SHAPE, `output value ${out} has shape ${fmt(outShape)}, the op produces ${fmt(expected)}`);
}

function inferOutputShape(
  op: OpMessage, inShape: readonly number[], weight: TensorMessage | undefined, bias: TensorMessage | undefined,
  model: ModelMessage, fail: (msg: string) => never,
): number[] {
  const [sh, sw] = op.strides.length === 2 ? op.strides : [1, 1];
  const checkBias = (m: number): void => {
    if (bias !== undefined && !sameShape(bias.shape, [m])) fail(`bias shape ${fmt(bias.shape)} should be [${m}]`);
  };
  const spatial = (kh: number, kw: number): [number, number] => {
    if (inShape.length !== 3) fail(`input shape ${fmt(inShape)} should be [H, W, C]`);
    const oh = outLength(inShape[0], kh, sh, op.padding);
    const ow = outLength(inShape[1], kw, sw, op.padding);
    if (oh < 1 || ow < 1) fail(`kernel ${kh}×${kw} does not fit input ${fmt(inShape)} with valid padding`);
    return [oh, ow];
  };
  switch (op.type) {
    case OP_DENSE: {
      const w = weight!.shape;
      if (w.length !== 2 || w[0] !== product(inShape)) fail(`weight shape ${fmt(w)} should be [${product(inShape)}, M] for input ${fmt(inShape)}`);
      checkBias(w[1]);
      return [w[1]];
    }
    case OP_CONV2D:
    case OP_DEPTHWISE_CONV2D: {
      const w = weight!.shape;
      const c = inShape.length === 3 ? inShape[2] : -1;
      if (w.length !== 4 || w[2] !== c || w[0] < 1 || w[1] < 1 || w[3] < 1) {
        fail(`weight shape ${fmt(w)} should be [KH, KW, ${c}, ${op.type === OP_CONV2D ? 'M' : 'D'}] (each ≥ 1) for input ${fmt(inShape)}`);
      }
      const m = op.type === OP_CONV2D ? w[3] : c * w[3];
      checkBias(m);
      return [...spatial(w[0], w[1]), m];
    }
    case OP_MAX_POOL2D:
    case OP_AVG_POOL2D:
      return [...spatial(op.kernel[0], op.kernel[1]), inShape[2]];
    case OP_GLOBAL_AVG_POOL2D:
    case OP_GLOBAL_MAX_POOL2D:
      if (inShape.length !== 3) fail(`input shape ${fmt(inShape)} should be [H, W, C]`);
      return [inShape[2]];
    case OP_ADD:
      for (const v of op.inputs) {
        if (!sameShape(model.values[v].shape, inShape)) fail(`input value ${v} has shape ${fmt(model.values[v].shape)}, input 0 has ${fmt(inShape)}`);
      }
      return [...inShape];
    case OP_RESHAPE: {
      const outShape = model.values[op.outputs[0]].shape;
      if (product(outShape) !== product(inShape)) fail(`cannot reshape ${fmt(inShape)} to ${fmt(outShape)}: element counts differ`);
      return [...outShape];
    }
    case OP_ACTIVATION:
    default:
      return [...inShape];
  }
}
