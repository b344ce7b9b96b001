// Turns one tfjs-layers layer call into importer ops (compiler/import/raw_graph.ts).
// Shapes are per sample; the value indices of the call's inputs and output are allocated by the caller.
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import type { Activation, IROp, IRTensor } from '../ir/graph.js';
import { SUPPORTED_ACTIVATIONS_TEXT, SUPPORTED_LAYERS_TEXT, unsupportedLayer } from './errors.js';
import { addValue, type RawGraph } from './raw_graph.js';

/** A tfjs-layers Layer (the package does not export the class type at its top level). */
export type Layer = SymbolicTensor['sourceLayer'];

/** One application of a layer: value indices it reads and the value index it writes. */
export interface LayerCall {
  layer: Layer;
  className: string;
  name: string;
  inputs: number[];
  output: number;
}

type Config = Record<string, unknown>;
type ActivationSpec = { activation: Activation; clipMax?: number };

function fail(call: LayerCall, problem: string, advice: string): never {
  throw unsupportedLayer(call.name, call.className, problem, advice);
}

/** Maps a tfjs activation identifier (as getConfig() serializes it) to the IR's activation. */
function mapActivation(call: LayerCall, identifier: unknown): ActivationSpec {
  const name = identifier == null ? 'linear' : String(identifier);
  switch (name) {
    case 'linear': case 'relu': case 'sigmoid': case 'tanh': case 'softmax':
      return { activation: name };
    case 'relu6':
      return { activation: 'relu', clipMax: 6 };
    default:
      return fail(call, `uses activation '${name}', which sqz does not support`,
        `supported activations: ${SUPPORTED_ACTIVATIONS_TEXT}`);
  }
}

/** Copies a layer weight (a LayerVariable held in the named property) out of tfjs, or undefined if absent. */
function readWeight(layer: Layer, property: string): IRTensor | undefined {
  const variable = (layer as unknown as Record<string, { read(): { shape: number[]; dataSync(): ArrayLike<number> } } | null>)[property];
  if (variable == null) return undefined;
  const tensor = variable.read();
  return { shape: [...tensor.shape], values: Float32Array.from(tensor.dataSync()) };
}

function requireWeight(call: LayerCall, property: string): IRTensor {
  const weight = readWeight(call.layer, property);
  if (weight === undefined) fail(call, `has no '${property}' weight`, 'the model file may be incomplete');
  return weight;
}

function pair(value: unknown, fallback: [number, number]): [number, number] {
  if (value == null) return fallback;
  if (typeof value === 'number') return [value, value];
  const list = value as number[];
  return [list[0]!, list[1] ?? list[0]!];
}

function shapeOf(graph: RawGraph, value: number): number[] {
  return graph.values[value]!.shape;
}

function requireRank(graph: RawGraph, call: LayerCall, rank: number): void {
  const shape = shapeOf(graph, call.inputs[0]!);
  if (shape.length !== rank) {
    fail(call, `has an input of shape [${shape.join(', ')}]`, `sqz needs a rank-${rank} input (per sample) here`);
  }
}

function checkConvGeometry(call: LayerCall, config: Config): 'valid' | 'same' {
  const dilation = pair(config['dilationRate'], [1, 1]);
  if (dilation[0] !== 1 || dilation[1] !== 1) {
    fail(call, `uses dilation rate [${dilation.join(', ')}]`, 'sqz supports dilation rate 1 only');
  }
  return checkPadding(call, config);
}

function checkPadding(call: LayerCall, config: Config): 'valid' | 'same' {
  const padding = config['padding'] ?? 'valid';
  if (padding !== 'valid' && padding !== 'same') {
    fail(call, `uses padding '${String(padding)}'`, "sqz supports padding 'valid' and 'same'");
  }
  return padding;
}

/**
 * Dense applies to the last axis. On a vector that is the IR's dense op; on [H, W, C] it is a 1×1 conv2d;
 * on [T, C] a 1×1 conv2d between reshapes to [1, T, C] and back (the IR's dense flattens its input instead).
 */
