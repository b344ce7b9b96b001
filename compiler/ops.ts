// The compiler's half of the op table (formats/ops.ts): for each op, how the tfjs-layers classes its descriptor lists
// lower to it at import (compiler/import/lower_layer.ts dispatches here), and its differentiable forward pass in
// tfjs-core ops, which `sqz compress` trains through (compiler/ir/forward.ts runs it). Activations need nothing here:
// their forward is tfjs-layers' own, by the Keras identifier in formats/activations.ts.
import * as tf from '@tensorflow/tfjs-core';
import type { OpName } from '../formats/ops.js';
import {
  checkConvGeometry,
  checkPadding,
  fail,
  type LayerCall,
  type LayerConfig,
  mapActivation,
  pair,
  readWeight,
  requireRank,
  requireWeight,
  shapeOf,
} from './import/layer_call.js';
import { addValue, type RawGraph } from './import/raw_graph.js';
import type { IROp, IRTensor } from './ir/graph.js';

/** Lowers one layer call (of a class the op's descriptor lists) by appending ops to `graph`. */
type LowerFn = (graph: RawGraph, call: LayerCall, config: LayerConfig) => void;

/** What one op's forward pass sees: its inputs (batch outermost), its weights as tensors, the batch size. */
interface ForwardContext {
  op: IROp;
  xs: tf.Tensor[];
  batch: number;
  /** Per-sample shape of the op's output value. */
  outputShape: number[];
  /** The kernel (weight slot), or a clear error when the op has none. */
  kernel(): tf.Tensor;
  /** The bias slot's tensor, or undefined. */
  bias(): tf.Tensor | undefined;
}

/** The op's output before its fused activation. */
type ForwardFn = (c: ForwardContext) => tf.Tensor;

export interface CompilerOp {
  lower: LowerFn;
  forward: ForwardFn;
}

const addBias = (x: tf.Tensor, bias: tf.Tensor | undefined): tf.Tensor => (bias === undefined ? x : tf.add(x, bias));
const strides = (op: IROp): [number, number] => op.strides ?? [1, 1];
const padding = (op: IROp): 'valid' | 'same' => op.padding ?? 'valid';

/**
 * Dense applies to the last axis. On a vector that is the IR's dense op; on [H, W, C] it is a 1×1 conv2d;
 * on [T, C] a 1×1 conv2d between reshapes to [1, T, C] and back (the IR's dense flattens its input instead).
 */
function lowerDense(graph: RawGraph, call: LayerCall, config: LayerConfig): void {
  const kernel = requireWeight(call, 'kernel');
  const bias = readWeight(call.layer, 'bias');
  const act = mapActivation(call, config['activation']);
  const inShape = shapeOf(graph, call.inputs[0]!);
  const [n, m] = kernel.shape as [number, number];
  if (inShape.length === 1) {
    graph.ops.push({
      type: 'dense',
      name: call.name,
      inputs: [call.inputs[0]!],
      output: call.output,
      kernel,
      bias,
      ...act,
    });
    return;
  }
  const kernel4: IRTensor = { shape: [1, 1, n, m], values: kernel.values };
  const conv = (input: number, output: number): IROp => ({
    type: 'conv2d',
    name: call.name,
    inputs: [input],
    output,
    kernel: kernel4,
    bias,
    strides: [1, 1],
    padding: 'valid',
    ...act,
  });
  if (inShape.length === 3) {
    graph.ops.push(conv(call.inputs[0]!, call.output));
  } else if (inShape.length === 2) {
    const t = inShape[0]!;
    const asImage = addValue(graph, `${call.name}/as_image`, [1, t, n]);
    const convOut = addValue(graph, `${call.name}/conv`, [1, t, m]);
    graph.ops.push({
      type: 'reshape',
      name: call.name,
      inputs: [call.inputs[0]!],
      output: asImage,
      activation: 'linear',
    });
    graph.ops.push(conv(asImage, convOut));
    graph.ops.push({ type: 'reshape', name: call.name, inputs: [convOut], output: call.output, activation: 'linear' });
  } else {
    fail(call, `has an input of rank ${inShape.length} per sample`, 'sqz supports Dense on rank 1, 2 or 3 inputs');
  }
}

