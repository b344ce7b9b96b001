// Rebuilds a tfjs-layers functional model (Keras JSON topology + named f32 weights) from a decoded .sqz graph, one
// or two layers per op. The weights are the file's values decoded to f32 by formats/ (the dequantized model); the
// graph already has BatchNorm folded and activations fused, so every op maps to the stock Keras layer its descriptor
// names (formats/ops.ts, `keras.layer`).
//
// Names: op i becomes layer `op<i>_<op name>`; an activation that the layer cannot fuse (relu with a clip, any
// activation after a pool, add or reshape) is a second layer `op<i>_<activation>`, and a dense op on a value of
// rank > 1 (sqz flattens it, Keras would apply the dense to the last axis) gets an `op<i>_flatten` before it.

import { activationByCode } from '../formats/activations.js';
import { ACT_LINEAR, ACT_RELU_CLIP, ERR_UNSUPPORTED } from '../formats/constants.js';
import { SqzFormatError } from '../formats/errors.js';
import { type KerasLayer, opByCode } from '../formats/ops.js';
import type { ModelMessage, OpMessage } from '../formats/schema.js';
import { decodeTensor } from '../formats/tensor_decode.js';

/** One layer of a Keras functional-model config (snake_case, as Keras and tfjs-layers serialize it). */
export interface KerasLayerJson {
  class_name: string;
  name: string;
  config: Record<string, unknown>;
  /** [[[inbound layer name, node index, tensor index, kwargs], ...]] */
  inbound_nodes: [string, number, number, Record<string, never>][][];
}

export interface KerasModelJson {
  class_name: 'Model';
  config: {
    name: string;
    layers: KerasLayerJson[];
    input_layers: [string, number, number][];
    output_layers: [string, number, number][];
  };
  keras_version: string;
  backend: string;
}

/** A weight as tfjs-layers names it (`<layer>/kernel`, `<layer>/bias`, `<layer>/depthwise_kernel`). */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface LayersModelParts {
  topology: KerasModelJson;
  /** In layer order. */
  weights: NamedWeight[];
}

/** The Keras identifier of an activation a layer can take as its `activation` argument, or undefined (relu-clip). */
function kerasActivation(code: number): string | undefined {
  return activationByCode(code)?.keras[0];
}

/**
 * The tfjs-layers functional model equivalent to `model` (a message readSqz has validated), and its weights
 * decoded to f32.
 * @throws SqzFormatError (ERR_UNSUPPORTED) for an op or activation this mapping does not know
 */