function lowerDense(graph: RawGraph, call: LayerCall, config: Config): void {
  const kernel = requireWeight(call, 'kernel');
  const bias = readWeight(call.layer, 'bias');
  const act = mapActivation(call, config['activation']);
  const inShape = shapeOf(graph, call.inputs[0]!);
  const [n, m] = kernel.shape as [number, number];
  if (inShape.length === 1) {
    graph.ops.push({ type: 'dense', name: call.name, inputs: [call.inputs[0]!], output: call.output, kernel, bias, ...act });
    return;
  }
  const kernel4: IRTensor = { shape: [1, 1, n, m], values: kernel.values };
  const conv = (input: number, output: number): IROp =>
    ({ type: 'conv2d', name: call.name, inputs: [input], output, kernel: kernel4, bias, strides: [1, 1], padding: 'valid', ...act });
  if (inShape.length === 3) {
    graph.ops.push(conv(call.inputs[0]!, call.output));
  } else if (inShape.length === 2) {
    const t = inShape[0]!;
    const asImage = addValue(graph, `${call.name}/as_image`, [1, t, n]);
    const convOut = addValue(graph, `${call.name}/conv`, [1, t, m]);
    graph.ops.push({ type: 'reshape', name: call.name, inputs: [call.inputs[0]!], output: asImage, activation: 'linear' });
    graph.ops.push(conv(asImage, convOut));
    graph.ops.push({ type: 'reshape', name: call.name, inputs: [convOut], output: call.output, activation: 'linear' });
  } else {
    fail(call, `has an input of rank ${inShape.length} per sample`, 'sqz supports Dense on rank 1, 2 or 3 inputs');
  }
}

function lowerConv(graph: RawGraph, call: LayerCall, config: Config, depthwise: boolean): void {
  requireRank(graph, call, 3);
  const padding = checkConvGeometry(call, config);
  const kernel = requireWeight(call, depthwise ? 'depthwiseKernel' : 'kernel');
  graph.ops.push({
    type: depthwise ? 'depthwiseConv2d' : 'conv2d', name: call.name, inputs: [call.inputs[0]!], output: call.output,
    kernel, bias: readWeight(call.layer, 'bias'), strides: pair(config['strides'], [1, 1]), padding,
    ...mapActivation(call, config['activation']),
  });
}

function lowerPool(graph: RawGraph, call: LayerCall, config: Config, type: 'maxPool2d' | 'avgPool2d'): void {
  requireRank(graph, call, 3);
  const poolSize = pair(config['poolSize'], [2, 2]);
  graph.ops.push({
    type, name: call.name, inputs: [call.inputs[0]!], output: call.output, poolSize,
    strides: pair(config['strides'], poolSize), padding: checkPadding(call, config), activation: 'linear',
  });
}

function lowerBatchNorm(graph: RawGraph, call: LayerCall, config: Config): void {
  const rank = shapeOf(graph, call.inputs[0]!).length;
  const axis = Number(config['axis'] ?? -1);
  if (axis !== -1 && axis !== rank) {
    fail(call, `normalizes axis ${axis} of a rank-${rank + 1} input (batch included)`,
      'sqz supports BatchNormalization over the last axis only (axis -1)');
  }
  const epsilon = Number(config['epsilon'] ?? 1e-3);
  const mean = requireWeight(call, 'movingMean').values;
  const variance = requireWeight(call, 'movingVariance').values;
  const gamma = readWeight(call.layer, 'gamma')?.values;
  const beta = readWeight(call.layer, 'beta')?.values;
  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let c = 0; c < mean.length; c++) {
    const s = (gamma?.[c] ?? 1) / Math.sqrt(variance[c]! + epsilon);
    scale[c] = s;
    shift[c] = (beta?.[c] ?? 0) - mean[c]! * s;
  }
  graph.ops.push({ type: 'batchNorm', name: call.name, inputs: [call.inputs[0]!], output: call.output, scale, shift });
}

