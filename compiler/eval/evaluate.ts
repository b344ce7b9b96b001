// `sqz eval`: test accuracy of a model on a dataset's test split. A .sqz runs in the wasm runtime (what an
// application gets); a model.json runs through the compiler's import and tfjs forward pass (what compress
// calls "before"), so the two numbers are comparable with the ones compress reports.
import * as path from 'node:path';
import { loadDataset, parseDatasetSpec, subset, type Dataset, type Split } from '../data/index.js';
import { selectBackend, type BackendChoice } from '../engine/backend.js';
import { DataError, UsageError } from '../errors.js';
import { importModel } from '../import/index.js';
import { graphConstants } from '../ir/forward.js';
import { checkCompatible, loadOptionsFor } from '../compress/run_setup.js';
import { predictClasses } from '../compress/sgd.js';
import { loadSqzFile } from '../io/sqz_file.js';
import { fractionEqual, runtimeClasses } from './runtime_classes.js';

export interface EvalOptions {
  /** A .sqz file, or a TensorFlow.js model.json (or its folder). */
  model: string;
  /** Dataset spec, as for compress. */
  data: string;
  /** Evaluate a stratified subset of this many test samples (the same subset compress's --test-samples takes). */
  limit?: number;
  /** tfjs engine for model.json (default auto). */
  backend?: BackendChoice;
  /** images: what pixels 0 and 255 map to (default [0, 1], or [0, 255] for a model.json starting with Rescaling). */
  inputRange?: [number, number];
  /** csv: the y column (default the last). */
  labelColumn?: string;
}

export interface EvalResult {
  model: string;
  data: string;
  /** 'wasm runtime (simd)' or 'tfjs (wasm)', say. */
  engine: string;
  samples: number;
  correct: number;
  accuracy: number;
  seconds: number;
}

/** True when `file` names a .sqz (by extension); anything else is taken as a TensorFlow.js model. */
function isSqzPath(file: string): boolean {
  return path.extname(file).toLowerCase() === '.sqz';
}

export async function evaluate(options: EvalOptions): Promise<EvalResult> {
  parseDatasetSpec(options.data); // a typo fails before the model and the data are read
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 1)) {
    throw new UsageError(`--limit must be a positive integer, got ${options.limit}`);
  }
  const run = isSqzPath(options.model) ? classifyWithRuntime : classifyWithTfjs;
  const started = performance.now();
  const { engine, classes, test } = await run(options);
  const accuracy = fractionEqual(classes, test.labels);
  return {
    model: options.model,
    data: options.data,
    engine,
    samples: test.count,
    correct: Math.round(accuracy * test.count),
    accuracy,
    seconds: (performance.now() - started) / 1000,
  };
}

function testSplit(dataset: Dataset, limit: number | undefined): Split {
  return limit === undefined ? dataset.test : subset(dataset.test, Math.min(limit, dataset.test.count));
}

type Classified = { engine: string; classes: Uint8Array; test: Split };

async function classifyWithRuntime(options: EvalOptions): Promise<Classified> {
  const model = await loadSqzFile(options.model);
  try {
    const info = model.info;
    const dataset = await loadDataset(options.data, {
      inputShape: info.inputs[0]!.shape,
      ...(options.inputRange ? { inputRange: options.inputRange } : {}),
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
    const classes = info.outputs[0]!.shape.reduce((a, b) => a * b, 1);
    if (classes < dataset.numClasses) {
      throw new DataError(`${options.model} scores ${classes} classes but ${dataset.name} has ${dataset.numClasses}`);
    }
    const test = testSplit(dataset, options.limit);
    return { engine: `wasm runtime (${info.variant})`, classes: runtimeClasses(model, test), test };
  } finally {
    model.dispose();
  }
}

async function classifyWithTfjs(options: EvalOptions): Promise<Classified> {
  const backend = await selectBackend(options.backend ?? 'auto');
  const graph = await importModel(options.model);
  const dataset = await loadDataset(options.data, loadOptionsFor(graph, options));
  const { inputShape } = checkCompatible(graph, dataset, options.model);
  const test = testSplit(dataset, options.limit);
  const constants = graphConstants(graph);
  try {
    return {
      engine: `tfjs (${backend.name})`,
      classes: predictClasses(graph, constants.params, test, inputShape),
      test,
    };
  } finally {
    constants.dispose();
  }
}