function lowerConv(type: 'conv2d' | 'depthwiseConv2d'): LowerFn {
  return (graph, call, config) => {
    if (call.className === 'Conv1D') return lowerConv1d(graph, call, config);
    if (call.className === 'SeparableConv2D') return lowerSeparable(graph, call, config);
    requireRank(graph, call, 3);
    const padding = checkConvGeometry(call, config);
    const kernel = requireWeight(call, type === 'depthwiseConv2d' ? 'depthwiseKernel' : 'kernel');
    graph.ops.push({
      type,
      name: call.name,
      inputs: [call.inputs[0]!],
      output: call.output,
      kernel,
      bias: readWeight(call.layer, 'bias'),
      strides: pair(config['strides'], [1, 1]),
      padding,
      ...mapActivation(call, config['activation']),
    });
  };
}

/**
 * A 1-D layer on [T, C] as its 2-D op on [1, T, C]: a reshape in, the ops `body` pushes (reading the image value
 * it is given and writing the one it returns, of shape [1, T', C']), a reshape out to the layer's output.
 */
function asImage(graph: RawGraph, call: LayerCall, body: (image: number) => number): void {
  const shape = shapeOf(graph, call.inputs[0]!);
  if (shape.length !== 2)
    fail(call, `has an input of shape [${shape.join(', ')}]`, 'sqz needs a [steps, channels] input (per sample) here');
  const image = addValue(graph, `${call.name}/as_image`, [1, ...shape]);
  graph.ops.push({ type: 'reshape', name: call.name, inputs: [call.inputs[0]!], output: image, activation: 'linear' });
  const result = body(image);
  graph.ops.push({ type: 'reshape', name: call.name, inputs: [result], output: call.output, activation: 'linear' });
}

/** The layer's one-number config (Keras 1-D sizes are lists of one). */
function single(value: unknown, fallback: number): number {
  return value == null ? fallback : Array.isArray(value) ? Number(value[0]) : Number(value);
}

/**
 * Conv1D on [T, C], kernel [K, C, M]: a conv2d with kernel [1, K, C, M] and strides [1, S] on [1, T, C]. 'causal'
 * padding is refused: tfjs-layers computes its output length as 'valid' would and cannot run it, so the model's own
 * shapes after such a layer are not the layer's.
 */
function lowerConv1d(graph: RawGraph, call: LayerCall, config: LayerConfig): void {
  const dilation = single(config['dilationRate'], 1);
  if (dilation !== 1) fail(call, `uses dilation rate ${dilation}`, 'sqz supports dilation rate 1 only');
  if (config['padding'] === 'causal') {
    fail(
      call,
      "uses padding 'causal', which tfjs-layers cannot run (it gives the layer a 'valid' output length)",
      "sqz supports Conv1D with padding 'valid' or 'same'",
    );
  }
  const padding = checkPadding(call, config);
  const kernel = requireWeight(call, 'kernel');
  const [k, c, m] = kernel.shape as [number, number, number];
  const stride = single(config['strides'], 1);
  asImage(graph, call, (image) => {
    const [, t] = graph.values[image]!.shape as [number, number, number];
    const out = padding === 'same' ? Math.ceil(t / stride) : Math.ceil((t - k + 1) / stride);
    const result = addValue(graph, `${call.name}/conv`, [1, out, m]);
    graph.ops.push({
      type: 'conv2d',
      name: call.name,
      inputs: [image],
      output: result,
      kernel: { shape: [1, k, c, m], values: kernel.values },
      bias: readWeight(call.layer, 'bias'),
      strides: [1, stride],
      padding,
      ...mapActivation(call, config['activation']),
    });
    return result;
  });
}

