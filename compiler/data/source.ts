// The data a program hands to the JS API (`compress({ model, data })`): a dataset spec string, typed arrays
// already in memory, or batches of tfjs tensors. All become the same Dataset, by the value rules of arrays.ts
// (integer x ÷ 255, float x as it is; y as targets, and as class labels when it is one integer in [0, 255]).
import { createHash } from 'node:crypto';
import type * as tf from '@tensorflow/tfjs-core';
import { DataError, UsageError } from '../errors.js';
import { arraySplit, type ArraySplit, type NumericArray } from './arrays.js';
import { splitByIndex, type Dataset, type Split } from './dataset.js';
import { loadDataset, parseDatasetSpec, type LoadOptions } from './load.js';

/** A typed array of numbers; integer arrays are pixels (÷ 255), float arrays are used as they are. */
export type NumericTypedArray =
  | Float32Array
  | Float64Array
  | Uint8Array
  | Uint8ClampedArray
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array;

/** One split as arrays: x with its full shape [N, ...sample], and optionally y (N rows, any width). */
export interface ArraySplitInput {
  x: NumericTypedArray;
  /** Shape of x, samples first: [N, ...per-sample shape]. */
  shape: readonly number[];
  /** y: N class indices, or N·k target values (row-major). Omit it for reconstruction. */
  y?: NumericTypedArray | readonly number[];
}

/** Data already in memory: both splits (each split's y given or omitted alike). */
export interface ArraysData {
  train: ArraySplitInput;
  test: ArraySplitInput;
}

/** One element of a tensor dataset: inputs, and optionally what the model should output. */
export interface TensorElement {
  xs: tf.Tensor;
  ys?: tf.Tensor;
}

/**
 * A tf.data.Dataset of {xs, ys} (tfjs-data is not a dependency of sqz: anything with tf.data's `iterator()` works),
 * or any async iterable of {xs, ys}. Each element is one sample or a batch (xs holding a whole number of the
 * model's inputs). It is read once, in order, and split by index like idx: (every 6th sample is test).
 */
export type TensorDataset =
  AsyncIterable<TensorElement> | { iterator(): Promise<{ next(): Promise<IteratorResult<TensorElement>> }> };

/** What `compress` and `evaluate` accept as data. */
export type DataSource = string | ArraysData | TensorDataset;

function isArraysData(source: DataSource): source is ArraysData {
  return typeof source === 'object' && 'train' in source && 'test' in source;
}

/** Checks a data source's form before any slow set-up. @throws UsageError */
export function checkDataSource(source: DataSource): void {
  if (typeof source === 'string') parseDatasetSpec(source);
  else if (isArraysData(source)) {
    for (const part of ['train', 'test'] as const) {
      const s = source[part];
      if (!s || !ArrayBuffer.isView(s.x) || !Array.isArray(s.shape)) {
        throw new UsageError(`data.${part} must be { x: a typed array, shape: [N, ...], y?: numbers }`);
      }
    }
  } else if (!(Symbol.asyncIterator in source) && typeof (source as { iterator?: unknown }).iterator !== 'function') {
    throw new UsageError(
      'data must be a dataset spec string, { train: { x, shape, y? }, test: { x, shape, y? } }, or a tf.data.Dataset / async iterable of { xs, ys }',
    );
  }
}

/** A short name of the source for logs and reports. */
export function describeDataSource(source: DataSource): string {
  if (typeof source === 'string') return source;
  if (isArraysData(source)) {
    return `arrays (train [${source.train.shape.join(', ')}], test [${source.test.shape.join(', ')}])`;
  }
  return 'tensor dataset';
}

/** Loads any data source as a Dataset. @throws UsageError, DataError */
export async function loadDataSource(source: DataSource, options: LoadOptions = {}): Promise<Dataset> {
  checkDataSource(source);
  if (typeof source === 'string') return loadDataset(source, options);
  if (isArraysData(source)) return arraysDataset(source);
  return tensorDataset(source, options);
}

function kindOf(a: NumericTypedArray | readonly number[]): 'int' | 'float' {
  return a instanceof Float32Array || a instanceof Float64Array || Array.isArray(a) ? 'float' : 'int';
}

