// Entry points of the importer: TensorFlow.js layers model → IR graph (compiler/ir/graph.ts).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Graph } from '../ir/graph.js';
import { ModelFileError, UnsupportedModelError, unsupportedLayer } from './errors.js';
import { lowerToIR } from './fold.js';
import { lowerLayer, type Layer } from './lower_layer.js';
import { readModelArtifacts } from './model_files.js';
import { addValue, type RawGraph } from './raw_graph.js';
import { checkTopology } from './topology_check.js';
import { checkFiniteWeights, explainShapeMismatch } from './weight_check.js';

type SymbolicTensor = tfl.SymbolicTensor;

/** Per-sample shape of a symbolic tensor; every dimension but the batch must be known. */
function sampleShape(tensor: SymbolicTensor, layerName: string, layerClass: string): number[] {
  const shape = tensor.shape.slice(1);
  if (shape.some((d) => d == null || d < 0)) {
    throw unsupportedLayer(
      layerName,
      layerClass,
      `outputs shape [${tensor.shape.map((d) => d ?? 'None').join(', ')}]`,
      'sqz needs every dimension but the batch to be fixed: give the InputLayer a complete shape',
    );
  }
  return shape as number[];
}

/**
 * Converts a loaded tfjs-layers model (Sequential or functional) to the IR. The model is only read; the caller
 * keeps ownership. A Sequential or functional model used as a layer is flattened: its layers join the graph, reading
 * the values its application reads, and their ops are named `<nested model>/<layer>`. Throws UnsupportedModelError
 * naming the layer for anything sqz cannot represent.
 */
export function importLayersModel(model: tfl.LayersModel): Graph {
  const graph: RawGraph = { values: [], ops: [], inputs: [], outputs: [] };
  const valueOf = new Map<number, number>(); // SymbolicTensor id → value index
  const nodeOfLayer = new Map<Layer, number>(); // which inbound node of each layer the model uses
  /** Name prefix of the nested model each layer is reached through (none for the model's own layers). */
  const prefixOf = new Map<Layer, string>();

  for (const input of model.inputs) {
    const layer = input.sourceLayer;
    const value = addValue(graph, layer.name, sampleShape(input, layer.name, layer.getClassName()));
    valueOf.set(input.id, value);
    graph.inputs.push(value);
  }

  /** Checks `layer` is applied at one node only (a shared layer or model is refused) and returns that node. */
  const nodeOf = (layer: Layer, nodeIndex: number, className: string) => {
    const previous = nodeOfLayer.get(layer);
    if (previous !== undefined && previous !== nodeIndex) {
      throw unsupportedLayer(
        layer.name,
        className,
        'is applied more than once (a shared layer)',
        'sqz needs each layer applied once: give each use its own layer',
      );
    }
    nodeOfLayer.set(layer, nodeIndex);
    const node = layer.inboundNodes[nodeIndex]!;
    if (node.outputTensors.length !== 1) {
      throw unsupportedLayer(
        layer.name,
        className,
        `has ${node.outputTensors.length} outputs`,
        'sqz supports single-output layers only',
      );
    }
    return node;
  };

  const visit = (tensor: SymbolicTensor, prefix: string): number => {
    const known = valueOf.get(tensor.id);
    if (known !== undefined) return known;
    const layer = tensor.sourceLayer;
    const className = layer.getClassName();
    if (className === 'InputLayer') {
      throw new UnsupportedModelError(
        `input '${layer.name}' is used by the model but is not one of its inputs`,
        layer.name,
        className,
      );
    }
    const name = `${prefixOf.get(layer) ?? prefix}${layer.name}`;
    const node = nodeOf(layer, tensor.nodeIndex, className);
    const inputs = node.inputTensors.map((t) => visit(t, prefix));
    if (layer instanceof tfl.LayersModel) {
      // A nested model: its inputs read the values its application reads; its output is this tensor's value.
      if (layer.inputs.length !== inputs.length || layer.outputs.length !== 1) {
        throw unsupportedLayer(
          layer.name,
          className,
          `is a nested model with ${layer.inputs.length} inputs and ${layer.outputs.length} outputs`,
          'sqz flattens nested models with one output',
        );
      }
      layer.inputs.forEach((t, i) => valueOf.set(t.id, inputs[i]!));
      for (const inner of layer.layers) prefixOf.set(inner, `${name}/`);
      const output = visit(layer.outputs[0]!, `${name}/`);
      valueOf.set(tensor.id, output);
      return output;
    }
    const output = addValue(graph, name, sampleShape(tensor, name, className));
    valueOf.set(tensor.id, output);
    lowerLayer(graph, { layer, className, name, inputs, output });
    return output;
  };
  graph.outputs = model.outputs.map((t) => visit(t, ''));
  return lowerToIR(graph);
}

/**
 * Loads artifacts with tfjs-layers (after checking the topology), checks the weights are finite and converts them;
 * the tfjs model is disposed. A weight whose shape disagrees with its layer, or that holds NaN / ±Infinity, is a
 * ModelFileError naming the weight.
 */
export async function importModelFromArtifacts(artifacts: tf.io.ModelArtifacts, sourceName = 'model'): Promise<Graph> {
  checkTopology(artifacts.modelTopology);
  await tf.ready();
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel({ load: async () => artifacts });
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    if (/shape mismatch/i.test(message)) {
      const named = await explainShapeMismatch(artifacts, sourceName);
      if (named !== undefined) throw named;
    }
    throw new ModelFileError(sourceName, `TensorFlow.js could not load ${sourceName}: ${message}`);
  }
  try {
    checkFiniteWeights(model, sourceName);
    return importLayersModel(model);
  } finally {
    model.dispose();
  }
}

/**
 * Reads model.json (or a folder holding it) and its weight shards with node:fs and converts the model.
 * Errors: ModelFileError (missing/unreadable/bad files, naming the file), UnsupportedModelError (naming the layer).
 */
export async function importModel(modelJsonPath: string): Promise<Graph> {
  const artifacts = await readModelArtifacts(modelJsonPath);
  return importModelFromArtifacts(artifacts, modelJsonPath);
}
