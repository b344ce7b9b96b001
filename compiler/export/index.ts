export { exportModel, exportModelDetailed, type ExportOptions, type ExportResult, type ExportedTensor } from './export_model.js';
export { toModelMessage, simplifyForExport, weightTensorsOf, type EncodeTensorFn, type WeightTensorRef } from './to_model_message.js';
export { quantizeGraphWeights, quantizeTensorQ8, roundTensorToF16, WEIGHT_MODES, type WeightMode } from './quantize_weights.js';
