// sqz/tfjs: load a .sqz file into TensorFlow.js (`tf.loadLayersModel(sqzHandler(source))`). Kept apart from
// sqz/runtime, which stays free of tfjs and protobufjs.
export { sqzHandler } from './sqz_handler.js';
export {
  layersModelFromSqz,
  type KerasLayerJson,
  type KerasModelJson,
  type LayersModelParts,
  type NamedWeight,
} from './layers_topology.js';
export type { ModelSource } from '../runtime/source.js';