function lowerSoftmaxLayer(graph: RawGraph, call: LayerCall, config: Config): void {
  const rank = shapeOf(graph, call.inputs[0]!).length + 1;
  const raw = config['axis'];
  const axes = Array.isArray(raw) ? (raw as number[]) : [raw == null ? 1 : Number(raw)];
  if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== rank - 1)) {
    fail(call, `takes softmax over axis ${JSON.stringify(raw)} of a rank-${rank} input (batch included)`,
      'sqz supports softmax over the last axis only');
  }
  graph.ops.push({ type: 'activation', name: call.name, inputs: [call.inputs[0]!], output: call.output, activation: 'softmax' });
}

function pushActivation(graph: RawGraph, call: LayerCall, act: ActivationSpec): void {
  if (act.activation === 'linear') {
    graph.ops.push({ type: 'identity', name: call.name, inputs: [call.inputs[0]!], output: call.output });
  } else {
    graph.ops.push({ type: 'activation', name: call.name, inputs: [call.inputs[0]!], output: call.output, ...act });
  }
}

/** Appends the ops for one layer call to `graph`. Throws UnsupportedModelError naming the layer otherwise. */
export function lowerLayer(graph: RawGraph, call: LayerCall): void {
  const config = call.layer.getConfig() as Config;
  switch (call.className) {
    case 'Dense': return lowerDense(graph, call, config);
    case 'Conv2D': return lowerConv(graph, call, config, false);
    case 'DepthwiseConv2D': return lowerConv(graph, call, config, true);
    case 'MaxPooling2D': return lowerPool(graph, call, config, 'maxPool2d');
    case 'AveragePooling2D': return lowerPool(graph, call, config, 'avgPool2d');
    case 'GlobalAveragePooling2D': case 'GlobalMaxPooling2D':
      requireRank(graph, call, 3);
      graph.ops.push({
        type: call.className === 'GlobalAveragePooling2D' ? 'globalAvgPool2d' : 'globalMaxPool2d',
        name: call.name, inputs: [call.inputs[0]!], output: call.output, activation: 'linear',
      });
      return;
    case 'BatchNormalization': return lowerBatchNorm(graph, call, config);
    case 'Activation': return pushActivation(graph, call, mapActivation(call, config['activation']));
    case 'ReLU': {
      const maxValue = config['maxValue'];
      if (maxValue != null && !(Number(maxValue) > 0)) {
        fail(call, `has maxValue ${String(maxValue)}`, 'sqz supports ReLU with maxValue > 0 or unset');
      }
      return pushActivation(graph, call, maxValue == null ? { activation: 'relu' } : { activation: 'relu', clipMax: Number(maxValue) });
    }
    case 'Softmax': return lowerSoftmaxLayer(graph, call, config);
    case 'Add': {
      const shapes = call.inputs.map((v) => shapeOf(graph, v).join(','));
      if (call.inputs.length < 2 || shapes.some((s) => s !== shapes[0])) {
        fail(call, `adds inputs of shapes ${shapes.map((s) => `[${s}]`).join(' and ')}`,
          'sqz supports Add of two or more inputs of equal shape (no broadcasting)');
      }
      graph.ops.push({ type: 'add', name: call.name, inputs: [...call.inputs], output: call.output, activation: 'linear' });
      return;
    }
    case 'Flatten': case 'Reshape':
      graph.ops.push({ type: 'reshape', name: call.name, inputs: [call.inputs[0]!], output: call.output, activation: 'linear' });
      return;
    case 'Dropout': case 'SpatialDropout1D': case 'GaussianNoise': case 'GaussianDropout': case 'AlphaDropout':
      graph.ops.push({ type: 'identity', name: call.name, inputs: [call.inputs[0]!], output: call.output });
      return;
    default:
      fail(call, 'is not supported by sqz', `supported layers: ${SUPPORTED_LAYERS_TEXT}`);
  }
}
