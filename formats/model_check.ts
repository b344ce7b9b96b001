// Checks a Model's graph against formats/README.md: indices in range, known op types, activations and padding,
// weights where an op needs them and none where it does not, one output per op, every value written once
// before it is read, and the shapes of the README's op table. Every tensor is validated too.
// Both readSqz and writeSqz call this: a bad model fails before a file is written, and a file that
// passes was written by a checked writer.
import { activationByCode } from './activations.js';
import { ACT_RELU_CLIP, ERR_MALFORMED, ERR_SHAPE, ERR_UNSUPPORTED, PAD_SAME, PAD_VALID } from './constants.js';
import { SqzFormatError } from './errors.js';
import { type OpAttribute, type OpDescriptor, formatShape as fmt, opByCode } from './ops.js';
import type { ModelMessage, OpMessage, TensorMessage } from './schema.js';
import { validateTensor } from './tensor_decode.js';

/** Byte offsets (in the .sqz file) of each value, tensor and op message, when known. */
export interface ModelOffsets {
  values: number[];
  tensors: number[];
  ops: number[];
}

function isUint32(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
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
    if (!v.shape.every((d) => isUint32(d) && d >= 1))
      failValue(i, ERR_SHAPE, `shape ${fmt(v.shape)} has a dimension that is 0 or not a uint32`);
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

  const range = model.inputRange ?? [];
  if (
    range.length !== 0 &&
    !(range.length === 2 && Number.isFinite(range[0]) && Number.isFinite(range[1]) && range[0]! < range[1]!)
  ) {
    failModel(`input_range must be empty or [A, B] with A < B, got [${range.join(', ')}]`);
  }
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
  const names = model.classNames ?? [];
  const outputSize = product(values[model.outputs[0]!]!.shape);
  if (names.length !== 0 && names.length !== outputSize) {
    failModel(`has ${names.length} class names but its first output has ${outputSize} values`);
  }
}

function checkOp(model: ModelMessage, op: OpMessage, i: number, written: Uint8Array, offset: number): void {
  const descriptor = opByCode(op.type);
  const fail = (code: number, msg: string): never => {
    throw new SqzFormatError(code, `op ${i} (${descriptor?.name ?? `type ${op.type}`}): ${msg}`, offset);
  };
  if (descriptor === undefined) return fail(ERR_UNSUPPORTED, `unknown op type ${op.type}`);
  const values = model.values;
  if (activationByCode(op.activation) === undefined) fail(ERR_UNSUPPORTED, `unknown activation ${op.activation}`);
  if (op.padding !== PAD_VALID && op.padding !== PAD_SAME) fail(ERR_UNSUPPORTED, `unknown padding ${op.padding}`);
  if (op.activation === ACT_RELU_CLIP) {
    if (!(Number.isFinite(op.clipMax) && op.clipMax > 0))
      fail(ERR_MALFORMED, `relu clip needs clipMax > 0, got ${op.clipMax}`);
  } else if (!Object.is(op.clipMax, 0)) {
    fail(ERR_MALFORMED, `clipMax ${op.clipMax} is set but the activation is not ACT_RELU_CLIP`);
  }

  // Inputs: in range and already written; outputs: exactly one, written here for the first time.
  const { min, max } = descriptor.inputs;
  if (op.inputs.length < min || op.inputs.length > max) {
    fail(
      ERR_MALFORMED,
      `has ${op.inputs.length} inputs, needs ${min === max ? min : max === Infinity ? `${min} or more` : `${min} to ${max}`}`,
    );
  }
  for (const v of op.inputs) {
    if (!(isUint32(v) && v < values.length))
      fail(ERR_MALFORMED, `input value ${v} is out of range (${values.length} values)`);
    if (!written[v]) fail(ERR_MALFORMED, `reads value ${v} before any op writes it`);
  }
  if (op.outputs.length !== 1) fail(ERR_MALFORMED, `has ${op.outputs.length} outputs, needs exactly 1`);
  const out = op.outputs[0];
  if (!(isUint32(out) && out < values.length))
    fail(ERR_MALFORMED, `output value ${out} is out of range (${values.length} values)`);
  if (written[out]) fail(ERR_MALFORMED, `writes value ${out}, which is a model input or written by an earlier op`);
  written[out] = 1;

  const { weight, bias } = checkSlots(model, op, descriptor, fail);
  checkAttributes(op, descriptor.attributes, fail);

  // Shapes: the descriptor's rule.
  const outShape = values[out].shape;
  const expected = descriptor.outputShape({
    op,
    inputs: op.inputs.map((v) => values[v].shape),
    declared: outShape,
    weight,
    bias,
    fail: (msg) => fail(ERR_SHAPE, msg),
  });
  if (!sameShape(expected, outShape))
    fail(ERR_SHAPE, `output value ${out} has shape ${fmt(outShape)}, the op produces ${fmt(expected)}`);
}

/** The op's weight and bias tensors: present where its descriptor has the slot (and requires it), absent elsewhere. */
function checkSlots(
  model: ModelMessage,
  op: OpMessage,
  descriptor: OpDescriptor,
  fail: (code: number, msg: string) => never,
): { weight?: TensorMessage; bias?: TensorMessage } {
  const tensorAt = (ref: number, what: 'weight' | 'bias', has: boolean): TensorMessage | undefined => {
    if (!isUint32(ref) || ref > model.tensors.length)
      fail(ERR_MALFORMED, `${what} ${ref} refers past the ${model.tensors.length} tensors (index + 1)`);
    if (ref !== 0 && !has) fail(ERR_MALFORMED, `has a ${what}, which this op does not use`);
    return ref === 0 ? undefined : model.tensors[ref - 1];
  };
  const weight = tensorAt(op.weight, 'weight', descriptor.weight !== undefined);
  const bias = tensorAt(op.bias, 'bias', descriptor.bias !== undefined);
  if (descriptor.weight !== undefined && weight === undefined)
    fail(ERR_MALFORMED, `has no weight tensor (its ${descriptor.weight.role})`);
  if (descriptor.bias?.required === true && bias === undefined)
    fail(ERR_MALFORMED, `has no bias tensor (its ${descriptor.bias.role})`);
  return { weight, bias };
}

/** kernel, strides, padding and params: well formed where the op reads them, absent (at their default) elsewhere. */
function checkAttributes(
  op: OpMessage,
  attributes: readonly OpAttribute[],
  fail: (code: number, msg: string) => never,
): void {
  const reads = (a: OpAttribute) => attributes.includes(a);
  if (
    reads('kernel') ? op.kernel.length !== 2 || !op.kernel.every((k) => isUint32(k) && k >= 1) : op.kernel.length !== 0
  ) {
    fail(
      ERR_MALFORMED,
      reads('kernel')
        ? `kernel ${fmt(op.kernel)} must be [KH, KW], each ≥ 1`
        : 'has a kernel attribute, which this op does not use',
    );
  }
  if (op.strides.length !== 0) {
    if (!reads('strides')) fail(ERR_MALFORMED, 'has strides, which this op does not use');
    if (op.strides.length !== 2 || !op.strides.every((s) => isUint32(s) && s >= 1))
      fail(ERR_MALFORMED, `strides ${fmt(op.strides)} must be [SH, SW], each ≥ 1`);
  }
  if (op.padding !== PAD_VALID && !reads('padding')) fail(ERR_MALFORMED, 'has padding, which this op does not use');
  if (!op.params.every(isUint32)) fail(ERR_MALFORMED, `params ${fmt(op.params)} must be uint32 values`);
  if (op.params.length !== 0 && !reads('params')) fail(ERR_MALFORMED, 'has params, which this op does not use');
}