export function layersModelFromSqz(model: ModelMessage): LayersModelParts {
  const layers: KerasLayerJson[] = [];
  const weights: NamedWeight[] = [];
  /** Name of the layer whose output is value v. */
  const producer = new Map<number, string>();
  const decoded = new Map<number, Float32Array>();
  const tensorValues = (ref: number): Float32Array => {
    const index = ref - 1;
    let values = decoded.get(index);
    if (values === undefined) {
      values = decodeTensor(model.tensors[index]!, index);
      decoded.set(index, values);
    }
    return values;
  };
  const addLayer = (className: string, name: string, inbound: string[], config: Record<string, unknown>): string => {
    layers.push({
      class_name: className,
      name,
      config: { name, trainable: true, dtype: 'float32', ...config },
      inbound_nodes: inbound.length === 0 ? [] : [inbound.map((from) => [from, 0, 0, {}])],
    });
    return name;
  };

  model.inputs.forEach((v, k) => {
    const name = `input_${k}`;
    addLayer('InputLayer', name, [], { batch_input_shape: [null, ...model.values[v]!.shape], sparse: false });
    producer.set(v, name);
  });

  model.ops.forEach((op, i) => {
    const descriptor = opByCode(op.type);
    if (descriptor === undefined)
      throw new SqzFormatError(ERR_UNSUPPORTED, `op ${i}: op type ${op.type} has no tfjs layer`);
    let inbound = op.inputs.map((v) => producer.get(v)!);
    const spec = descriptor.keras.layer?.({
      op,
      inputShape: model.values[op.inputs[0]!]!.shape,
      outputShape: model.values[op.outputs[0]!]!.shape,
      slotShape: (slot) => model.tensors[(slot === 'weight' ? op.weight : op.bias) - 1]!.shape,
      slotValues: (slot) => tensorValues(slot === 'weight' ? op.weight : op.bias),
    });
    let last: string | undefined;
    let fused = false;
    if (spec !== undefined) {
      if (spec.flattenInput === true) inbound = [addLayer('Flatten', `op${i}_flatten`, inbound, {})];
      const fusable = spec.fusesActivation ? kerasActivation(op.activation) : undefined;
      fused = fusable !== undefined;
      last = addLayer(
        spec.className,
        `op${i}_${descriptor.name}`,
        inbound,
        fused ? { ...spec.config, activation: fusable } : spec.config,
      );
      weights.push(...layerWeights(spec, op, last, tensorValues, model));
    }
    if (!fused && (op.activation !== ACT_LINEAR || last === undefined)) {
      last = activationLayer(op, i, last === undefined ? inbound : [last], addLayer);
    }
    producer.set(op.outputs[0]!, last!);
  });

  return {
    topology: {
      class_name: 'Model',
      config: {
        name: 'sqz',
        layers,
        input_layers: model.inputs.map((v) => [producer.get(v)!, 0, 0]),
        output_layers: model.outputs.map((v) => [producer.get(v)!, 0, 0]),
      },
      keras_version: 'tfjs-layers (rebuilt from .sqz by sqz/tfjs)',
      backend: 'tensor_flow.js',
    },
    weights,
  };
}

type AddLayer = (className: string, name: string, inbound: string[], config: Record<string, unknown>) => string;

/** The named f32 weights of `spec`'s layer `layer` for op `op` (`values(ref)` decodes tensor ref − 1 once). */
function layerWeights(
  spec: KerasLayer,
  op: OpMessage,
  layer: string,
  values: (ref: number) => Float32Array,
  model: ModelMessage,
): NamedWeight[] {
  return spec.weights.map((w) => {
    const ref = w.slot === 'weight' ? op.weight : op.bias;
    const stored = model.tensors[ref - 1]!.shape;
    if (w.transpose !== undefined) {
      return {
        name: `${layer}/${w.name}`,
        shape: w.transpose.map((a) => stored[a]!),
        values: permuteAxes(values(ref), stored, w.transpose),
      };
    }
    return { name: `${layer}/${w.name}`, shape: [...(w.shape ?? stored)], values: values(ref) };
  });
}

/** `values` of `shape` with its axes permuted (output axis i = input axis perm[i]), row-major. */
function permuteAxes(values: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const outShape = perm.map((a) => shape[a]!);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(values.length);
  const index = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let from = 0;
    for (let i = 0; i < perm.length; i++) from += index[i]! * strides[perm[i]!]!;
    out[o] = values[from]!;
    for (let d = outShape.length - 1; d >= 0 && ++index[d]! === outShape[d]; d--) index[d] = 0;
  }
  return out;
}

/** The standalone layer for op `i`'s activation: ReLU with max_value for relu-clip, else an Activation layer. */
function activationLayer(op: OpMessage, i: number, inbound: string[], addLayer: AddLayer): string {
  if (op.activation === ACT_RELU_CLIP) return addLayer('ReLU', `op${i}_relu_clip`, inbound, { max_value: op.clipMax });
  const name = kerasActivation(op.activation);
  if (name === undefined)
    throw new SqzFormatError(ERR_UNSUPPORTED, `op ${i}: activation ${op.activation} has no tfjs layer`);
  return addLayer('Activation', `op${i}_${name}`, inbound, { activation: name });
}