/**
 * SeparableConv2D: a depthwise conv (its strides and padding, no bias) and a 1×1 conv2d (the pointwise kernel, the
 * bias and the activation), both compressible. Depthwise output channel c·D + d is the pointwise input channel,
 * as in tfjs.
 */
function lowerSeparable(graph: RawGraph, call: LayerCall, config: LayerConfig): void {
  requireRank(graph, call, 3);
  const padding = checkConvGeometry(call, config);
  const depthwise = requireWeight(call, 'depthwiseKernel');
  const pointwise = requireWeight(call, 'pointwiseKernel');
  const [kh, kw, c, d] = depthwise.shape as [number, number, number, number];
  const [h, w] = shapeOf(graph, call.inputs[0]!) as [number, number];
  const [sh, sw] = pair(config['strides'], [1, 1]);
  const axis = (size: number, k: number, s: number) =>
    padding === 'same' ? Math.ceil(size / s) : Math.ceil((size - k + 1) / s);
  const middle = addValue(graph, `${call.name}/depthwise`, [axis(h, kh, sh), axis(w, kw, sw), c * d]);
  graph.ops.push({
    type: 'depthwiseConv2d',
    name: `${call.name}/depthwise`,
    inputs: [call.inputs[0]!],
    output: middle,
    kernel: depthwise,
    strides: [sh, sw],
    padding,
    activation: 'linear',
  });
  graph.ops.push({
    type: 'conv2d',
    name: `${call.name}/pointwise`,
    inputs: [middle],
    output: call.output,
    kernel: pointwise,
    bias: readWeight(call.layer, 'bias'),
    strides: [1, 1],
    padding: 'valid',
    ...mapActivation(call, config['activation']),
  });
}

/**
 * Conv2DTranspose: a conv2dTranspose op whose kernel is stored [KH, KW, C, M] (tfjs holds it [KH, KW, M, C]), so its
 * last axis is the output channel as in every compressible kernel.
 */
const lowerConvTranspose: LowerFn = (graph, call, config) => {
  requireRank(graph, call, 3);
  const padding = checkConvGeometry(call, config);
  const outputPadding = config['outputPadding'];
  if (outputPadding != null)
    fail(
      call,
      `has outputPadding ${JSON.stringify(outputPadding)}`,
      'sqz supports Conv2DTranspose without outputPadding',
    );
  const kernel = requireWeight(call, 'kernel');
  const [kh, kw, m, c] = kernel.shape as [number, number, number, number];
  const values = new Float32Array(kernel.values.length);
  for (let tap = 0; tap < kh * kw; tap++) {
    for (let o = 0; o < m; o++)
      for (let i = 0; i < c; i++) values[(tap * c + i) * m + o] = kernel.values[(tap * m + o) * c + i]!;
  }
  graph.ops.push({
    type: 'conv2dTranspose',
    name: call.name,
    inputs: [call.inputs[0]!],
    output: call.output,
    kernel: { shape: [kh, kw, c, m], values },
    bias: readWeight(call.layer, 'bias'),
    strides: pair(config['strides'], [1, 1]),
    padding,
    ...mapActivation(call, config['activation']),
  });
};

function lowerPool(type: 'maxPool2d' | 'avgPool2d'): LowerFn {
  return (graph, call, config) => {
    if (call.className.endsWith('1D')) {
      // MaxPooling1D / AveragePooling1D on [T, C]: the 2-D pool with window [1, K] and strides [1, S] on [1, T, C].
      const size = single(config['poolSize'], 2);
      const stride = single(config['strides'], size);
      const padding = checkPadding(call, config);
      asImage(graph, call, (image) => {
        const [, t, c] = graph.values[image]!.shape as [number, number, number];
        const out = padding === 'same' ? Math.ceil(t / stride) : Math.ceil((t - size + 1) / stride);
        const result = addValue(graph, `${call.name}/pool`, [1, out, c]);
        graph.ops.push({
          type,
          name: call.name,
          inputs: [image],
          output: result,
          poolSize: [1, size],
          strides: [1, stride],
          padding,
          activation: 'linear',
        });
        return result;
      });
      return;
    }
    requireRank(graph, call, 3);
    const poolSize = pair(config['poolSize'], [2, 2]);
    graph.ops.push({
      type,
      name: call.name,
      inputs: [call.inputs[0]!],
      output: call.output,
      poolSize,
      strides: pair(config['strides'], poolSize),
      padding: checkPadding(call, config),
      activation: 'linear',
    });
  };
}

