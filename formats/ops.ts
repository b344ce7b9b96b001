// The op table: one descriptor per OP_* code, read by every side of sqz (formats/model_check.ts, compiler import
// and export, the compiler's op table compiler/ops.ts, runtime/info.ts, sqz inspect, sqz/tfjs, the dead-unit
// pass). Each entry gives the op's names, arity, weight and bias slots, the attributes it reads and their checks, its
// output-shape rule, and the tfjs-layers classes it imports from and exports to. The wasm kernels are registered
// by code in assembly/kernels/index.ts; docs/adding-an-op.md says what a new entry touches.
// No imports beyond the constants and types, so the browser runtime can use it.
import {
  OP_ACTIVATION,
  OP_ADD,
  OP_AVG_POOL2D,
  OP_CONV2D,
  OP_DENSE,
  OP_DEPTHWISE_CONV2D,
  OP_GLOBAL_AVG_POOL2D,
  OP_GLOBAL_MAX_POOL2D,
  OP_MAX_POOL2D,
  OP_PRELU,
  OP_RESHAPE,
  PAD_SAME,
  OP_ZERO_PAD2D,
  OP_CROP2D,
  OP_UP_SAMPLING2D,
  OP_CONCAT,
  OP_MULTIPLY,
  OP_AVERAGE,
  OP_MAXIMUM,
  OP_MINIMUM,
  OP_TRANSPOSE,
  OP_RESCALE,
  OP_THRESHOLDED_RELU,
  OP_CONV2D_TRANSPOSE,
} from './constants.js';
import type { OpMessage, TensorMessage } from './schema.js';

/**
 * Op attributes besides inputs, outputs, weight, bias and activation (sqz.proto's Op fields). `params` are the op's
 * own integers (pads, an axis, a permutation, sizes): the op's entry says what they mean, and its output-shape rule
 * checks them.
 */
export type OpAttribute = 'kernel' | 'strides' | 'padding' | 'params';

/** What an output-shape rule sees of one op (formats/model_check.ts builds it). */
export interface OpShapeContext {
  readonly op: OpMessage;
  /** Per-sample shapes of the op's inputs, in order (the arity is checked before the rule runs). */
  readonly inputs: readonly (readonly number[])[];
  /** The declared per-sample shape of the output value (a reshape's rule is to keep it). */
  readonly declared: readonly number[];
  /** The weight tensor, when the op takes one (then it is present). */
  readonly weight?: TensorMessage;
  /** The tensor in the bias slot, when present. */
  readonly bias?: TensorMessage;
  /** Reports a shape error (ERR_SHAPE) naming the op. */
  fail(message: string): never;
}

/** One weight of a Keras layer, in the layer's weight order. */
export interface KerasWeight {
  /** tfjs-layers' weight name within the layer ('kernel', 'depthwise_kernel', 'bias', 'alpha'). */
  readonly name: string;
  /** The op's slot it comes from. */
  readonly slot: 'weight' | 'bias';
  /** The layer's shape for it, when not the stored tensor's. */
  readonly shape?: readonly number[];
  /** The layer's weight is the stored tensor with its axes permuted so (output axis i = stored axis transpose[i]). */
  readonly transpose?: readonly number[];
}

/** The Keras layer sqz/tfjs writes for an op (snake_case config, as Keras JSON has it). */
export interface KerasLayer {
  readonly className: string;
  readonly config: Record<string, unknown>;
  readonly weights: readonly KerasWeight[];
  /** The layer takes the op's activation as its `activation` argument (else a layer of its own follows). */
  readonly fusesActivation: boolean;
  /** A Flatten goes before it (sqz's dense flattens its input; Keras' Dense would apply to the last axis). */
  readonly flattenInput?: boolean;
}

/** What a Keras mapping sees of one op of a validated model. */
export interface KerasContext {
  readonly op: OpMessage;
  /** Per-sample shape of input 0. */
  readonly inputShape: readonly number[];
  /** Per-sample shape of the output. */
  readonly outputShape: readonly number[];
  /** Shape of the tensor in `slot` (the op has it). */
  slotShape(slot: 'weight' | 'bias'): readonly number[];
  /** Values of the tensor in `slot`, decoded to f32 (for layers whose config holds them: Rescaling, ThresholdedReLU). */
  slotValues(slot: 'weight' | 'bias'): Float32Array;
}

