// Reference interpreter: runs a sqz ModelMessage op by op with the plain TypeScript kernels of this folder and
// weights decoded by formats' TypeScript decoder. The oracle for the wasm runtime.

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
} from '../../../formats/constants.js';
import { decodeTensor, type ModelMessage } from '../../../formats/index.js';
import {
  activationReference,
  addReference,
  mergeReference,
  rescaleReference,
  thresholdedReluReference,
} from './activation.js';
import { conv2dReference, type ImageShape } from './conv2d.js';
import { conv2dTransposeReference } from './conv2d_transpose.js';
import { denseReference } from './dense.js';
import { depthwiseConv2dReference } from './depthwise_conv2d.js';
import { globalPool2dReference, pool2dReference } from './pool2d.js';
import {
  concatReference,
  crop2dReference,
  transposeReference,
  upSampling2dReference,
  zeroPad2dReference,
} from './shape_ops.js';

/** The elementwise merge each merge op computes. */
const MERGE_KINDS = {
  [OP_MULTIPLY]: 'multiply',
  [OP_AVERAGE]: 'average',
  [OP_MAXIMUM]: 'maximum',
  [OP_MINIMUM]: 'minimum',
} as const;

function image(shape: number[]): ImageShape {
  if (shape.length !== 3) throw new Error(`reference: expected [H, W, C], got [${shape.join(', ')}]`);
  return { h: shape[0], w: shape[1], c: shape[2] };
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs `model` on `inputs` (one array per model input, batch × per-sample floats); returns every model output. */
export function runModelReference(model: ModelMessage, inputs: Float32Array[], batch: number): Float32Array[] {
  const values: (Float32Array | undefined)[] = new Array(model.values.length);
  model.inputs.forEach((v, i) => {
    values[v] = inputs[i];
  });
  const tensors = model.tensors.map((t) => decodeTensor(t));
  for (const op of model.ops) {
    const x = values[op.inputs[0]];
    if (x === undefined) throw new Error('reference: value read before written');
    const inShape = model.values[op.inputs[0]].shape;
    const outShape = model.values[op.outputs[0]].shape;
    const w = op.weight ? tensors[op.weight - 1] : undefined;
    const wShape = op.weight ? model.tensors[op.weight - 1].shape : [];
    const bias = op.bias ? tensors[op.bias - 1] : undefined;
    const strides: [number, number] = op.strides.length === 2 ? [op.strides[0], op.strides[1]] : [1, 1];
    const padding = op.padding === PAD_SAME ? 'same' : 'valid';
    let y: Float32Array;
    switch (op.type) {
      case OP_DENSE:
        y = denseReference(x, batch, w!, wShape[0], wShape[1], bias);
        break;
      case OP_CONV2D:
        y = conv2dReference(x, batch, image(inShape), w!, wShape[0], wShape[1], wShape[3], strides, padding, bias).y;
        break;
      case OP_CONV2D_TRANSPOSE:
        y = conv2dTransposeReference(
          x,
          batch,
          image(inShape),
          w!,
          wShape[0],
          wShape[1],
          wShape[3],
          strides,
          padding,
          bias,
        ).y;
        break;
      case OP_DEPTHWISE_CONV2D:
        y = depthwiseConv2dReference(
          x,
          batch,
          image(inShape),
          w!,
          wShape[0],
          wShape[1],
          wShape[3],
          strides,
          padding,
          bias,
        ).y;
        break;
      case OP_MAX_POOL2D:
      case OP_AVG_POOL2D:
        y = pool2dReference(
          op.type === OP_MAX_POOL2D ? 'max' : 'avg',
          x,
          batch,
          image(inShape),
          [op.kernel[0], op.kernel[1]],
          strides,
          padding,
        ).y;
        break;
      case OP_GLOBAL_AVG_POOL2D:
        y = globalPool2dReference('avg', x, batch, image(inShape));
        break;
      case OP_GLOBAL_MAX_POOL2D:
        y = globalPool2dReference('max', x, batch, image(inShape));
        break;
      case OP_ADD:
        y = addReference(op.inputs.map((v) => values[v]!));
        break;
      case OP_ACTIVATION:
      case OP_RESHAPE:
        y = x.slice();
        break;
      case OP_ZERO_PAD2D:
        y = zeroPad2dReference(x, batch, image(inShape), op.params);
        break;
      case OP_CROP2D:
        y = crop2dReference(x, batch, image(inShape), op.params);
        break;
      case OP_UP_SAMPLING2D:
        y = upSampling2dReference(x, batch, image(inShape), op.params);
        break;
      case OP_CONCAT:
        y = concatReference(
          op.inputs.map((v) => values[v]!),
          op.inputs.map((v) => model.values[v].shape),
          op.params[0]!,
          batch,
        );
        break;
      case OP_MULTIPLY:
      case OP_AVERAGE:
      case OP_MAXIMUM:
      case OP_MINIMUM:
        y = mergeReference(
          MERGE_KINDS[op.type as keyof typeof MERGE_KINDS],
          op.inputs.map((v) => values[v]!),
        );
        break;
      case OP_TRANSPOSE:
        y = transposeReference(x, batch, inShape, op.params);
        break;
      case OP_RESCALE:
        y = rescaleReference(x, bias!);
        break;
      case OP_THRESHOLDED_RELU:
        y = thresholdedReluReference(x, bias!);
        break;
      default:
        throw new Error(`reference: unknown op ${op.type}`);
    }
    if (y.length !== batch * size(outShape)) throw new Error('reference: output size mismatch');
    values[op.outputs[0]] = activationReference(y, op.activation, op.clipMax, outShape[outShape.length - 1]);
  }
  return model.outputs.map((v) => values[v]!);
}
