export { exportModel, exportModelDetailed, type ExportResult } from './export_model.js';
export { simplifyForExport } from './to_model_message.js';
export { quantizeGraphWeights } from './quantize_weights.js';
