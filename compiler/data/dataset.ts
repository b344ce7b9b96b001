// The compiler's in-memory datasets: inputs as one Float32Array (sample-major, each sample in the model's input
// layout), u8 class labels and, when the data has them, float targets; and the deterministic ways to cut them: a
// stratified subset, a seeded validation split, shuffled batches. Data without class labels (regression targets,
// or no y at all) carries all-zero labels, so the same stratified helpers become a plain (seeded) cut.
import type { Rng } from '../util/rng.js';
import { createRng } from '../util/rng.js';

export interface Split {
  /** count·(values per sample) inputs, sample-major, each sample row-major in Dataset.shape (NHWC for images). */
  images: Float32Array;
  /** count class indices; all 0 when the dataset has no class labels (Dataset.numClasses 0). */
  labels: Uint8Array;
  count: number;
  /** count·Dataset.targetWidth float targets (the data's y as numbers), when the dataset has a y. */
  targets?: Float32Array;
  /** Each sample's index in the data as given (file order), when the split was cut from it; for error messages. */
  source?: Uint32Array;
  /**
   * Distillation targets: count rows of the teacher's class probabilities at the run's temperature
   * (compiler/compress/distill.ts). Present only on a training split that a teacher has labelled.
   */
  soft?: Float32Array;
}

export interface Dataset {
  name: string;
  /** Per-sample shape, e.g. [28, 28, 1] for images or [10] for 10 CSV features. */
  shape: number[];
  /** Classes of the labels (largest label + 1); 0 when y is not integer class indices in [0, 255] or absent. */
  numClasses: number;
  /** Values of y per sample (Split.targets); 0 when the dataset has no y (reconstruction data). */
  targetWidth: number;
  /** Class names by index (from an images: folder's subfolders), when the data names them. */
  classNames?: string[];
  train: Split;
  test: Split;
  /** Where the data came from and how it was split. */
  description: string;
}

/** Values per sample of a split (H·W·C). */
function sampleSize(split: Split): number {
  return split.count === 0 ? 0 : split.images.length / split.count;
}

/** A new split holding the samples at `indices`, in that order (copies the data). */
export function gather(split: Split, indices: ArrayLike<number>): Split {
  const size = sampleSize(split);
  const images = new Float32Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  const width = split.soft ? split.soft.length / split.count : 0;
  const soft = split.soft ? new Float32Array(indices.length * width) : undefined;
  const targetWidth = split.targets ? split.targets.length / split.count : 0;
  const targets = split.targets ? new Float32Array(indices.length * targetWidth) : undefined;
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (!Number.isInteger(j) || j < 0 || j >= split.count) {
      throw new Error(`gather: index ${j} is outside the split (count ${split.count})`);
    }
    images.set(split.images.subarray(j * size, (j + 1) * size), i * size);
    labels[i] = split.labels[j];
    soft?.set(split.soft!.subarray(j * width, (j + 1) * width), i * width);
    targets?.set(split.targets!.subarray(j * targetWidth, (j + 1) * targetWidth), i * targetWidth);
  }
  const source = split.source ? Uint32Array.from(indices, (j) => split.source![j]!) : undefined;
  return {
    images,
    labels,
    count: indices.length,
    ...(targets ? { targets } : {}),
    ...(soft ? { soft } : {}),
    ...(source ? { source } : {}),
  };
}

/** Every `TEST_EVERY`-th sample of data that has no split of its own (index % 6 == 5) is test, the rest train. */
export const TEST_EVERY = 6;

/**
 * Splits data that carries no test split by index: sample i is test when i % 6 == 5, train otherwise (one in six,
 * interleaved so that data sorted by class still splits evenly). Used by idx:, npy: and csv:.
 */
export function splitByIndex(split: Split): { train: Split; test: Split; rule: string } {
  const trainIx: number[] = [];
  const testIx: number[] = [];
  for (let i = 0; i < split.count; i++) (i % TEST_EVERY === TEST_EVERY - 1 ? testIx : trainIx).push(i);
  const indexed = { ...split, source: Uint32Array.from({ length: split.count }, (_, i) => i) };
  const train = gather(indexed, trainIx);
  const test = gather(indexed, testIx);
  return {
    train,
    test,
    rule:
      `Split by index: sample i is test when i % ${TEST_EVERY} == ${TEST_EVERY - 1}, train otherwise ` +
      `(${train.count} train, ${test.count} test).`,
  };
}

