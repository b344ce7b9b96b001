// The compiler's public API (package export "sqz/compiler"): compress and convert from code instead of the CLI.
export { compress, type CompressResult } from './compress/compress.js';
export { DEFAULT_HYPER, defaultEpochs, parseByteSize, type CompressOptions } from './compress/options.js';
export { formatReport, type CompressReport, type LayerReport } from './compress/report.js';
export { ImpossibleTargetError } from './compress/fit_budget.js';
export { TrainingDivergedError } from './compress/sgd.js';
export { reportHtml } from './compress/report_html.js';
export { UsageError, FileError, DataError } from './errors.js';
export { evaluate, type EvalOptions, type EvalResult } from './eval/evaluate.js';
export {
  summarizeSqz,
  type SqzSummary,
  type OpSummary,
  type TensorSummary,
  type LayerSummary,
} from './inspect/sqz_summary.js';
export { convert, formatConvertReport, type ConvertOptions, type ConvertReport } from './commands/convert.js';
export { importModel, importModelFromArtifacts, ModelFileError, UnsupportedModelError } from './import/index.js';
export { exportModel, exportModelDetailed } from './export/index.js';
export { loadDataset, DATASET_SPECS, type Dataset, type Split, type LoadOptions } from './data/index.js';
export {
  loadDataSource,
  type DataSource,
  type ArraysData,
  type ArraySplitInput,
  type TensorDataset,
  type TensorElement,
} from './data/source.js';
export { TASK_NAMES, type TaskName, type TaskMetrics } from './compress/task.js';
export { selectBackend, BACKEND_CHOICES, type BackendChoice } from './engine/backend.js';
export type { Graph, IROp, IRTensor, IRValue } from './ir/graph.js';
