// Setting up a compression run from its options: checks that model and data fit each other, the data splits, the
// target in bytes, the hyper-parameters with their defaults, and the fingerprint that ties checkpoints to a run.
import { createHash } from 'node:crypto';
import type * as tf from '@tensorflow/tfjs-core';
import { checkDataSource, dataHash } from '../data/source.js';
import { splitValidation, subset, type Dataset, type LoadOptions, type Split } from '../data/index.js';
import { DataError, UsageError } from '../errors.js';
import { UnsupportedModelError } from '../import/errors.js';
import { importModelFromArtifacts, readModelArtifacts } from '../import/index.js';
import type { Graph } from '../ir/graph.js';
import type { Hyper, RunData } from './context.js';
import { maxShiftOf } from '../data/augment.js';
import {
  DEFAULT_HYPER,
  defaultAugmentShift,
  defaultEpochs,
  finetuneEpochsFor,
  MAX_WORKERS,
  type CompressOptions,
} from './options.js';
import { parseTaskName, resolveTask, type TaskName, type TaskSpec } from './task.js';

/**
 * Checks what can be checked from the options alone, before the slow set-up (engine, model, data): the data
 * spec's form, one of target and ratio with a sane value, the validation split, --resume's folder.
 * @throws UsageError
 */
export function checkOptions(options: CompressOptions): void {
  checkDataSource(options.data);
  if (options.task !== undefined) parseTaskName(options.task);
  checkTarget(options);
  const fraction = options.validationSplit ?? 0.1;
  if (!(fraction > 0 && fraction < 1))
    throw new UsageError(`--validation-split must be between 0 and 1, got ${fraction}`);
  const workers = options.workers ?? 1;
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= MAX_WORKERS))
    throw new UsageError(`--workers must be a whole number from 1 to ${MAX_WORKERS}, got ${workers}`);
  if (options.resume && !options.checkpointDir)
    throw new UsageError('--resume needs --checkpoint DIR (the folder of the run to resume)');
}

function checkTarget(options: CompressOptions): void {
  if ((options.targetBytes === undefined) === (options.ratio === undefined)) {
    throw new UsageError('give exactly one of --target-size and --ratio');
  }
  if (options.ratio !== undefined && !(options.ratio >= 1)) {
    throw new UsageError(
      `--ratio must be at least 1 (the fp32 weights file's size divided by the target), got ${options.ratio}`,
    );
  }
  if (options.targetBytes !== undefined && !(Number.isInteger(options.targetBytes) && options.targetBytes >= 1)) {
    throw new UsageError(`the target size must be a positive whole number of bytes, got ${options.targetBytes}`);
  }
}

/**
 * How to read data for `graph`: images are converted to its input shape, and mapped to `inputRange`, by default
 * [0, 1], or raw 0..255 when the model's first op is a Rescaling layer (which does its own scaling).
 */
export function loadOptionsFor(
  graph: Graph,
  options: { inputRange?: readonly [number, number]; labelColumn?: string },
): LoadOptions {
  const first = graph.ops.find((op) => op.inputs.includes(graph.inputs[0]!));
  const inputRange = options.inputRange ?? (first?.type === 'rescale' ? ([0, 255] as const) : undefined);
  return {
    inputShape: graph.values[graph.inputs[0]!]!.shape,
    ...(inputRange ? { inputRange } : {}),
    ...(options.labelColumn !== undefined ? { labelColumn: options.labelColumn } : {}),
  };
}

/**
 * Checks that a model with one input and one output takes `dataset`'s samples, and resolves the task (given or
 * inferred, task.ts), which checks that the data fits it (labels within the classes, y the output's size).
 */