/** Global pools; the 1-D ones on [T, C] pool [1, T, C]. */
function lowerGlobalPool(type: 'globalAvgPool2d' | 'globalMaxPool2d'): LowerFn {
  return (graph, call) => {
    const shape = shapeOf(graph, call.inputs[0]!);
    if (call.className.endsWith('1D')) {
      if (shape.length !== 2)
        fail(
          call,
          `has an input of shape [${shape.join(', ')}]`,
          'sqz needs a [steps, channels] input (per sample) here',
        );
      const image = addValue(graph, `${call.name}/as_image`, [1, ...shape]);
      graph.ops.push({
        type: 'reshape',
        name: call.name,
        inputs: [call.inputs[0]!],
        output: image,
        activation: 'linear',
      });
      graph.ops.push({ type, name: call.name, inputs: [image], output: call.output, activation: 'linear' });
      return;
    }
    requireRank(graph, call, 3);
    graph.ops.push({ type, name: call.name, inputs: [call.inputs[0]!], output: call.output, activation: 'linear' });
  };
}

/** Softmax over the last axis only. */
function softmaxAxisCheck(graph: RawGraph, call: LayerCall, config: LayerConfig): void {
  const rank = shapeOf(graph, call.inputs[0]!).length + 1;
  const raw = config['axis'];
  const axes = Array.isArray(raw) ? (raw as number[]) : [raw == null ? 1 : Number(raw)];
  if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== rank - 1)) {
    fail(
      call,
      `takes softmax over axis ${JSON.stringify(raw)} of a rank-${rank} input (batch included)`,
      'sqz supports softmax over the last axis only',
    );
  }
}

/** Activation, ReLU, Softmax and ELU layers: an activation op (a linear one is an identity, removed at import). */
const lowerActivation: LowerFn = (graph, call, config) => {
  let act;
  if (call.className === 'ReLU') {
    const maxValue = config['maxValue'];
    if (maxValue != null && !(Number(maxValue) > 0)) {
      fail(call, `has maxValue ${String(maxValue)}`, 'sqz supports ReLU with maxValue > 0 or unset');
    }
    act =
      maxValue == null ? { activation: 'relu' as const } : { activation: 'relu' as const, clipMax: Number(maxValue) };
  } else if (call.className === 'ELU') {
    const alpha = Number(config['alpha'] ?? 1);
    if (alpha !== 1) fail(call, `has alpha ${alpha}`, 'sqz supports ELU with alpha 1 (as tfjs-layers does)');
    act = { activation: 'elu' as const };
  } else if (call.className === 'Softmax') {
    softmaxAxisCheck(graph, call, config);
    act = { activation: 'softmax' as const };
  } else {
    act = mapActivation(call, config['activation']);
  }
  if (act.activation === 'linear') {
    graph.ops.push({ type: 'identity', name: call.name, inputs: [call.inputs[0]!], output: call.output });
  } else {
    graph.ops.push({ type: 'activation', name: call.name, inputs: [call.inputs[0]!], output: call.output, ...act });
  }
};

