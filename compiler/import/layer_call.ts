// One application of a tfjs-layers layer, as the importer lowers it, and the helpers lowerings share: reading the
// layer's config and weights, and failing with the one-line error that names the layer.
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { ACTIVATIONS, activationByKeras } from '../../formats/activations.js';
import type { Activation, IRTensor } from '../ir/graph.js';
import { unsupportedLayer } from './errors.js';
import type { RawGraph } from './raw_graph.js';

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

/** The layer's config as getConfig() gives it (camelCase keys). */
export type LayerConfig = Record<string, unknown>;

/** An IR activation with relu's clip (relu6 is relu with clipMax 6). */
export type ActivationSpec = { activation: Activation; clipMax?: number };

/** Activations sqz imports, as listed in error messages (the table's Keras identifiers, and relu6). */
const SUPPORTED_ACTIVATIONS_TEXT = [...ACTIVATIONS.flatMap((a) => a.keras), 'relu6'].join(', ');

/** Throws UnsupportedModelError: "layer 'NAME' (CLASS) <problem>; <advice>". */
export function fail(call: LayerCall, problem: string, advice: string): never {
  throw unsupportedLayer(call.name, call.className, problem, advice);
}

/** Maps a tfjs activation identifier (as getConfig() serializes it) to the IR's activation. */
export function mapActivation(call: LayerCall, identifier: unknown): ActivationSpec {
  const name = identifier == null ? 'linear' : String(identifier);
  if (name === 'relu6') return { activation: 'relu', clipMax: 6 };
  const descriptor = activationByKeras(name);
  if (descriptor === undefined) {
    return fail(
      call,
      `uses activation '${name}', which sqz does not support`,
      `supported activations: ${SUPPORTED_ACTIVATIONS_TEXT}`,
    );
  }
  return { activation: descriptor.name as Activation };
}

/** Copies a layer weight (a LayerVariable held in the named property) out of tfjs, or undefined if absent. */
export function readWeight(layer: Layer, property: string): IRTensor | undefined {
  const variable = (
    layer as unknown as Record<string, { read(): { shape: number[]; dataSync(): ArrayLike<number> } } | null>
  )[property];
  if (variable == null) return undefined;
  const tensor = variable.read();
  return { shape: [...tensor.shape], values: Float32Array.from(tensor.dataSync()) };
}

export function requireWeight(call: LayerCall, property: string): IRTensor {
  const weight = readWeight(call.layer, property);
  if (weight === undefined) fail(call, `has no '${property}' weight`, 'the model file may be incomplete');
  return weight;
}

/** A config value that is one number or a pair, as [a, b]. */
export function pair(value: unknown, fallback: [number, number]): [number, number] {
  if (value == null) return fallback;
  if (typeof value === 'number') return [value, value];
  const list = value as number[];
  return [list[0]!, list[1] ?? list[0]!];
}

/** Per-sample shape of value `value`. */
export function shapeOf(graph: RawGraph, value: number): number[] {
  return graph.values[value]!.shape;
}

export function requireRank(graph: RawGraph, call: LayerCall, rank: number): void {
  const shape = shapeOf(graph, call.inputs[0]!);
  if (shape.length !== rank) {
    fail(call, `has an input of shape [${shape.join(', ')}]`, `sqz needs a rank-${rank} input (per sample) here`);
  }
}

export function checkPadding(call: LayerCall, config: LayerConfig): 'valid' | 'same' {
  const padding = config['padding'] ?? 'valid';
  if (padding !== 'valid' && padding !== 'same') {
    fail(call, `uses padding '${String(padding)}'`, "sqz supports padding 'valid' and 'same'");
  }
  return padding;
}

export function checkConvGeometry(call: LayerCall, config: LayerConfig): 'valid' | 'same' {
  const dilation = pair(config['dilationRate'], [1, 1]);
  if (dilation[0] !== 1 || dilation[1] !== 1) {
    fail(call, `uses dilation rate [${dilation.join(', ')}]`, 'sqz supports dilation rate 1 only');
  }
  return checkPadding(call, config);
}