export interface OpDescriptor {
  /** OP_* */
  readonly code: number;
  /** The one spelling used everywhere: the IR's op type, model.info, sqz inspect, error messages. */
  readonly name: string;
  /** Plain words for reports and docs. */
  readonly display: string;
  /** How many input values it reads. */
  readonly inputs: { readonly min: number; readonly max: number };
  /** Its weight slot (Op.weight), when it has one: always required then, of this rank, holding this. */
  readonly weight?: { readonly rank: number; readonly role: string };
  /** Its bias slot (Op.bias), when it has one: whether it must be set, and what it holds. */
  readonly bias?: { readonly required: boolean; readonly role: string };
  /** The attributes it reads; any other must be absent. */
  readonly attributes: readonly OpAttribute[];
  /** The optimizer prunes and quantizes its weight (`sqz compress`). */
  readonly compressible: boolean;
  /**
   * It keeps each channel separate and constant channels constant, with the channel as the fastest axis: the
   * dead-unit pass may look through it (compiler/ir/passes/remove_dead_units.ts).
   */
  readonly channelwise: boolean;
  /** The output's per-sample shape from its inputs, weights and attributes; calls ctx.fail when they disagree. */
  outputShape(ctx: OpShapeContext): number[];
  readonly keras: {
    /** tfjs-layers classes (getClassName()) the importer lowers to this op. */
    readonly classNames: readonly string[];
    /** Other class names Keras writes in model.json for the same layers. */
    readonly aliases?: readonly string[];
    /** The layer sqz/tfjs rebuilds it as; absent when the op is its activation alone. */
    layer?(ctx: KerasContext): KerasLayer;
  };
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);
/** A shape as "[a, b, c]". */
export const formatShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Output length of one spatial axis with TensorFlow's padding rules (formats/README.md, "Graph"). */
function outLength(size: number, kernel: number, stride: number, padding: number): number {
  return padding === PAD_SAME ? Math.ceil(size / stride) : Math.ceil((size - kernel + 1) / stride);
}

function strides(op: OpMessage): [number, number] {
  return op.strides.length === 2 ? [op.strides[0]!, op.strides[1]!] : [1, 1];
}

/** [OH, OW] of a window op over an [H, W, C] input. */
function windowShape(c: OpShapeContext, kh: number, kw: number): [number, number] {
  const input = c.inputs[0]!;
  if (input.length !== 3) c.fail(`input shape ${formatShape(input)} should be [H, W, C]`);
  const [sh, sw] = strides(c.op);
  const oh = outLength(input[0]!, kh, sh, c.op.padding);
  const ow = outLength(input[1]!, kw, sw, c.op.padding);
  if (oh < 1 || ow < 1) c.fail(`kernel ${kh}×${kw} does not fit input ${formatShape(input)} with valid padding`);
  return [oh, ow];
}

function checkBias(c: OpShapeContext, length: number): void {
  if (c.bias !== undefined && !sameShape(c.bias.shape, [length]))
    c.fail(`bias shape ${formatShape(c.bias.shape)} should be [${length}]`);
}

function convShape(c: OpShapeContext, depthwise: boolean): number[] {
  const w = c.weight!.shape;
  const input = c.inputs[0]!;
  const channels = input.length === 3 ? input[2]! : -1;
  if (w.length !== 4 || w[2] !== channels || w[0]! < 1 || w[1]! < 1 || w[3]! < 1) {
    c.fail(
      `weight shape ${formatShape(w)} should be [KH, KW, ${channels}, ${depthwise ? 'D' : 'M'}] (each ≥ 1) for input ${formatShape(input)}`,
    );
  }
  const m = depthwise ? channels * w[3]! : w[3]!;
  checkBias(c, m);
  return [...windowShape(c, w[0]!, w[1]!), m];
}

/**
 * [OH, OW, M] of a transposed conv (Keras' deconv length): 'same' H·SH; 'valid' H·SH + max(KH − SH, 0). Each input
 * pixel adds its taps at (ih·SH + kh − pad_top, iw·SW + kw − pad_left), the pads those of the conv whose gradient it is.
 */