/** Add, Multiply, Average, Maximum and Minimum: an elementwise merge op of two or more inputs of equal shape. */
function lowerMerge(type: 'add' | 'multiply' | 'average' | 'maximum' | 'minimum', verb: string): LowerFn {
  return (graph, call) => {
    const shapes = call.inputs.map((v) => shapeOf(graph, v).join(','));
    if (call.inputs.length < 2 || shapes.some((s) => s !== shapes[0])) {
      fail(
        call,
        `${verb} inputs of shapes ${shapes.map((s) => `[${s}]`).join(' and ')}`,
        `sqz supports ${call.className} of two or more inputs of equal shape (no broadcasting)`,
      );
    }
    graph.ops.push({ type, name: call.name, inputs: [...call.inputs], output: call.output, activation: 'linear' });
  };
}

/**
 * Concatenate: a concat op along the per-sample axis (Keras counts the batch as axis 0). RepeatVector(n): its input
 * [N] as [1, N], n times along axis 0 (n = 1: the reshape alone).
 */
const lowerConcat: LowerFn = (graph, call, config) => {
  const rank = shapeOf(graph, call.inputs[0]!).length;
  if (call.className === 'RepeatVector') {
    if (rank !== 1) fail(call, `has an input of rank ${rank} per sample`, 'RepeatVector takes a vector');
    const n = Number(config['n']);
    const row = addValue(graph, `${call.name}/row`, [1, ...shapeOf(graph, call.inputs[0]!)]);
    graph.ops.push({
      type: 'reshape',
      name: call.name,
      inputs: [call.inputs[0]!],
      output: n === 1 ? call.output : row,
      activation: 'linear',
    });
    if (n !== 1) {
      graph.ops.push({
        type: 'concat',
        name: call.name,
        inputs: new Array<number>(n).fill(row),
        output: call.output,
        activation: 'linear',
        params: [0],
      });
    }
    return;
  }
  const raw = Number(config['axis'] ?? -1);
  const axis = raw < 0 ? rank + 1 + raw : raw;
  if (!Number.isInteger(axis) || axis < 1 || axis > rank) {
    fail(
      call,
      `concatenates along axis ${raw} of rank-${rank + 1} inputs (batch included)`,
      'sqz concatenates along a non-batch axis',
    );
  }
  if (call.inputs.length < 2) fail(call, 'has one input', 'Concatenate needs two or more');
  graph.ops.push({
    type: 'concat',
    name: call.name,
    inputs: [...call.inputs],
    output: call.output,
    activation: 'linear',
    params: [axis - 1],
  });
};

/**
 * PReLU (alpha of the input's shape, 1 along its shared axes) and LeakyReLU (one alpha): a prelu op whose bias slot
 * holds alpha per channel [C] when it varies along the last axis only, else per element [size].
 */
const lowerPrelu: LowerFn = (graph, call, config) => {
  const shape = shapeOf(graph, call.inputs[0]!);
  const channels = shape[shape.length - 1]!,
    size = shape.reduce((a, b) => a * b, 1);
  let alpha: Float32Array;
  if (call.className === 'LeakyReLU') {
    alpha = new Float32Array(channels).fill(Number(config['alpha'] ?? 0.3));
  } else {
    const weight = requireWeight(call, 'alpha');
    const perChannel =
      weight.shape.slice(0, -1).every((d) => d === 1) && weight.shape[weight.shape.length - 1] === channels;
    alpha = perChannel ? weight.values : broadcastTo(weight, shape);
  }
  graph.ops.push({
    type: 'prelu',
    name: call.name,
    inputs: [call.inputs[0]!],
    output: call.output,
    activation: 'linear',
    bias: { shape: [alpha.length === channels ? channels : size], values: alpha },
  });
};

/** `t` (each dimension 1 or `shape`'s) repeated along its size-1 dimensions to `shape`, flat. */
function broadcastTo(t: IRTensor, shape: number[]): Float32Array {
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    let from = 0;
    for (let d = 0; d < shape.length; d++) from = from * t.shape[d]! + (t.shape[d] === 1 ? 0 : index[d]!);
    out[i] = t.values[from]!;
    for (let d = shape.length - 1; d >= 0 && ++index[d]! === shape[d]; d--) index[d] = 0;
  }
  return out;
}

