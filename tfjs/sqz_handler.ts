// A tfjs IOHandler that reads a .sqz file: `tf.loadLayersModel(sqzHandler('model.sqz'))` gives an ordinary
// LayersModel with the file's weights dequantized to f32. For apps that keep tfjs for inference and only want the
// smaller download. Only types come from tfjs-core, so this module loads no tfjs code of its own.

import type { io } from '@tensorflow/tfjs-core';
import { readSqz } from '../formats/container.js';
import { readModelSource, type ModelSource } from '../runtime/source.js';
import { layersModelFromSqz } from './layers_topology.js';

/**
 * An IOHandler whose `load` reads `source` (bytes, a URL or, in Node, a path), checks and decodes it with sqz's TS
 * reader and returns a layers-model topology with one f32 weight buffer.
 * @throws (from load) SqzFormatError when the bytes are not a valid .sqz file; Error when the source cannot be read
 */
export function sqzHandler(source: ModelSource): io.IOHandler {
  return {
    load: async (): Promise<io.ModelArtifacts> => {
      const bytes = await readModelSource(source, 'sqzHandler');
      const { topology, weights } = layersModelFromSqz(readSqz(bytes));
      const weightData = new Float32Array(weights.reduce((sum, w) => sum + w.values.length, 0));
      let offset = 0;
      for (const w of weights) {
        weightData.set(w.values, offset);
        offset += w.values.length;
      }
      return {
        modelTopology: topology as unknown as io.ModelArtifacts['modelTopology'],
        weightSpecs: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })),
        weightData: weightData.buffer,
        format: 'layers-model',
        generatedBy: 'sqz',
        convertedBy: null,
      };
    },
  };
}
