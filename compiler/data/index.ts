// Datasets for the compiler: loading by spec, and deterministic subsets, validation splits and batches.
export type { Dataset, Split, BatchOptions } from './dataset.js';
export { batches, gather, sampleSize, splitValidation, subset } from './dataset.js';
export { DATASET_SPECS, loadDataset, parseDatasetSpec, type DatasetSpec } from './load.js';
export type { IdxArray, IdxType } from './idx.js';
export { parseIdx, readIdxFile } from './idx.js';
export { FASHION_MNIST_DIR, IDX_TEST_EVERY } from './idx_dataset.js';