/** [top, bottom, left, right] of a Keras 2-D edge config (ZeroPadding2D's padding, Cropping2D's cropping). */
function edges(call: LayerCall, value: unknown): number[] {
  const pairOf = (v: unknown): [number, number] => (typeof v === 'number' ? [v, v] : pair(v, [0, 0]));
  const [rows, cols] =
    typeof value === 'number'
      ? [
          [value, value],
          [value, value],
        ]
      : Array.isArray(value) && value.length === 2
        ? [pairOf(value[0]), pairOf(value[1])]
        : [
            [NaN, NaN],
            [NaN, NaN],
          ];
  const out = [...rows!, ...cols!];
  if (!out.every((v) => Number.isInteger(v) && v >= 0)) {
    fail(
      call,
      `has edges ${JSON.stringify(value)}`,
      'sqz needs [[top, bottom], [left, right]] of non-negative integers',
    );
  }
  return out;
}

/** ZeroPadding2D and Cropping2D: a zeroPad2d or crop2d op with params [top, bottom, left, right]. */
function lowerEdges(type: 'zeroPad2d' | 'crop2d', key: 'padding' | 'cropping'): LowerFn {
  return (graph, call, config) => {
    requireRank(graph, call, 3);
    graph.ops.push({
      type,
      name: call.name,
      inputs: [call.inputs[0]!],
      output: call.output,
      activation: 'linear',
      params: edges(call, config[key]),
    });
  };
}

/** UpSampling2D with nearest interpolation: an upSampling2d op with params [SH, SW]. */
const lowerUpSampling: LowerFn = (graph, call, config) => {
  requireRank(graph, call, 3);
  const interpolation = config['interpolation'] ?? 'nearest';
  if (interpolation !== 'nearest') {
    fail(
      call,
      `uses interpolation '${String(interpolation)}'`,
      "sqz supports UpSampling2D with interpolation 'nearest'",
    );
  }
  graph.ops.push({
    type: 'upSampling2d',
    name: call.name,
    inputs: [call.inputs[0]!],
    output: call.output,
    activation: 'linear',
    params: pair(config['size'], [2, 2]),
  });
};

/** Permute: a transpose op; Keras' dims count axes from 1 (after the batch), params from 0. */
const lowerPermute: LowerFn = (graph, call, config) => {
  const rank = shapeOf(graph, call.inputs[0]!).length;
  const dims = Array.isArray(config['dims']) ? (config['dims'] as number[]) : [];
  const perm = dims.map((d) => Number(d) - 1);
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    fail(call, `has dims ${JSON.stringify(config['dims'])}`, `sqz needs a permutation of 1..${rank}`);
  }
  graph.ops.push({
    type: 'transpose',
    name: call.name,
    inputs: [call.inputs[0]!],
    output: call.output,
    activation: 'linear',
    params: perm,
  });
};

/** A Keras layer's number `key` (finite), or the one-line error naming the layer. */
function finiteNumber(call: LayerCall, config: LayerConfig, key: string, fallback: number): number {
  const value = Number(config[key] ?? fallback);
  if (!Number.isFinite(value)) fail(call, `has ${key} ${String(config[key])}`, `sqz needs a finite ${key}`);
  return value;
}

/** Rescaling: a rescale op whose bias slot holds [scale, offset]. */
const lowerRescale: LowerFn = (graph, call, config) => {
  const values = Float32Array.of(finiteNumber(call, config, 'scale', 1), finiteNumber(call, config, 'offset', 0));
  graph.ops.push({
    type: 'rescale',
    name: call.name,
    inputs: [call.inputs[0]!],
    output: call.output,
    activation: 'linear',
    bias: { shape: [2], values },
  });
};