export function checkCompatible(
  graph: Graph,
  dataset: Dataset,
  modelName: string,
  requestedTask?: TaskName,
): { inputShape: number[]; numClasses: number; task: TaskSpec; taskReason: string } {
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) {
    throw new UnsupportedModelError(
      `${modelName}: the model has ${graph.inputs.length} inputs and ${graph.outputs.length} outputs; ` +
        'sqz trains and evaluates models with one input and one output',
    );
  }
  const inputShape = graph.values[graph.inputs[0]!]!.shape;
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  const sampleSize = dataset.shape.reduce((a, b) => a * b, 1);
  if (inputSize !== sampleSize) {
    throw new DataError(
      `${modelName} takes inputs of shape [${inputShape}] (${inputSize} values) but ${dataset.name} ` +
        `samples are [${dataset.shape}] (${sampleSize} values); use a model made for this dataset`,
    );
  }
  const { task, reason } = resolveTask(graph, dataset, requestedTask, modelName);
  return { inputShape, numClasses: task.numClasses, task, taskReason: reason };
}

export function prepareData(dataset: Dataset, options: CompressOptions, task: TaskName): RunData {
  const fraction = options.validationSplit ?? 0.1;
  if (!(fraction > 0 && fraction < 1))
    throw new UsageError(`--validation-split must be between 0 and 1, got ${fraction}`);
  // Stratifying by class only means something for classification: other tasks cut their data by a seeded shuffle
  // (one "class"), so a regression's integer y does not steer the validation split.
  const plain = (s: Split): Split => ({ ...s, labels: new Uint8Array(s.count) });
  let train = task === 'classification' ? dataset.train : plain(dataset.train);
  let test = task === 'classification' ? dataset.test : plain(dataset.test);
  if (options.trainSamples !== undefined) train = subset(train, Math.min(options.trainSamples, train.count));
  if (options.testSamples !== undefined) test = subset(test, Math.min(options.testSamples, test.count));
  const split = splitValidation(train, fraction, options.hyper?.seed ?? DEFAULT_HYPER.seed);
  if (split.validation.count === 0 || split.train.count === 0) {
    throw new DataError(`${train.count} training samples are too few to hold out a validation split of ${fraction}`);
  }
  return { train: split.train, validation: split.validation, test };
}

export function resolveTarget(options: CompressOptions, fp32WeightBytes: number): number {
  checkTarget(options);
  if (options.ratio !== undefined) return Math.floor(fp32WeightBytes / options.ratio);
  return options.targetBytes!;
}

/**
 * The run's hyper-parameters: the defaults, then options.hyper. `maxShift` is the largest shift the training
 * inputs allow (maxShiftFor; 0 = they cannot be shifted): the default shift is 0 there and depends on the ADMM
 * epochs elsewhere (defaultAugmentShift); an explicit shift above it is a UsageError. @throws UsageError
 */
export function resolveHyper(options: CompressOptions, trainCount: number, maxShift: number): Hyper {
  const merged = { ...DEFAULT_HYPER, ...options.hyper };
  const shift = options.hyper?.augmentShift ?? 0;
  if (shift > maxShift)
    throw new UsageError(
      maxShift === 0
        ? `--augment-shift ${shift} shifts images; it needs [height, width, channels] inputs of a classifier or an autoencoder (use --augment-shift 0)`
        : `--augment-shift ${shift} is more than these images allow; use at most ${maxShift} (less than half their height and width)`,
    );
  const epochs = merged.epochs ?? defaultEpochs(trainCount).epochs;
  const augmentShift = maxShift > 0 ? defaultAugmentShift(epochs) : 0;
  const hyper: Hyper = { epochs, finetuneEpochs: finetuneEpochsFor(epochs), augmentShift, ...merged };
  for (const [key, value] of Object.entries(hyper)) {
    if (!Number.isFinite(value) || value < 0)
      throw new UsageError(`${key} must be a non-negative number, got ${value}`);
  }
  if (hyper.epochs < 1) throw new UsageError('--epochs must be at least 1');
  if (hyper.distill > 1)
    throw new UsageError(`--distill must be between 0 and 1 (the teacher term's weight), got ${hyper.distill}`);
  if (!(hyper.temperature > 0)) throw new UsageError(`--temperature must be positive, got ${hyper.temperature}`);
  if (!Number.isInteger(hyper.augmentShift))
    throw new UsageError(`--augment-shift must be a whole number of pixels, got ${hyper.augmentShift}`);
  for (const key of ['batchSize', 'projectionInterval', 'refreshInterval'] as const) {
    if (!Number.isInteger(hyper[key]) || hyper[key] < 1)
      throw new UsageError(`${key} must be a positive integer, got ${hyper[key]}`);
  }
  return hyper;
}

