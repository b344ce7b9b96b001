// Turns one tfjs-layers layer call into importer ops (compiler/import/raw_graph.ts). A class its op's descriptor
// lists (formats/ops.ts, keras.classNames) lowers through that op's entry in compiler/ops.ts; the layers that are
// no op of their own (BatchNormalization, folded later, and the inference no-ops) lower here.
// Shapes are per sample; the value indices of the call's inputs and output are allocated by the caller.
import { OPS, opByKerasClass, type OpName } from '../../formats/ops.js';
import { COMPILER_OPS } from '../ops.js';
import { unsupportedLayer } from './errors.js';
import { fail, type LayerCall, type LayerConfig, requireWeight, readWeight, shapeOf } from './layer_call.js';
import type { RawGraph } from './raw_graph.js';

export type { Layer, LayerCall } from './layer_call.js';

function lowerBatchNorm(graph: RawGraph, call: LayerCall, config: LayerConfig): void {
  const rank = shapeOf(graph, call.inputs[0]!).length;
  const axis = Number(config['axis'] ?? -1);
  if (axis !== -1 && axis !== rank) {
    fail(
      call,
      `normalizes axis ${axis} of a rank-${rank + 1} input (batch included)`,
      'sqz supports BatchNormalization over the last axis only (axis -1)',
    );
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

function lowerIdentity(graph: RawGraph, call: LayerCall): void {
  graph.ops.push({ type: 'identity', name: call.name, inputs: [call.inputs[0]!], output: call.output });
}

/** Layers that are no op of their own: folded into others, or nothing at inference. */
const OTHER_LAYERS: Record<string, (graph: RawGraph, call: LayerCall, config: LayerConfig) => void> = {
  BatchNormalization: lowerBatchNorm,
  Dropout: lowerIdentity,
  SpatialDropout1D: lowerIdentity,
  GaussianNoise: lowerIdentity,
  GaussianDropout: lowerIdentity,
  AlphaDropout: lowerIdentity,
};

/** Every layer class sqz converts (the op table's and the others), as listed in error messages. */
export const SUPPORTED_LAYERS_TEXT = [
  'InputLayer',
  ...OPS.flatMap((d) => d.keras.classNames),
  ...Object.keys(OTHER_LAYERS),
].join(', ');

/** Raw model.json class names the topology check lets through: the above and Keras's aliases of them. */
export const SUPPORTED_CLASSES: ReadonlySet<string> = new Set([
  'InputLayer',
  ...OPS.flatMap((d) => [...d.keras.classNames, ...(d.keras.aliases ?? [])]),
  ...Object.keys(OTHER_LAYERS),
]);

/** Appends the ops for one layer call to `graph`. Throws UnsupportedModelError naming the layer otherwise. */
export function lowerLayer(graph: RawGraph, call: LayerCall): void {
  const config = call.layer.getConfig() as LayerConfig;
  const descriptor = opByKerasClass(call.className);
  if (descriptor !== undefined) return COMPILER_OPS[descriptor.name as OpName].lower(graph, call, config);
  const other = OTHER_LAYERS[call.className];
  if (other !== undefined) return other(graph, call, config);
  throw unsupportedLayer(
    call.name,
    call.className,
    'is not supported by sqz',
    `supported layers: ${SUPPORTED_LAYERS_TEXT}`,
  );
}
