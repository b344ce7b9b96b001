// Trains one model of the zoo (bench/baselines/zoo_models.ts) on Fashion-MNIST with a fixed seed and saves it as a
// TensorFlow.js layers model (model.json + weights.bin) with baseline.json: its test metric (accuracy on the 10,000
// test images, or the reconstruction's mean squared error), parameters, time and the command that made it. After the
// last epoch BatchNorm's moving statistics are re-estimated on training images (recalibrate_bn.ts): a short training
// leaves them near their initial values, and the saved model would classify at chance.
//   node dist/bench/baselines/train_zoo.js --model resnet-8 --out bench/out/zoo/resnet-8 [--seed 1] [--epochs N]
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Command } from 'commander';
import { batches, loadDataset, subset, type Split } from '../../compiler/data/index.js';
import { selectBackend, type BackendChoice } from '../../compiler/engine/backend.js';
import { readModelArtifacts } from '../../compiler/import/model_files.js';
import { saveLayersModel } from '../../compiler/util/save_model.js';
import { createRng } from '../../compiler/util/rng.js';
import { recalibrateBatchNorm } from './recalibrate_bn.js';
import { ZOO, buildZooModel, type ZooTask } from './zoo_models.js';

export const ZOO_DATA = 'fashion-mnist';
/** Training images (the first of the stratified training subset) whose batch statistics become BatchNorm's moving ones. */
export const RECALIBRATION_SAMPLES = 2000;

export interface ZooBaseline {
  name: string;
  description: string;
  task: ZooTask;
  inputShape: number[];
  seed: number;
  epochs: number;
  trainSamples: number;
  lr: number;
  batch: number;
  backend: string;
  /** Weights (kernels, biases, BatchNorm's four vectors) as the tfjs model holds them. */
  parameters: number;
  /** Classification: test accuracy on the 10,000 test images. */
  testAccuracy?: number;
  /** Reconstruction: mean squared error per pixel on the 10,000 test images. */
  testMse?: number;
  losses: number[];
  /** BatchNorm layers whose moving statistics were re-estimated on RECALIBRATION_SAMPLES images (recalibrate_bn.ts). */
  recalibratedLayers?: number;
  seconds: number;
  command: string;
}

/** The model's outputs for `split`, in batches of 500 (rows of the output, concatenated). */
export function predictAll(model: tfl.LayersModel, split: Split, inputShape: readonly number[]): Float32Array {
  const size = split.images.length / split.count;
  const chunks: Float32Array[] = [];
  for (let start = 0; start < split.count; start += 500) {
    const count = Math.min(500, split.count - start);
    chunks.push(
      tf.tidy(
        () =>
          (
            model.predict(
              tf.tensor(split.images.subarray(start * size, (start + count) * size), [count, ...inputShape]),
            ) as tf.Tensor
          ).dataSync() as Float32Array,
      ),
    );
  }
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Share of rows of `scores` (10 per sample) whose largest entry is the label. */
export function accuracyOf(scores: Float32Array, labels: Uint8Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (scores[i * 10 + c]! > scores[i * 10 + best]!) best = c;
    if (best === labels[i]) correct++;
  }
  return correct / labels.length;
}

/** Mean of (a − b)² over every element. */
export function meanSquaredError(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return sum / a.length;
}

export interface ZooTrainArgs {
  name: string;
  out: string;
  seed: number;
  epochs?: number;
  trainSamples?: number;
  backend: BackendChoice;
}

