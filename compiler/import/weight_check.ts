// Checks on a model's weights that tfjs-layers either skips or reports without naming the weight: shapes that
// disagree with the layers the topology builds, and NaN / ±Infinity values (which would poison training and
// k-means silently). Both throw ModelFileError naming the file and the weight.
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ModelFileError } from './errors.js';

const shapeText = (shape: readonly (number | null)[]): string => `[${shape.join(', ')}]`;

/**
 * Called after tfjs refused the weights with a bare "Shape mismatch": builds the model without weights and returns
 * an error naming the first manifest weight whose shape differs from the variable the layer creates, or undefined
 * when no such weight is found (the caller then reports tfjs's own message).
 */
export async function explainShapeMismatch(
  artifacts: tf.io.ModelArtifacts,
  sourceName: string,
): Promise<ModelFileError | undefined> {
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel({
      load: async () => ({ ...artifacts, weightData: undefined, weightSpecs: undefined }),
    });
  } catch {
    return undefined;
  }
  try {
    const variables = new Map<string, { shape: (number | null)[]; layer: string }>();
    for (const layer of model.layers) {
      for (const w of layer.weights)
        variables.set(w.originalName, { shape: w.shape, layer: `${layer.name}' (${layer.getClassName()})` });
    }
    for (const spec of artifacts.weightSpecs ?? []) {
      if (spec.group === 'optimizer') continue;
      // tfjs also matches TF ≥ 2.2 names with a cell in the middle (layer/cell/weight → layer/weight).
      const tokens = spec.name.split('/');
      const variable =
        variables.get(spec.name) ?? variables.get([...tokens.slice(0, -2), tokens[tokens.length - 1]].join('/'));
      if (variable === undefined) continue;
      if (variable.shape.length !== spec.shape.length || variable.shape.some((d, i) => d !== spec.shape[i])) {
        return new ModelFileError(
          sourceName,
          `weight '${spec.name}' in ${sourceName} has shape ${shapeText(spec.shape)} in the weights manifest, but layer ` +
            `'${variable.layer} needs ${shapeText(variable.shape)}: the manifest or the topology was edited, or the shards belong to another model`,
        );
      }
    }
    return undefined;
  } finally {
    model.dispose();
  }
}

/** Throws ModelFileError naming the first weight holding NaN or ±Infinity and the flat index of that value. */
export function checkFiniteWeights(model: tfl.LayersModel, sourceName: string): void {
  for (const w of model.weights) {
    if (w.dtype !== 'float32') continue;
    const values = w.read().dataSync() as Float32Array;
    for (let i = 0; i < values.length; i++) {
      if (Number.isFinite(values[i])) continue;
      throw new ModelFileError(
        sourceName,
        `weight '${w.originalName}' in ${sourceName} holds ${values[i]} at index ${i} (of ${values.length}, shape ${shapeText(w.shape)}): ` +
          'sqz needs finite weights; export the model again from a checkpoint before training diverged',
      );
    }
  }
}
