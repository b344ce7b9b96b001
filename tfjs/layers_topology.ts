// Rebuilds a tfjs-layers functional model (Keras JSON topology + named f32 weights) from a decoded .sqz graph, one
// or two layers per op. The weights are the file's values decoded to f32 by formats/ (the dequantized model); the
// graph already has BatchNorm folded and activations fused, so every op maps to a stock Keras layer.
//
// Names: op i becomes layer `op<i>_<type>`; an activation that the layer cannot fuse (relu with a clip, any
// activation after a pool, add or reshape) is a second layer `op<i>_<activation>`, and a dense op on a value of
// rank > 1 (sqz flattens it, Keras would apply the dense to the last axis) gets an `op<i>_flatten` before it.

import {
  ACT_LINEAR, ACT_RELU, ACT_RELU_CLIP, ACT_SIGMOID, ACT_SOFTMAX, ACT_TANH, ERR_UNSUPPORTED, OP_ACTIVATION, OP_ADD,
  OP_AVG_POOL2D, OP_CONV2D, OP_DENSE, OP_DEPTHWISE_CONV2D, OP_GLOBAL_AVG_POOL2D, OP_GLOBAL_MAX_POOL2D, OP_MAX_POOL2D,
  OP_RESHAPE, PAD_SAME,
} from '../formats/constants.js';
import { SqzFormatError } from '../formats/errors.js';
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

/** Activations a Dense / Conv2D / DepthwiseConv2D layer takes as its `activation` argument. */
const FUSABLE_ACTIVATIONS: Record<number, string> = {
  [ACT_LINEAR]: 'linear', [ACT_RELU]: 'relu', [ACT_SIGMOID]: 'sigmoid', [ACT_TANH]: 'tanh', [ACT_SOFTMAX]: 'softmax',
};

const OP_NAMES: Record<number, string> = {
  [OP_DENSE]: 'dense', [OP_CONV2D]: 'conv2d', [OP_DEPTHWISE_CONV2D]: 'depthwise', [OP_MAX_POOL2D]: 'max_pool',
  [OP_AVG_POOL2D]: 'avg_pool', [OP_GLOBAL_AVG_POOL2D]: 'global_avg_pool', [OP_GLOBAL_MAX_POOL2D]: 'global_max_pool',
  [OP_ACTIVATION]: 'activation', [OP_ADD]: 'add', [OP_RESHAPE]: 'reshape',
};

const WEIGHTED_OPS = new Set([OP_DENSE, OP_CONV2D, OP_DEPTHWISE_CONV2D]);

function padding(op: OpMessage): 'same' | 'valid' {
  return op.padding === PAD_SAME ? 'same' : 'valid';
}

/** sqz leaves strides empty for [1, 1]; Keras pools default their strides to the pool size, so always say them. */
function strides(op: OpMessage): number[] {
  return op.strides.length === 2 ? [...op.strides] : [1, 1];
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
      class_name: className, name, config: { name, trainable: true, dtype: 'float32', ...config },
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
    const opName = OP_NAMES[op.type];
    if (opName === undefined) throw new SqzFormatError(ERR_UNSUPPORTED, `op ${i}: op type ${op.type} has no tfjs layer`);
    const base = `op${i}_${opName}`;
    let inbound = op.inputs.map((v) => producer.get(v)!);
    const fusable = WEIGHTED_OPS.has(op.type) ? FUSABLE_ACTIVATIONS[op.activation] : undefined;
    const config: Record<string, unknown> = {};
    if (fusable !== undefined) config.activation = fusable;
    let className: string;
    switch (op.type) {
      case OP_DENSE: {
        const inputShape = model.values[op.inputs[0]!]!.shape;
        if (inputShape.length > 1) inbound = [addLayer('Flatten', `op${i}_flatten`, inbound, {})];
        className = 'Dense';
        Object.assign(config, { units: model.tensors[op.weight - 1]!.shape[1], use_bias: op.bias !== 0 });
        break;
      }
      case OP_CONV2D: {
        const [kh, kw, , filters] = model.tensors[op.weight - 1]!.shape;
        className = 'Conv2D';
        Object.assign(config, {
          filters, kernel_size: [kh, kw], strides: strides(op), padding: padding(op), data_format: 'channels_last',
          dilation_rate: [1, 1], use_bias: op.bias !== 0,
        });
        break;
      }
      case OP_DEPTHWISE_CONV2D: {
        const [kh, kw, , multiplier] = model.tensors[op.weight - 1]!.shape;
        className = 'DepthwiseConv2D';
        Object.assign(config, {
          kernel_size: [kh, kw], depth_multiplier: multiplier, strides: strides(op), padding: padding(op),
          data_format: 'channels_last', dilation_rate: [1, 1], use_bias: op.bias !== 0,
        });
        break;
      }
      case OP_MAX_POOL2D:
      case OP_AVG_POOL2D:
        className = op.type === OP_MAX_POOL2D ? 'MaxPooling2D' : 'AveragePooling2D';
        Object.assign(config, { pool_size: [...op.kernel], strides: strides(op), padding: padding(op), data_format: 'channels_last' });
        break;
      case OP_GLOBAL_AVG_POOL2D:
      case OP_GLOBAL_MAX_POOL2D:
        className = op.type === OP_GLOBAL_AVG_POOL2D ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D';
        config.data_format = 'channels_last';
        break;
      case OP_ADD:
        className = 'Add';
        break;
      case OP_RESHAPE:
        className = 'Reshape';
        config.target_shape = [...model.values[op.outputs[0]!]!.shape];
        break;
      default: // OP_ACTIVATION: the activation layer below is the whole op
        className = '';
    }
    let last = className === '' ? undefined : addLayer(className, base, inbound, config);
    if (last !== undefined && WEIGHTED_OPS.has(op.type)) {
      const kernelName = op.type === OP_DEPTHWISE_CONV2D ? 'depthwise_kernel' : 'kernel';
      const kernel = model.tensors[op.weight - 1]!;
      weights.push({ name: `${last}/${kernelName}`, shape: [...kernel.shape], values: tensorValues(op.weight) });
      if (op.bias !== 0) {
        const bias = model.tensors[op.bias - 1]!;
        weights.push({ name: `${last}/bias`, shape: [...bias.shape], values: tensorValues(op.bias) });
      }
    }
    if (fusable === undefined && (op.activation !== ACT_LINEAR || last === undefined)) {
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

/** The standalone layer for op `i`'s activation: ReLU with max_value for relu-clip, else an Activation layer. */
function activationLayer(op: OpMessage, i: number, inbound: string[], addLayer: AddLayer): string {
  if (op.activation === ACT_RELU_CLIP) return addLayer('ReLU', `op${i}_relu_clip`, inbound, { max_value: op.clipMax });
  const name = FUSABLE_ACTIVATIONS[op.activation];
  if (name === undefined) throw new SqzFormatError(ERR_UNSUPPORTED, `op ${i}: activation ${op.activation} has no tfjs layer`);
  return addLayer('Activation', `op${i}_${name}`, inbound, { activation: name });
}
