// Errors raised while reading a TensorFlow.js model and turning it into sqz's IR.
import { FileError } from '../errors.js';

/**
 * The model uses something sqz cannot represent (a layer class, an activation, an attribute value, a shared
 * layer...). `layerName` and `layerClass` name the offending layer when there is one.
 */
export class UnsupportedModelError extends Error {
  readonly layerName: string | undefined;
  readonly layerClass: string | undefined;
  constructor(message: string, layerName?: string, layerClass?: string) {
    super(message);
    this.name = 'UnsupportedModelError';
    this.layerName = layerName;
    this.layerClass = layerClass;
  }
}

/** Builds an UnsupportedModelError whose message starts with "layer 'NAME' (CLASS) ...". */
export function unsupportedLayer(
  layerName: string,
  layerClass: string,
  problem: string,
  advice: string,
): UnsupportedModelError {
  return new UnsupportedModelError(`layer '${layerName}' (${layerClass}) ${problem}; ${advice}`, layerName, layerClass);
}

/** model.json or one of its weight shards is missing, unreadable or malformed. `path` is the file concerned. */
export class ModelFileError extends FileError {
  constructor(path: string, message: string) {
    super(path, message);
    this.name = 'ModelFileError';
  }
}
