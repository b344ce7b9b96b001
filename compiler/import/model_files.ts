// Reads a TensorFlow.js layers model (model.json + weight shards) from disk with node:fs, so no tfjs-node is needed.
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { describeFsError } from '../errors.js';
import { ModelFileError, UnsupportedModelError } from './errors.js';

/** Bytes per element of the dtypes a layers model's weights may have; quantized weights use QUANTIZED_BYTES. */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/**
 * Checks one manifest entry's name, shape and dtype and returns the bytes it occupies in its group's shards.
 * Throws ModelFileError naming the weight: an unknown dtype would otherwise surface as a byte-count mismatch.
 */
function checkedSpecBytes(spec: tf.io.WeightsManifestEntry, jsonPath: string): number {
  const name = typeof spec?.name === 'string' ? spec.name : JSON.stringify(spec?.name);
  if (typeof spec?.name !== 'string') {
    throw new ModelFileError(jsonPath, `${jsonPath}: a weight in "weightsManifest" has no "name" (got ${name})`);
  }
  if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ModelFileError(
      jsonPath,
      `weight '${name}' in ${jsonPath} has shape ${JSON.stringify(spec.shape)}: ` +
        'a shape must be a list of non-negative integers',
    );
  }
  const count = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.quantization !== undefined) {
    const width = QUANTIZED_BYTES[spec.quantization?.dtype];
    if (width === undefined) {
      throw new ModelFileError(
        jsonPath,
        `weight '${name}' in ${jsonPath} has unknown quantization dtype ` +
          `${JSON.stringify(spec.quantization?.dtype)}; known: ${Object.keys(QUANTIZED_BYTES).join(', ')}`,
      );
    }
    return count * width;
  }
  const width = DTYPE_BYTES[spec.dtype];
  if (width === undefined) {
    throw new ModelFileError(
      jsonPath,
      `weight '${name}' in ${jsonPath} has unknown dtype ${JSON.stringify(spec.dtype)}; ` +
        `known: ${Object.keys(DTYPE_BYTES).join(', ')}`,
    );
  }
  return count * width;
}

/**
 * Where a shard listed in model.json lives. Shards are read only from model.json's own folder (or below it): a path
 * with "..", an absolute path or a URL could make converting someone else's model.json read any file on the
 * machine (and put its bytes into the weights), so those are refused before any read.
 */
function shardPath(folder: string, shardName: unknown, jsonPath: string): string {
  const shown = JSON.stringify(shardName);
  const refuse = (why: string): never => {
    throw new ModelFileError(
      jsonPath,
      `weight shard path ${shown} in ${jsonPath} is refused: ${why}; ` +
        'shards must be plain file names in the folder of model.json',
    );
  };
  if (typeof shardName !== 'string' || shardName.length === 0) return refuse('it is not a file name');
  if (/^[a-z][a-z0-9+.-]*:/i.test(shardName)) return refuse('it is a URL or a drive path');
  if (path.isAbsolute(shardName) || path.win32.isAbsolute(shardName)) return refuse('it is an absolute path');
  if (shardName.split(/[\\/]/).includes('..')) return refuse('it contains ".."');
  if (shardName.includes('\0')) return refuse('it contains a NUL character');
  const resolved = path.resolve(folder, shardName);
  const relative = path.relative(folder, resolved);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative))
    return refuse('it leaves the folder of model.json');
  return resolved;
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
 * not JSON, or the shards do not hold the bytes the manifest describes, and when a shard path leaves model.json's
 * folder ("..", absolute, URL) or a weight has an unknown dtype or a bad shape; UnsupportedModelError for graph models.
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
        `(convert the Keras model with tensorflowjs_converter --output_format tfjs_layers_model)`,
    );
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
      throw new ModelFileError(
        jsonPath,
        `${jsonPath}: every "weightsManifest" entry needs "paths" and "weights" lists`,
      );
    }
    // Checked before any read, so a refused path or dtype is reported even when a shard is also missing.
    const expected = group.weights.reduce((n, spec) => n + checkedSpecBytes(spec, jsonPath), 0);
    const paths = group.paths.map((name) => shardPath(folder, name, jsonPath));
    weightSpecs.push(...group.weights);
    let held = 0;
    for (const [i, shardName] of group.paths.entries()) {
      try {
        const shard = await readFile(paths[i]!);
        shards.push(shard);
        held += shard.byteLength;
      } catch (err) {
        throw new ModelFileError(
          paths[i]!,
          `cannot read weight shard '${shardName}' listed in ${jsonPath} (looked for ${paths[i]}): ${describeFsError(err)}`,
        );
      }
    }
    // Per group: tfjs concatenates a group's shards and slices its weights from them in order.
    if (held !== expected) {
      const names = group.paths.map((p) => `'${p}'`).join(', ');
      throw new ModelFileError(
        paths[0] ?? jsonPath,
        `the weight shard${group.paths.length === 1 ? '' : 's'} ${names} of ${jsonPath} ${group.paths.length === 1 ? 'holds' : 'hold'} ${held} bytes but its manifest ` +
          `describes ${expected} bytes (weights ${group.weights.map((w) => `'${w.name}'`).join(', ')}): ` +
          'a shard is truncated or belongs to another model',
      );
    }
  }

  const total = shards.reduce((n, s) => n + s.byteLength, 0);
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