export async function trainZooModel(args: ZooTrainArgs): Promise<ZooBaseline> {
  const entry = ZOO[args.name];
  if (entry === undefined) throw new Error(`unknown zoo model '${args.name}' (one of ${Object.keys(ZOO).join(', ')})`);
  const backend = await selectBackend(args.backend);
  const dataset = await loadDataset(ZOO_DATA);
  const epochs = args.epochs ?? entry.train.epochs;
  const train = subset(dataset.train, Math.min(args.trainSamples ?? entry.train.samples, dataset.train.count));
  const model = buildZooModel(args.name, args.seed);
  const reconstruct = entry.task === 'reconstruction';
  model.compile({
    optimizer: tf.train.adam(entry.train.lr),
    loss: reconstruct ? 'meanSquaredError' : 'categoricalCrossentropy',
  });
  const rng = createRng(args.seed);
  const losses: number[] = [];
  const started = performance.now();
  for (let epoch = 0; epoch < epochs; epoch++) {
    let loss = 0;
    let n = 0;
    for (const batch of batches(train, entry.train.batch, rng)) {
      const x = tf.tensor(batch.images, [batch.count, ...entry.inputShape]);
      const y = reconstruct ? x : tf.oneHot(tf.tensor1d(batch.labels, 'int32'), 10);
      const result = await model.trainOnBatch(x, y);
      loss += (Array.isArray(result) ? result[0]! : result) * batch.count;
      n += batch.count;
      tf.dispose([x, y]);
    }
    losses.push(loss / n);
    process.stderr.write(`${args.name} epoch ${epoch + 1}/${epochs}: loss ${(loss / n).toFixed(4)}\n`);
  }
  const recalibratedLayers = recalibrateBatchNorm(model, subset(train, RECALIBRATION_SAMPLES), entry.inputShape);
  const seconds = (performance.now() - started) / 1000;
  const outputs = predictAll(model, dataset.test, entry.inputShape);
  const command =
    `node dist/bench/baselines/train_zoo.js --model ${args.name} --seed ${args.seed} --epochs ${epochs} ` +
    `--train-samples ${train.count} --backend ${args.backend} --out ${args.out}`;
  const baseline: ZooBaseline = {
    name: args.name,
    description: entry.description,
    task: entry.task,
    inputShape: entry.inputShape,
    seed: args.seed,
    epochs,
    trainSamples: train.count,
    lr: entry.train.lr,
    batch: entry.train.batch,
    backend: backend.name,
    parameters: model.countParams(),
    ...(reconstruct
      ? { testMse: meanSquaredError(outputs, dataset.test.images) }
      : { testAccuracy: accuracyOf(outputs, dataset.test.labels) }),
    losses,
    recalibratedLayers,
    seconds,
    command,
  };
  await saveLayersModel(model, args.out);
  await writeFile(path.join(args.out, 'baseline.json'), `${JSON.stringify(baseline, null, 2)}\n`);
  model.dispose();
  return baseline;
}

/**
 * The moving-statistics step of trainZooModel alone, on a model it trained without it (a model saved by an earlier
 * version, whose training is otherwise the same): re-estimates, re-evaluates, saves over it and updates baseline.json.
 */
export async function recalibrateZooModel(args: {
  name: string;
  out: string;
  backend: BackendChoice;
}): Promise<ZooBaseline> {
  const entry = ZOO[args.name];
  if (entry === undefined) throw new Error(`unknown zoo model '${args.name}'`);
  await selectBackend(args.backend);
  const old = JSON.parse(await readFile(path.join(args.out, 'baseline.json'), 'utf8')) as ZooBaseline;
  const dataset = await loadDataset(ZOO_DATA);
  const model = await tfl.loadLayersModel({ load: async () => readModelArtifacts(path.join(args.out, 'model.json')) });
  const started = performance.now();
  const train = subset(dataset.train, Math.min(old.trainSamples, dataset.train.count));
  const recalibratedLayers = recalibrateBatchNorm(model, subset(train, RECALIBRATION_SAMPLES), entry.inputShape);
  const seconds = old.seconds + (performance.now() - started) / 1000;
  const outputs = predictAll(model, dataset.test, entry.inputShape);
  const baseline: ZooBaseline = {
    ...old,
    recalibratedLayers,
    seconds,
    ...(entry.task === 'reconstruction'
      ? { testMse: meanSquaredError(outputs, dataset.test.images) }
      : { testAccuracy: accuracyOf(outputs, dataset.test.labels) }),
  };
  await saveLayersModel(model, args.out);
  await writeFile(path.join(args.out, 'baseline.json'), `${JSON.stringify(baseline, null, 2)}\n`);
  model.dispose();
  return baseline;
}

const program = new Command()
  .requiredOption('--model <name>', Object.keys(ZOO).join(' | '))
  .requiredOption('--out <dir>', 'folder for model.json, weights.bin and baseline.json')
  .option('--seed <n>', 'seed', (v) => Number(v), 1)
  .option('--epochs <n>', "epochs (default: the model's)", (v) => Number(v))
  .option('--train-samples <n>', "a stratified subset of the 60,000 training images (default: the model's)", (v) =>
    Number(v),
  )
  .option('--backend <name>', 'auto | wasm | cpu', 'wasm')
  .option(
    '--recalibrate-only',
    "only re-estimate BatchNorm's moving statistics of the model already in --out (trained before that step existed)",
  );

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  tf.env().set('PROD', true);
  type Options = {
    model: string;
    out: string;
    seed: number;
    epochs?: number;
    trainSamples?: number;
    backend: BackendChoice;
    recalibrateOnly?: boolean;
  };
  const o = program.parse().opts<Options>();
  const b = o.recalibrateOnly
    ? await recalibrateZooModel({ name: o.model, out: o.out, backend: o.backend })
    : await trainZooModel({
        name: o.model,
        out: o.out,
        seed: o.seed,
        epochs: o.epochs,
        trainSamples: o.trainSamples,
        backend: o.backend,
      });
  const metric =
    b.testAccuracy !== undefined
      ? `test accuracy ${(100 * b.testAccuracy).toFixed(2)}%`
      : `test MSE ${b.testMse!.toFixed(5)}`;
  console.log(`${o.model}: ${metric}, ${b.parameters} parameters, ${b.seconds.toFixed(1)} s → ${o.out}`);
}
