// Datasets for the compiler: loading by spec, and deterministic subsets, validation splits and batches.
export type { Dataset, Split } from './dataset.js';
export { batches, gather, splitByIndex, splitValidation, subset } from './dataset.js';
export { DATASET_SPECS, loadDataset, parseDatasetSpec, type LoadOptions } from './load.js';