/** ThresholdedReLU: a thresholdedRelu op whose bias slot holds [theta]. */
const lowerThresholded: LowerFn = (graph, call, config) => {
  const values = Float32Array.of(finiteNumber(call, config, 'theta', 1));
  graph.ops.push({
    type: 'thresholdedRelu',
    name: call.name,
    inputs: [call.inputs[0]!],
    output: call.output,
    activation: 'linear',
    bias: { shape: [1], values },
  });
};

/**
 * Rescale reads its constants [scale, offset] from its bias slot, which `sqz compress` holds as trainable like every
 * bias: the gradient in them is 0 (tfjs has no stop-gradient), so training never moves them. A custom gradient whose
 * backward pass needs no forward tensor (tfjs frees those after the forward pass unless saved, and saving clones).
 */
function rescaleForward(x: tf.Tensor, p: tf.Tensor): tf.Tensor {
  const [scale, offset] = p.dataSync() as Float32Array;
  const shape = p.shape;
  const op = tf.customGrad(((input: tf.Tensor, _constants: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    return {
      value: tf.tidy(() => tf.add(tf.mul(input, scale!), offset!)),
      gradFunc: (dy: tf.Tensor) => [tf.mul(dy, scale!), tf.zeros(shape)],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
    input: tf.Tensor,
    constants: tf.Tensor,
  ) => tf.Tensor;
  return op(x, p);
}

/**
 * As tfjs-layers' ThresholdedReLU, x · (x > theta), written x · relu(sign(x − theta)) (the same mask, exactly), whose
 * gradient is dy · mask in x and 0 in theta (sign's gradient is 0), from ops every backend differentiates.
 */
function thresholdedForward(x: tf.Tensor, theta: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.relu(tf.sign(tf.sub(x, theta))));
}

/** Params [a, b, c, d] of an op as numbers (the IR sets them at import). */
const params = (op: IROp): number[] => op.params ?? [];

const lowerReshape: LowerFn = (graph, call) => {
  graph.ops.push({
    type: 'reshape',
    name: call.name,
    inputs: [call.inputs[0]!],
    output: call.output,
    activation: 'linear',
  });
};

/** Every op: its lowering and its forward, keyed by the op's name. */
export const COMPILER_OPS: Record<OpName, CompilerOp> = {
  dense: {
    lower: lowerDense,
    forward: (c) => addBias(tf.matMul(tf.reshape(c.xs[0]!, [c.batch, -1]), c.kernel()), c.bias()),
  },
  conv2d: {
    lower: lowerConv('conv2d'),
    forward: (c) =>
      addBias(tf.conv2d(c.xs[0] as tf.Tensor4D, c.kernel() as tf.Tensor4D, strides(c.op), padding(c.op)), c.bias()),
  },
  depthwiseConv2d: {
    lower: lowerConv('depthwiseConv2d'),
    forward: (c) =>
      addBias(
        tf.depthwiseConv2d(c.xs[0] as tf.Tensor4D, c.kernel() as tf.Tensor4D, strides(c.op), padding(c.op)),
        c.bias(),
      ),
  },
  maxPool2d: {
    lower: lowerPool('maxPool2d'),
    forward: (c) => tf.maxPool(c.xs[0] as tf.Tensor4D, c.op.poolSize ?? [2, 2], strides(c.op), padding(c.op)),
  },
  avgPool2d: {
    lower: lowerPool('avgPool2d'),
    forward: (c) => tf.avgPool(c.xs[0] as tf.Tensor4D, c.op.poolSize ?? [2, 2], strides(c.op), padding(c.op)),
  },
  globalAvgPool2d: { lower: lowerGlobalPool('globalAvgPool2d'), forward: (c) => tf.mean(c.xs[0]!, [1, 2]) },
  globalMaxPool2d: { lower: lowerGlobalPool('globalMaxPool2d'), forward: (c) => tf.max(c.xs[0]!, [1, 2]) },
  activation: { lower: lowerActivation, forward: (c) => c.xs[0]! },
  add: { lower: lowerMerge('add', 'adds'), forward: (c) => c.xs.slice(1).reduce((sum, y) => tf.add(sum, y), c.xs[0]!) },
  reshape: { lower: lowerReshape, forward: (c) => tf.reshape(c.xs[0]!, [c.batch, ...c.outputShape]) },
  prelu: {
    lower: lowerPrelu,
    forward: (c) => {
      const alpha = c.bias()!;
      const perChannel = alpha.size === c.outputShape[c.outputShape.length - 1];
      return tf.prelu(c.xs[0]!, perChannel ? alpha : tf.reshape(alpha, c.outputShape));
    },
  },
  zeroPad2d: {
    lower: lowerEdges('zeroPad2d', 'padding'),
    forward: (c) => {
      const [top, bottom, left, right] = params(c.op) as [number, number, number, number];
      return tf.pad(c.xs[0]!, [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ]);
    },
  },
  crop2d: {
    lower: lowerEdges('crop2d', 'cropping'),
    forward: (c) => {
      const [top, , left] = params(c.op) as [number, number, number, number];
      return tf.slice(c.xs[0]!, [0, top, left, 0], [c.batch, ...c.outputShape]);
    },
  },
  concat: { lower: lowerConcat, forward: (c) => tf.concat(c.xs, params(c.op)[0]! + 1) },
  multiply: {
    lower: lowerMerge('multiply', 'multiplies'),
    forward: (c) => c.xs.slice(1).reduce((p, y) => tf.mul(p, y), c.xs[0]!),
  },
  // As tfjs-layers: the sum, then times 1 / n.
  average: {
    lower: lowerMerge('average', 'averages'),
    forward: (c) =>
      tf.mul(
        c.xs.slice(1).reduce((sum, y) => tf.add(sum, y), c.xs[0]!),
        1 / c.xs.length,
      ),
  },
  maximum: {
    lower: lowerMerge('maximum', 'takes the maximum of'),
    forward: (c) => c.xs.slice(1).reduce((m, y) => tf.maximum(m, y), c.xs[0]!),
  },
  minimum: {
    lower: lowerMerge('minimum', 'takes the minimum of'),
    forward: (c) => c.xs.slice(1).reduce((m, y) => tf.minimum(m, y), c.xs[0]!),
  },
  conv2dTranspose: {
    lower: lowerConvTranspose,
    forward: (c) =>
      addBias(
        tf.conv2dTranspose(
          c.xs[0] as tf.Tensor4D,
          tf.transpose(c.kernel(), [0, 1, 3, 2]) as tf.Tensor4D,
          [c.batch, ...c.outputShape] as [number, number, number, number],
          strides(c.op),
          padding(c.op),
        ),
        c.bias(),
      ),
  },
  transpose: { lower: lowerPermute, forward: (c) => tf.transpose(c.xs[0]!, [0, ...params(c.op).map((p) => p + 1)]) },
  rescale: { lower: lowerRescale, forward: (c) => rescaleForward(c.xs[0]!, c.bias()!) },
  thresholdedRelu: { lower: lowerThresholded, forward: (c) => thresholdedForward(c.xs[0]!, c.bias()!) },
  upSampling2d: {
    lower: lowerUpSampling,
    // Nearest neighbour as a broadcast: [B, H, 1, W, 1, C] · ones [SH, 1, SW, 1] (differentiable on every backend:
    // tfjs-backend-wasm has no ResizeNearestNeighborGrad).
    forward: (c) => {
      const [sh, sw] = params(c.op) as [number, number];
      const [h, w, channels] = c.xs[0]!.shape.slice(1) as [number, number, number];
      const spread = tf.mul(tf.reshape(c.xs[0]!, [c.batch, h, 1, w, 1, channels]), tf.ones([1, 1, sh, 1, sw, 1]));
      return tf.reshape(spread, [c.batch, h * sh, w * sw, channels]);
    },
  },
};