function transposedConvShape(c: OpShapeContext): number[] {
  const w = c.weight!.shape;
  const input = imageInput(c);
  if (w.length !== 4 || w[2] !== input[2] || w[0]! < 1 || w[1]! < 1 || w[3]! < 1) {
    c.fail(
      `weight shape ${formatShape(w)} should be [KH, KW, ${input[2]}, M] (each ≥ 1) for input ${formatShape(input)}`,
    );
  }
  checkBias(c, w[3]!);
  const [sh, sw] = strides(c.op);
  const length = (size: number, kernel: number, stride: number) =>
    c.op.padding === PAD_SAME ? size * stride : size * stride + Math.max(kernel - stride, 0);
  return [length(input[0]!, w[0]!, sh), length(input[1]!, w[1]!, sw), w[3]!];
}

function poolShape(c: OpShapeContext): number[] {
  return [...windowShape(c, c.op.kernel[0]!, c.op.kernel[1]!), c.inputs[0]![2]!];
}

function globalPoolShape(c: OpShapeContext): number[] {
  const input = c.inputs[0]!;
  if (input.length !== 3) c.fail(`input shape ${formatShape(input)} should be [H, W, C]`);
  return [input[2]!];
}

/** The [H, W, C] input of an image op, or a shape error. */
function imageInput(c: OpShapeContext): readonly number[] {
  const input = c.inputs[0]!;
  if (input.length !== 3) c.fail(`input shape ${formatShape(input)} should be [H, W, C]`);
  return input;
}

/** The op's params: exactly `names.length` of them, each at least `min` (they are named in the error). */
function paramsOf(c: OpShapeContext, names: readonly string[], min: number): number[] {
  const p = c.op.params;
  if (p.length !== names.length || !p.every((v) => v >= min)) {
    c.fail(`params ${formatShape(p)} should be [${names.join(', ')}], each ≥ ${min}`);
  }
  return [...p];
}

const EDGES = ['top', 'bottom', 'left', 'right'] as const;

/** [H', W', C] of an image grown (sign 1: zero padding) or cut (sign −1: cropping) by params [top, bottom, left, right]. */
function edgeShape(c: OpShapeContext, sign: 1 | -1): number[] {
  const [h, w, channels] = imageInput(c) as [number, number, number];
  const [top, bottom, left, right] = paramsOf(c, EDGES, 0) as [number, number, number, number];
  const out = [h + sign * (top + bottom), w + sign * (left + right), channels];
  if (out[0]! < 1 || out[1]! < 1)
    c.fail(`cropping ${formatShape(c.op.params)} leaves nothing of input ${formatShape(c.inputs[0]!)}`);
  return out;
}

/** Keras' [[top, bottom], [left, right]] of an op's edge params. */
const edgePairs = (op: OpMessage): number[][] => [
  [op.params[0]!, op.params[1]!],
  [op.params[2]!, op.params[3]!],
];

const padding = (op: OpMessage): string => (op.padding === PAD_SAME ? 'same' : 'valid');
const IMAGE = { data_format: 'channels_last' } as const;

function poolLayer(className: string) {
  return (c: KerasContext): KerasLayer => ({
    className,
    weights: [],
    fusesActivation: false,
    // Keras pools default their strides to the pool size: always say them.
    config: { pool_size: [...c.op.kernel], strides: strides(c.op), padding: padding(c.op), ...IMAGE },
  });
}

/** The config entries every convolution layer says: strides, padding, data format, whether it has a bias. */
const convConfig = (c: KerasContext) => ({
  strides: strides(c.op),
  padding: padding(c.op),
  ...IMAGE,
  use_bias: c.op.bias !== 0,
});

const withBias = (c: KerasContext, kernel: string): KerasWeight[] =>
  c.op.bias !== 0
    ? [
        { name: kernel, slot: 'weight' },
        { name: 'bias', slot: 'bias' },
      ]
    : [{ name: kernel, slot: 'weight' }];

const WEIGHTED = { bias: { required: false, role: 'bias' }, compressible: true, channelwise: false } as const;

/** Elementwise merges of two or more inputs of one shape (add, multiply, average, maximum, minimum). */
function mergeShape(c: OpShapeContext): number[] {
  const first = c.inputs[0]!;
  c.inputs.forEach((shape, k) => {
    if (!sameShape(shape, first))
      c.fail(`input value ${c.op.inputs[k]} has shape ${formatShape(shape)}, input 0 has ${formatShape(first)}`);
  });
  return [...first];
}

