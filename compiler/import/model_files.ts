// Reads a TensorFlow.js layers model (model.json + weight shards) from disk with node:fs, so no tfjs-node is needed.
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { describeFsError } from '../errors.js';
import { ModelFileError, UnsupportedModelError } from './errors.js';

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Bytes one weight occupies in the shards, or undefined when it cannot be known up front (strings). */
function specBytes(spec: tf.io.WeightsManifestEntry): number | undefined {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const width = DTYPE_BYTES[dtype];
  return width === undefined ? undefined : count * width;
}


/** Resolves a path to model.json; a directory means the model.json inside it. */
async function resolveModelJson(modelJsonPath: string): Promise<string> {
  const resolved = path.resolve(modelJsonPath);
  try {
    if ((await stat(resolved)).isDirectory()) return path.join(resolved, 'model.json');
  } catch {
    // Reported by the read below, which names the file.
  }
  return resolved;
}

/**
 * Reads model.json and every weight shard it lists (paths relative to model.json's folder) and returns the
 * artifacts tfjs-layers loads from. Throws ModelFileError naming the file when one is missing, unreadable,
 * not JSON, or the shards do not hold the bytes the manifest describes; UnsupportedModelError for graph models.
 */
export async function readModelArtifacts(modelJsonPath: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = await resolveModelJson(modelJsonPath);
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (err) {
    throw new ModelFileError(jsonPath, `cannot read model file ${jsonPath}: ${describeFsError(err)}`);
  }
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(text) as tf.io.ModelJSON;
  } catch (err) {
    throw new ModelFileError(jsonPath, `${jsonPath} is not valid JSON: ${(err as Error).message}`);
  }
  if (modelJson === null || typeof modelJson !== 'object' || modelJson.modelTopology == null) {
    throw new ModelFileError(jsonPath, `${jsonPath} has no "modelTopology": it is not a TensorFlow.js model.json`);
  }
  const topology = modelJson.modelTopology as Record<string, unknown>;
  if (modelJson.format === 'graph-model' || Array.isArray(topology['node'])) {
    throw new UnsupportedModelError(
      `${jsonPath} is a TensorFlow.js graph model; sqz converts layers models only ` +
      `(convert the Keras model with tensorflowjs_converter --output_format tfjs_layers_model)`);
  }

  const manifest = modelJson.weightsManifest ?? [];
  if (!Array.isArray(manifest)) {
    throw new ModelFileError(jsonPath, `${jsonPath}: "weightsManifest" must be a list of weight groups`);
  }
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  const folder = path.dirname(jsonPath);
  for (const group of manifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) {
      throw new ModelFileError(jsonPath, `${jsonPath}: every "weightsManifest" entry needs "paths" and "weights" lists`);
    }
    weightSpecs.push(...group.weights);
    for (const shardName of group.paths) {
      const shardPath = path.resolve(folder, shardName);
      try {
        shards.push(await readFile(shardPath));
      } catch (err) {
        throw new ModelFileError(shardPath,
          `cannot read weight shard '${shardName}' listed in ${jsonPath} (looked for ${shardPath}): ${describeFsError(err)}`);
      }
    }
  }

  const total = shards.reduce((n, s) => n + s.byteLength, 0);
  const expected = weightSpecs.reduce<number | undefined>(
    (n, s) => (n === undefined || specBytes(s) === undefined ? undefined : n + specBytes(s)!), 0);
  if (expected !== undefined && total !== expected) {
    throw new ModelFileError(jsonPath,
      `the weight shards of ${jsonPath} hold ${total} bytes but its manifest describes ${expected} bytes: ` +
      `a shard is truncated or belongs to another model`);
  }
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const shard of shards) {
    weightData.set(shard, offset);
    offset += shard.byteLength;
  }
  return {
    modelTopology: modelJson.modelTopology,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
    weightSpecs,
    weightData: weightData.buffer,
  };
}