/**
 * The largest shift a run's training inputs allow (augment.ts maxShiftOf): images of a classifier or an
 * autoencoder; 0 for regression (its targets would not move with the image) and for inputs that are not images.
 */
export function maxShiftFor(inputShape: readonly number[], task: TaskName): number {
  return task === 'regression' ? 0 : maxShiftOf(inputShape);
}

export async function fingerprintOf(
  options: CompressOptions,
  artifacts: tf.io.ModelArtifacts,
  targetBytes: number,
  hyper: Hyper,
  backend: string,
  data: RunData,
  task: TaskName,
  teacher?: tf.io.ModelArtifacts,
  workers = 1,
): Promise<string> {
  const h = createHash('sha256');
  h.update(
    JSON.stringify({
      topology: artifacts.modelTopology,
      data: typeof options.data === 'string' ? options.data : dataHash([data.train, data.validation, data.test]),
      inputRange: options.inputRange ?? null,
      task,
      labelColumn: options.labelColumn ?? null,
      labels: options.labels ?? null,
      targetBytes,
      hyper,
      backend,
      train: data.train.count,
      test: data.test.count,
      validation: options.validationSplit ?? 0.1,
      teacher: teacher?.modelTopology ?? null,
      collapseHead: options.collapseHead !== false,
      // Another N sums the gradients in another order: its checkpoints are another run's. (Absent for 1, so the
      // fingerprints of single-threaded runs are what they were before --workers.)
      ...(workers > 1 ? { workers } : {}),
    }),
  );
  for (const a of teacher ? [artifacts, teacher] : [artifacts]) {
    const weights = a.weightData;
    if (weights instanceof ArrayBuffer) h.update(new Uint8Array(weights));
    else if (Array.isArray(weights)) for (const w of weights) h.update(new Uint8Array(w));
  }
  return h.digest('hex');
}

/**
 * The distillation teacher: options.teacher imported like the model (and checked to take the same inputs and
 * score the same classes), or the model itself as given.
 */
export async function loadTeacher(
  options: CompressOptions,
  graph: Graph,
  inputShape: readonly number[],
  numClasses: number,
): Promise<{ name: string; graph: Graph; artifacts?: tf.io.ModelArtifacts }> {
  if (options.teacher === undefined) return { name: `${options.model} (the model as given)`, graph };
  const artifacts = await readModelArtifacts(options.teacher);
  const teacher = await importModelFromArtifacts(artifacts, options.teacher);
  const inputs = teacher.inputs.map((v) => teacher.values[v]!.shape);
  const outputs = teacher.outputs.map((v) => teacher.values[v]!.shape);
  if (
    inputs.length !== 1 ||
    inputs[0]!.join(',') !== inputShape.join(',') ||
    outputs.length !== 1 ||
    outputs[0]!.length !== 1 ||
    outputs[0]![0] !== numClasses
  ) {
    throw new UnsupportedModelError(
      `teacher ${options.teacher} takes [${inputs.join('], [')}] and outputs [${outputs.join('], [')}], ` +
        `but the model takes [${inputShape}] and outputs [${numClasses}]; give a --teacher with the same input and classes`,
    );
  }
  return { name: options.teacher, graph: teacher, artifacts };
}
