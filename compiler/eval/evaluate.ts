// `sqz eval`: a model's test metrics on a dataset's test split, for its task (accuracy for classification; MSE and
// MAE for regression and reconstruction). A .sqz runs in the wasm runtime (what an application gets); a
// model.json runs through the compiler's import and tfjs forward pass (what compress calls "before"), so the two
// numbers are comparable with the ones compress reports.
import * as path from 'node:path';
import { subset, type Dataset, type Split } from '../data/index.js';
import { checkDataSource, describeDataSource, loadDataSource, type DataSource } from '../data/source.js';
import { selectBackend, type BackendChoice } from '../engine/backend.js';
import { DataError, UsageError } from '../errors.js';
import { importModel } from '../import/index.js';
import { graphConstants } from '../ir/forward.js';
import type { Graph } from '../ir/graph.js';
import { checkCompatible, loadOptionsFor } from '../compress/run_setup.js';
import { predictOutputs } from '../compress/sgd.js';
import { parseTaskName, resolveTask, taskMetrics, type TaskMetrics, type TaskName } from '../compress/task.js';
import { loadSqzFile } from '../io/sqz_file.js';
import type { ModelInfo } from '../../runtime/index.js';
import { runtimeOutputs } from './runtime_classes.js';

export interface EvalOptions {
  /** A .sqz file, or a TensorFlow.js model.json (or its folder). */
  model: string;
  /** Dataset spec, or in-memory data, as for compress (compiler/data/source.ts). */
  data: DataSource;
  /** Evaluate a stratified subset of this many test samples (the same subset compress's --test-samples takes). */
  limit?: number;
  /** tfjs engine for model.json (default auto). */
  backend?: BackendChoice;
  /** images: what pixels 0 and 255 map to (default [0, 1], or [0, 255] for a model.json starting with Rescaling). */
  inputRange?: [number, number];
  /** csv: the y column (default the last). */
  labelColumn?: string;
  /** The task (default inferred as compress infers it). */
  task?: TaskName;
}

export interface EvalResult {
  model: string;
  data: string;
  /** 'wasm runtime (simd)' or 'tfjs (wasm)', say. */
  engine: string;
  task: TaskName;
  /** The task's metrics: accuracy; or mse and mae averaged over all output values. */
  metrics: TaskMetrics;
  samples: number;
  /** Classification only. */
  correct?: number;
  /** Classification only (also in metrics). */
  accuracy?: number;
  seconds: number;
}

/** True when `file` names a .sqz (by extension); anything else is taken as a TensorFlow.js model. */
function isSqzPath(file: string): boolean {
  return path.extname(file).toLowerCase() === '.sqz';
}

export async function evaluate(options: EvalOptions): Promise<EvalResult> {
  checkDataSource(options.data); // a typo fails before the model and the data are read
  if (options.task !== undefined) parseTaskName(options.task);
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 1)) {
    throw new UsageError(`--limit must be a positive integer, got ${options.limit}`);
  }
  const run = isSqzPath(options.model) ? outputsOfRuntime : outputsOfTfjs;
  const started = performance.now();
  const { engine, outputs, test, task } = await run(options);
  const metrics = taskMetrics(task, outputs, test);
  return {
    model: options.model,
    data: describeDataSource(options.data),
    engine,
    task,
    metrics,
    samples: test.count,
    ...(task === 'classification'
      ? { correct: Math.round(metrics.accuracy! * test.count), accuracy: metrics.accuracy! }
      : {}),
    seconds: (performance.now() - started) / 1000,
  };
}

/** The test split (a stratified subset with --limit; a plain first-N for tasks without classes). */
function testSplit(dataset: Dataset, limit: number | undefined, task: TaskName): Split {
  const test =
    task === 'classification' ? dataset.test : { ...dataset.test, labels: new Uint8Array(dataset.test.count) };
  return limit === undefined ? test : subset(test, Math.min(limit, test.count));
}

type Outputs = { engine: string; outputs: Float32Array; test: Split; task: TaskName };

/** A .sqz in the wasm runtime. Its graph is not at hand, so the task is inferred from its info and the data. */
async function outputsOfRuntime(options: EvalOptions): Promise<Outputs> {
  const model = await loadSqzFile(options.model);
  try {
    const info = model.info;
    const dataset = await loadDataSource(options.data, {
      inputShape: info.inputs[0]!.shape,
      // the range the file was trained with, unless the command line says otherwise
      ...(options.inputRange || info.inputRange ? { inputRange: options.inputRange ?? info.inputRange } : {}),
      ...(options.labelColumn !== undefined ? { labelColumn: options.labelColumn } : {}),
    });
    const inputSize = info.inputs[0]!.shape.reduce((a, b) => a * b, 1);
    const sampleSize = dataset.shape.reduce((a, b) => a * b, 1);
    if (info.inputs.length !== 1 || inputSize !== sampleSize) {
      throw new DataError(
        `${options.model} takes inputs of shape [${info.inputs[0]!.shape}] (${inputSize} values) but ` +
          `${dataset.name} samples are [${dataset.shape}] (${sampleSize} values); use a model made for this dataset`,
      );
    }
    const { task } = resolveTask(infoGraph(info), dataset, options.task, options.model);
    const test = testSplit(dataset, options.limit, task.name);
    return { engine: `wasm runtime (${info.variant})`, outputs: runtimeOutputs(model, test), test, task: task.name };
  } finally {
    model.dispose();
  }
}

/**
 * The little of a graph resolveTask reads, from a .sqz's info: input and output shapes, and whether the last op
 * (the one writing the output, ops run in order) ends in softmax.
 */
function infoGraph(info: ModelInfo): Graph {
  return {
    values: [
      { name: 'input', shape: [...info.inputs[0]!.shape] },
      { name: 'output', shape: [...info.outputs[0]!.shape] },
    ],
    ops: [
      {
        type: 'activation',
        name: 'output',
        inputs: [0],
        output: 1,
        activation: info.ops[info.ops.length - 1]?.activation === 'softmax' ? 'softmax' : 'linear',
      },
    ],
    inputs: [0],
    outputs: [1],
  };
}

async function outputsOfTfjs(options: EvalOptions): Promise<Outputs> {
  const backend = await selectBackend(options.backend ?? 'auto');
  const graph = await importModel(options.model);
  const dataset = await loadDataSource(options.data, loadOptionsFor(graph, options));
  const { inputShape, task } = checkCompatible(graph, dataset, options.model, options.task);
  const test = testSplit(dataset, options.limit, task.name);
  const constants = graphConstants(graph);
  try {
    return {
      engine: `tfjs (${backend.name})`,
      outputs: predictOutputs(graph, constants.params, test, inputShape, task.name === 'classification'),
      test,
      task: task.name,
    };
  } finally {
    constants.dispose();
  }
}