function arrayPart(input: ArraySplitInput, part: string): ArraySplit {
  const n = input.shape[0] ?? 0;
  if (input.shape.reduce((a, b) => a * b, 1) !== input.x.length) {
    throw new DataError(`data.${part}: shape [${input.shape.join(', ')}] does not hold x's ${input.x.length} values`);
  }
  const y: NumericArray | undefined =
    input.y === undefined
      ? undefined
      : {
          shape: n === 0 || input.y.length === n ? [n] : [n, input.y.length / n],
          kind: kindOf(input.y),
          data: input.y,
        };
  if (y && n > 0 && !Number.isInteger(input.y!.length / n)) {
    throw new DataError(`data.${part}: y has ${input.y!.length} values, not a whole number per sample of ${n}`);
  }
  return arraySplit(
    { shape: input.shape, kind: kindOf(input.x), data: input.x },
    y,
    `data.${part}.x`,
    `data.${part}.y`,
  );
}

function arraysDataset(source: ArraysData): Dataset {
  const train = arrayPart(source.train, 'train');
  const test = arrayPart(source.test, 'test');
  if (train.shape.join() !== test.shape.join() || train.targetWidth !== test.targetWidth) {
    throw new DataError(
      `data.train samples are [${train.shape.join(', ')}] with ${train.targetWidth} y values but data.test samples are ` +
        `[${test.shape.join(', ')}] with ${test.targetWidth}; both splits must have the same shapes`,
    );
  }
  return {
    name: 'arrays',
    shape: train.shape,
    numClasses: train.numClasses > 0 && test.numClasses > 0 ? Math.max(train.numClasses, test.numClasses) : 0,
    targetWidth: train.targetWidth,
    train: train.split,
    test: test.split,
    description: `in-memory arrays: ${train.split.count} train, ${test.split.count} test samples of [${train.shape.join(', ')}]`,
  };
}

/** The elements of a tf.data.Dataset or an async iterable, in order. */
async function* elements(source: TensorDataset): AsyncGenerator<TensorElement> {
  if (Symbol.asyncIterator in source) {
    yield* source;
    return;
  }
  const it = await source.iterator();
  for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
}

async function tensorDataset(source: TensorDataset, options: LoadOptions): Promise<Dataset> {
  const sample = options.inputShape;
  if (!sample) throw new UsageError('a tensor dataset needs the model input shape to tell samples from batches');
  const size = sample.reduce((a, b) => a * b, 1);
  const xs: ArrayLike<number>[] = [];
  const ys: ArrayLike<number>[] = [];
  let kind: 'int' | 'float' = 'float';
  let yKind: 'int' | 'float' = 'float';
  let count = 0;
  let withY: boolean | undefined;
  let element = 0;
  for await (const e of elements(source)) {
    if (!e || typeof e !== 'object' || !e.xs)
      throw new DataError(`tensor dataset element ${element}: expected { xs, ys }`);
    const n = e.xs.size / size;
    if (!Number.isInteger(n) || n < 1) {
      throw new DataError(
        `tensor dataset element ${element}: xs has shape [${e.xs.shape.join(', ')}] (${e.xs.size} values), not a whole number of the model's inputs [${sample.join(', ')}]`,
      );
    }
    if (withY !== undefined && withY !== (e.ys !== undefined)) {
      throw new DataError(`tensor dataset element ${element}: some elements have ys and some do not`);
    }
    withY = e.ys !== undefined;
    kind = e.xs.dtype === 'int32' || e.xs.dtype === 'bool' ? 'int' : 'float';
    xs.push((await e.xs.data()) as ArrayLike<number>);
    if (e.ys) {
      yKind = e.ys.dtype === 'int32' ? 'int' : 'float';
      ys.push((await e.ys.data()) as ArrayLike<number>);
    }
    count += n;
    element++;
  }
  if (count === 0) throw new DataError('the tensor dataset yielded no samples');
  const y = withY ? concat(ys) : undefined;
  const all = arraySplit(
    { shape: [count, ...sample], kind, data: concat(xs) },
    y ? { shape: [count, y.length / count], kind: yKind, data: y } : undefined,
    'tensor dataset xs',
    'tensor dataset ys',
  );
  const { train, test, rule } = splitByIndex(all.split);
  return {
    name: 'tensor dataset',
    shape: [...sample],
    numClasses: all.numClasses,
    targetWidth: all.targetWidth,
    train,
    test,
    description: `tensor dataset of ${count} samples in ${element} elements. ${rule}`,
  };
}

/** The chunks end to end (f64, so any tensor value is exact). */
function concat(chunks: readonly ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(chunks.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A hash of a run's data, for the checkpoint fingerprint of data that has no spec string. */
export function dataHash(splits: readonly Split[]): string {
  const h = createHash('sha256');
  for (const s of splits) {
    h.update(new Uint8Array(s.images.buffer, s.images.byteOffset, s.images.byteLength));
    if (s.targets) h.update(new Uint8Array(s.targets.buffer, s.targets.byteOffset, s.targets.byteLength));
    h.update(s.labels);
  }
  return h.digest('hex');
}