const mergeLayer = (className: string) => (): KerasLayer => ({
  className,
  config: {},
  weights: [],
  fusesActivation: false,
});

const MERGE = {
  inputs: { min: 2, max: Infinity },
  attributes: [],
  compressible: false,
  channelwise: false,
  outputShape: mergeShape,
} as const;

/** Inputs of one rank, equal but along params[0] (a per-sample axis), where the output has their sum. */
function concatShape(c: OpShapeContext): number[] {
  const first = c.inputs[0]!;
  const [axis] = paramsOf(c, ['axis'], 0) as [number];
  if (axis >= first.length) c.fail(`axis ${axis} is past the last axis of input ${formatShape(first)}`);
  let total = 0;
  c.inputs.forEach((shape, k) => {
    if (shape.length !== first.length || shape.some((d, i) => i !== axis && d !== first[i])) {
      c.fail(
        `input value ${c.op.inputs[k]} has shape ${formatShape(shape)}: it must equal input 0's ${formatShape(first)} but along axis ${axis}`,
      );
    }
    total += shape[axis]!;
  });
  return first.map((d, i) => (i === axis ? total : d));
}
const POOLED = { inputs: { min: 1, max: 1 }, compressible: false, channelwise: true } as const;

/** Every op, by OP_* code (OPS[code - 1].code === code; a test checks it). */
const OPS_TABLE = [
  {
    ...WEIGHTED,
    code: OP_DENSE,
    name: 'dense',
    display: 'dense (fully connected)',
    inputs: { min: 1, max: 1 },
    weight: { rank: 2, role: 'kernel' },
    attributes: [],
    outputShape(c) {
      const w = c.weight!.shape;
      const n = product(c.inputs[0]!);
      if (w.length !== 2 || w[0] !== n)
        c.fail(`weight shape ${formatShape(w)} should be [${n}, M] for input ${formatShape(c.inputs[0]!)}`);
      checkBias(c, w[1]!);
      return [w[1]!];
    },
    keras: {
      classNames: ['Dense'],
      layer: (c) => ({
        className: 'Dense',
        config: { units: c.slotShape('weight')[1], use_bias: c.op.bias !== 0 },
        weights: withBias(c, 'kernel'),
        fusesActivation: true,
        flattenInput: c.inputShape.length > 1,
      }),
    },
  },
  {
    ...WEIGHTED,
    code: OP_CONV2D,
    name: 'conv2d',
    display: 'conv 2-D',
    inputs: { min: 1, max: 1 },
    weight: { rank: 4, role: 'kernel' },
    attributes: ['strides', 'padding'],
    outputShape: (c) => convShape(c, false),
    keras: {
      // Conv1D is this op on [1, T, C]; SeparableConv2D a depthwise conv and then this op, 1×1 (compiler/ops.ts).
      classNames: ['Conv2D', 'Conv1D', 'SeparableConv2D'],
      aliases: ['Convolution2D', 'Convolution1D', 'SeparableConvolution2D'],
      layer: (c) => {
        const [kh, kw, , filters] = c.slotShape('weight');
        return {
          className: 'Conv2D',
          weights: withBias(c, 'kernel'),
          fusesActivation: true,
          config: {
            filters,
            kernel_size: [kh, kw],
            ...convConfig(c),
            dilation_rate: [1, 1],
          },
        };
      },
    },
  },
  {
    ...WEIGHTED,
    code: OP_DEPTHWISE_CONV2D,
    name: 'depthwiseConv2d',
    display: 'depthwise conv 2-D',
    inputs: { min: 1, max: 1 },
    weight: { rank: 4, role: 'kernel' },
    attributes: ['strides', 'padding'],
    outputShape: (c) => convShape(c, true),
    keras: {
      classNames: ['DepthwiseConv2D'],
      layer: (c) => {
        const [kh, kw, , multiplier] = c.slotShape('weight');
        return {
          className: 'DepthwiseConv2D',
          weights: withBias(c, 'depthwise_kernel'),
          fusesActivation: true,
          config: {
            kernel_size: [kh, kw],
            depth_multiplier: multiplier,
            ...convConfig(c),
            dilation_rate: [1, 1],
          },
        };
      },
    },
  },
  {
    ...POOLED,
    code: OP_MAX_POOL2D,
    name: 'maxPool2d',
    display: 'max pool 2-D',
    attributes: ['kernel', 'strides', 'padding'],
    outputShape: poolShape,
    keras: {
      classNames: ['MaxPooling2D', 'MaxPooling1D'],
      aliases: ['MaxPool2D', 'MaxPool1D'],
      layer: poolLayer('MaxPooling2D'),
    },
  },
  {
    ...POOLED,
    code: OP_AVG_POOL2D,
    name: 'avgPool2d',
    display: 'average pool 2-D',
    attributes: ['kernel', 'strides', 'padding'],
    outputShape: poolShape,
    keras: {
      classNames: ['AveragePooling2D', 'AveragePooling1D'],
      aliases: ['AvgPool2D', 'AvgPool1D'],
      layer: poolLayer('AveragePooling2D'),
    },
  },
  {
    ...POOLED,
    code: OP_GLOBAL_AVG_POOL2D,
    name: 'globalAvgPool2d',
    display: 'global average pool 2-D',
    attributes: [],
    outputShape: globalPoolShape,
    keras: {
      classNames: ['GlobalAveragePooling2D', 'GlobalAveragePooling1D'],
      aliases: ['GlobalAvgPool2D', 'GlobalAvgPool1D'],
      layer: () => ({ className: 'GlobalAveragePooling2D', config: { ...IMAGE }, weights: [], fusesActivation: false }),
    },
  },
  {
    ...POOLED,
    code: OP_GLOBAL_MAX_POOL2D,
    name: 'globalMaxPool2d',
    display: 'global max pool 2-D',
    attributes: [],
    outputShape: globalPoolShape,
    keras: {
      classNames: ['GlobalMaxPooling2D', 'GlobalMaxPooling1D'],
      aliases: ['GlobalMaxPool2D', 'GlobalMaxPool1D'],
      layer: () => ({ className: 'GlobalMaxPooling2D', config: { ...IMAGE }, weights: [], fusesActivation: false }),
    },
  },
  {
    code: OP_ACTIVATION,
    name: 'activation',
    display: 'activation',
    inputs: { min: 1, max: 1 },
    attributes: [],
    compressible: false,
    channelwise: true,
    outputShape: (c) => [...c.inputs[0]!],
    // The op is its activation: sqz/tfjs writes the activation's own layer. ELU is the elu activation (tfjs-layers
    // refuses ELU layers with alpha ≠ 1).
    keras: { classNames: ['Activation', 'ReLU', 'Softmax', 'ELU'] },
  },
  {
    ...MERGE,
    code: OP_ADD,
    name: 'add',
    display: 'add',
    keras: { classNames: ['Add'], layer: mergeLayer('Add') },
  },
  {
    code: OP_RESHAPE,
    name: 'reshape',
    display: 'reshape',
    inputs: { min: 1, max: 1 },
    attributes: [],
    compressible: false,
    channelwise: true,
    outputShape(c) {
      const input = c.inputs[0]!;
      if (product(c.declared) !== product(input))
        c.fail(`cannot reshape ${formatShape(input)} to ${formatShape(c.declared)}: element counts differ`);
      return [...c.declared];
    },
    keras: {
      classNames: ['Flatten', 'Reshape'],
      layer: (c) => ({
        className: 'Reshape',
        config: { target_shape: [...c.outputShape] },
        weights: [],
        fusesActivation: false,
      }),
    },
  },
  {
    code: OP_PRELU,
    name: 'prelu',
    display: 'PReLU (leaky relu with a learned slope)',
    inputs: { min: 1, max: 1 },
    bias: { required: true, role: 'alpha' },
    attributes: [],
    compressible: false,
    channelwise: false,
    outputShape(c) {
      const input = c.inputs[0]!;
      const channels = input[input.length - 1]!,
        size = product(input);
      const alpha = c.bias!.shape;
      if (alpha.length !== 1 || (alpha[0] !== channels && alpha[0] !== size)) {
        c.fail(`alpha shape ${formatShape(alpha)} should be [${channels}] (per channel) or [${size}] (per element)`);
      }
      return [...input];
    },
    keras: {
      // LeakyReLU is a PReLU whose slope is one constant: the importer stores it per channel.
      classNames: ['PReLU', 'LeakyReLU'],
      layer: (c) => {
        const rank = c.inputShape.length;
        const perChannel = c.slotShape('bias')[0] === c.inputShape[rank - 1];
        return {
          className: 'PReLU',
          fusesActivation: false,
          config: { shared_axes: perChannel && rank > 1 ? Array.from({ length: rank - 1 }, (_, i) => i + 1) : null },
          weights: [
            {
              name: 'alpha',
              slot: 'bias',
              shape: perChannel ? [...Array<number>(rank - 1).fill(1), c.inputShape[rank - 1]!] : [...c.inputShape],
            },
          ],
        };
      },
    },
  },
  {
    code: OP_ZERO_PAD2D,
    name: 'zeroPad2d',
    display: 'zero padding 2-D',
    inputs: { min: 1, max: 1 },
    attributes: ['params'],
    compressible: false,
    channelwise: false, // a constant channel gains zeros at the edges: no longer constant
    outputShape: (c) => edgeShape(c, 1),
    keras: {
      classNames: ['ZeroPadding2D'],
      layer: (c) => ({
        className: 'ZeroPadding2D',
        config: { padding: edgePairs(c.op), ...IMAGE },
        weights: [],
        fusesActivation: false,
      }),
    },
  },
  {
    code: OP_CROP2D,
    name: 'crop2d',
    display: 'cropping 2-D',
    inputs: { min: 1, max: 1 },
    attributes: ['params'],
    compressible: false,
    channelwise: true,
    outputShape: (c) => edgeShape(c, -1),
    keras: {
      classNames: ['Cropping2D'],
      layer: (c) => ({
        className: 'Cropping2D',
        config: { cropping: edgePairs(c.op), ...IMAGE },
        weights: [],
        fusesActivation: false,
      }),
    },
  },
  {
    code: OP_UP_SAMPLING2D,
    name: 'upSampling2d',
    display: 'up-sampling 2-D (nearest)',
    inputs: { min: 1, max: 1 },
    attributes: ['params'],
    compressible: false,
    channelwise: true,
    outputShape(c) {
      const [h, w, channels] = imageInput(c) as [number, number, number];
      const [sh, sw] = paramsOf(c, ['SH', 'SW'], 1) as [number, number];
      return [h * sh, w * sw, channels];
    },
    keras: {
      classNames: ['UpSampling2D'],
      layer: (c) => ({
        className: 'UpSampling2D',
        config: { size: [...c.op.params], interpolation: 'nearest', ...IMAGE },
        weights: [],
        fusesActivation: false,
      }),
    },
  },
  {
    code: OP_CONCAT,
    name: 'concat',
    display: 'concatenate',
    inputs: { min: 2, max: Infinity },
    attributes: ['params'],
    compressible: false,
    channelwise: false,
    outputShape: concatShape,
    keras: {
      // RepeatVector(n) is n copies of its input, as [1, N], concatenated along axis 0.
      classNames: ['Concatenate', 'RepeatVector'],
      layer: (c) => ({
        className: 'Concatenate',
        config: { axis: c.op.params[0]! + 1 },
        weights: [],
        fusesActivation: false,
      }),
    },
  },
  {
    ...MERGE,
    code: OP_MULTIPLY,
    name: 'multiply',
    display: 'multiply',
    keras: { classNames: ['Multiply'], layer: mergeLayer('Multiply') },
  },
  {
    ...MERGE,
    code: OP_AVERAGE,
    name: 'average',
    display: 'average',
    keras: { classNames: ['Average'], layer: mergeLayer('Average') },
  },
  {
    ...MERGE,
    code: OP_MAXIMUM,
    name: 'maximum',
    display: 'maximum',
    keras: { classNames: ['Maximum'], layer: mergeLayer('Maximum') },
  },
  {
    ...MERGE,
    code: OP_MINIMUM,
    name: 'minimum',
    display: 'minimum',
    keras: { classNames: ['Minimum'], layer: mergeLayer('Minimum') },
  },
  {
    code: OP_TRANSPOSE,
    name: 'transpose',
    display: 'transpose (permute axes)',
    inputs: { min: 1, max: 1 },
    attributes: ['params'],
    compressible: false,
    channelwise: false,
    outputShape(c) {
      const input = c.inputs[0]!;
      const perm = c.op.params;
      if (perm.length !== input.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
        c.fail(
          `params ${formatShape(perm)} should be a permutation of the ${input.length} axes of input ${formatShape(input)}`,
        );
      }
      return perm.map((p) => input[p]!);
    },
    keras: {
      classNames: ['Permute'],
      layer: (c) => ({
        className: 'Permute',
        config: { dims: c.op.params.map((p) => p + 1) },
        weights: [],
        fusesActivation: false,
      }),
    },
  },
  {
    code: OP_RESCALE,
    name: 'rescale',
    display: 'rescale (x · scale + offset)',
    inputs: { min: 1, max: 1 },
    bias: { required: true, role: '[scale, offset]' },
    attributes: [],
    compressible: false,
    channelwise: false,
    outputShape(c) {
      if (!sameShape(c.bias!.shape, [2]))
        c.fail(`bias shape ${formatShape(c.bias!.shape)} should be [2] (scale, offset)`);
      return [...c.inputs[0]!];
    },
    keras: {
      classNames: ['Rescaling'],
      layer: (c) => {
        const [scale, offset] = c.slotValues('bias');
        return { className: 'Rescaling', config: { scale, offset }, weights: [], fusesActivation: false };
      },
    },
  },
  {
    code: OP_THRESHOLDED_RELU,
    name: 'thresholdedRelu',
    display: 'thresholded relu (x > theta ? x : 0)',
    inputs: { min: 1, max: 1 },
    bias: { required: true, role: '[theta]' },
    attributes: [],
    compressible: false,
    channelwise: false,
    outputShape(c) {
      if (!sameShape(c.bias!.shape, [1])) c.fail(`bias shape ${formatShape(c.bias!.shape)} should be [1] (theta)`);
      return [...c.inputs[0]!];
    },
    keras: {
      classNames: ['ThresholdedReLU'],
      layer: (c) => ({
        className: 'ThresholdedReLU',
        config: { theta: c.slotValues('bias')[0] },
        weights: [],
        fusesActivation: false,
      }),
    },
  },
  {
    // The kernel is stored [KH, KW, C, M] (input channel, then output channel: the output channel is the unit, as in
    // conv2d); Keras holds it as [KH, KW, M, C].
    ...WEIGHTED,
    code: OP_CONV2D_TRANSPOSE,
    name: 'conv2dTranspose',
    display: 'transposed conv 2-D',
    inputs: { min: 1, max: 1 },
    weight: { rank: 4, role: 'kernel' },
    attributes: ['strides', 'padding'],
    outputShape: transposedConvShape,
    keras: {
      classNames: ['Conv2DTranspose'],
      aliases: ['Convolution2DTranspose'],
      layer: (c) => {
        const [kh, kw, , filters] = c.slotShape('weight');
        const weights: KerasWeight[] = [{ name: 'kernel', slot: 'weight', transpose: [0, 1, 3, 2] }];
        if (c.op.bias !== 0) weights.push({ name: 'bias', slot: 'bias' });
        return {
          className: 'Conv2DTranspose',
          weights,
          fusesActivation: true,
          config: {
            filters,
            kernel_size: [kh, kw],
            ...convConfig(c),
          },
        };
      },
    },
  },
] as const satisfies readonly OpDescriptor[];