/** Sample indices of each class, in increasing order. */
function indicesByClass(split: Split): number[][] {
  const byClass: number[][] = [];
  for (let i = 0; i < split.count; i++) {
    const c = split.labels[i];
    (byClass[c] ??= []).push(i);
  }
  for (let c = 0; c < byClass.length; c++) byClass[c] ??= [];
  return byClass;
}

/**
 * How many of each class to take so that the quotas sum to `total` and follow the class proportions:
 * floor of each exact share, then the leftover units to the largest remainders (ties to the lower class).
 */
function stratifiedQuotas(classSizes: number[], total: number): number[] {
  const n = classSizes.reduce((a, b) => a + b, 0);
  if (n === 0) return classSizes.map(() => 0);
  const exact = classSizes.map((s) => (s * total) / n);
  const quotas = exact.map(Math.floor);
  let left = total - quotas.reduce((a, b) => a + b, 0);
  const order = exact.map((e, c) => ({ c, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (const { c } of order) {
    if (left === 0) break;
    if (quotas[c] < classSizes[c]) {
      quotas[c]++;
      left--;
    }
  }
  return quotas;
}

/**
 * The first `count` samples of a split, stratified: each class contributes in proportion to its share of the
 * split (largest-remainder rounding), taking its earliest samples. The result keeps the split's order.
 * Deterministic: no randomness involved. A `count` ≥ the split's count returns the split itself.
 */
export function subset(split: Split, count: number): Split {
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`subset: count must be a non-negative integer, got ${count}`);
  }
  if (count >= split.count) return split;
  const byClass = indicesByClass(split);
  const quotas = stratifiedQuotas(
    byClass.map((ix) => ix.length),
    count,
  );
  const chosen: number[] = [];
  byClass.forEach((ix, c) => chosen.push(...ix.slice(0, quotas[c])));
  chosen.sort((a, b) => a - b);
  return gather(split, chosen);
}

/**
 * Holds out `fraction` of a training split for validation, stratified by class: each class's indices are
 * shuffled with an RNG seeded by `seed` (classes in increasing order, one shared generator), and the first
 * round-off quota of each goes to validation. Both parts keep the original sample order. The same split and
 * seed always give the same parts.
 */
export function splitValidation(train: Split, fraction: number, seed: number): { train: Split; validation: Split } {
  if (!(fraction > 0 && fraction < 1)) {
    throw new Error(`splitValidation: fraction must be in (0, 1), got ${fraction}`);
  }
  const rng = createRng(seed);
  const byClass = indicesByClass(train);
  const quotas = stratifiedQuotas(
    byClass.map((ix) => ix.length),
    Math.round(train.count * fraction),
  );
  const held = new Uint8Array(train.count);
  byClass.forEach((ix, c) => {
    const shuffled = rng.shuffle(ix.slice());
    for (let k = 0; k < quotas[c]; k++) held[shuffled[k]] = 1;
  });
  const keep: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < train.count; i++) (held[i] ? validation : keep).push(i);
  return { train: gather(train, keep), validation: gather(train, validation) };
}

export interface BatchOptions {
  /** Skip the last batch when it is smaller than `batchSize` (default false: yield it). */
  dropRemainder?: boolean;
  /** Visit samples in order instead of shuffling (default true: shuffle with the RNG). */
  shuffle?: boolean;
}

/**
 * One epoch of mini-batches: the sample order is a Fisher–Yates shuffle drawn from `rng` (so the RNG state
 * decides it, and a restored state repeats it). The shuffle is drawn when `batches` is called, not lazily, so
 * the RNG state right after the call already accounts for it. Each batch is a fresh Split (copied data).
 */
export function batches(split: Split, batchSize: number, rng: Rng, options: BatchOptions = {}): Generator<Split> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batches: batchSize must be a positive integer, got ${batchSize}`);
  }
  const order = new Uint32Array(split.count);
  for (let i = 0; i < split.count; i++) order[i] = i;
  if (options.shuffle !== false) rng.shuffle(order);
  return batchesInOrder(split, batchSize, order, options.dropRemainder === true);
}

function* batchesInOrder(
  split: Split,
  batchSize: number,
  order: Uint32Array,
  dropRemainder: boolean,
): Generator<Split> {
  for (let start = 0; start < split.count; start += batchSize) {
    const end = Math.min(start + batchSize, split.count);
    if (end - start < batchSize && dropRemainder) return;
    yield gather(split, order.subarray(start, end));
  }
}