/** The name of an op: 'dense', 'conv2d', ... (the IR's op types). */
export type OpName = (typeof OPS_TABLE)[number]['name'];

/** The table, typed as descriptors. */
export const OPS: readonly OpDescriptor[] = OPS_TABLE;

const BY_NAME = new Map<string, OpDescriptor>(OPS.map((d) => [d.name, d]));
const BY_CLASS = new Map<string, OpDescriptor>(OPS.flatMap((d) => d.keras.classNames.map((c) => [c, d] as const)));

/** The descriptor of OP_* `code`, or undefined for a code with no entry. */
export function opByCode(code: number): OpDescriptor | undefined {
  return Number.isInteger(code) && code >= 1 ? OPS[code - 1] : undefined;
}

/** The descriptor named `name` (an OpName), or undefined. */
export function opByName(name: string): OpDescriptor | undefined {
  return BY_NAME.get(name);
}

/** The descriptor of the op a tfjs-layers class (getClassName()) imports as, or undefined. */
export function opByKerasClass(className: string): OpDescriptor | undefined {
  return BY_CLASS.get(className);
}

/** The name of OP_* `code` for messages and reports: its descriptor's name, else "op type <code>". */
export function opName(code: number): string {
  return opByCode(code)?.name ?? `op type ${code}`;
}
