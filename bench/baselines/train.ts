// Trains a reference baseline with a fixed seed and saves it as a TensorFlow.js layers model (model.json +
// weights.bin) plus baseline.json with its accuracy and the command that made it.
//   node dist/bench/baselines/train.js --arch lenet5 --data mnist --epochs 12 --out examples/models/mnist-lenet5
// With --widths it trains a narrow version from scratch instead (bench/compare's small-model methods): on the
// training split `sqz compress --seed S` uses (its validation split held out), optionally distilled from --teacher.
//   node dist/bench/baselines/train.js --arch lenet5 --widths 7,18 --data fashion-mnist --epochs 6 --seed 1 \
//     --lr 0.003 --batch 64 --teacher bench/out/models/fashion-mnist-lenet5/model.json --distill 0.9 --temperature 4 --out DIR
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Command } from 'commander';
import { batches, loadDataset, type Split } from '../../compiler/data/index.js';
import { selectBackend, type BackendChoice } from '../../compiler/engine/backend.js';
import { prepareData } from '../../compiler/compress/run_setup.js';
import { saveLayersModel } from '../../compiler/util/save_model.js';
import { createRng } from '../../compiler/util/rng.js';
import { DEFAULT_DISTILLATION } from './distill.js';
import { graphTeacher, teacherTargets, type Teacher } from '../../compiler/compress/distill.js';
import { importModel } from '../../compiler/import/index.js';
import { fitLogits } from './fit.js';
import { ARCHITECTURES, type ArchName } from './models.js';

interface TrainArgs {
  arch: ArchName;
  data: string;
  epochs: number;
  out: string;
  seed: number;
  lr: number;
  batch: number;
  backend: BackendChoice;
}

function accuracy(model: tfl.LayersModel, split: Split, shape: readonly number[]): number {
  return tf.tidy(() => {
    const x = tf.tensor(split.images, [split.count, ...shape], 'float32');
    const predicted = tf.argMax(model.predict(x) as tf.Tensor, -1).dataSync();
    let correct = 0;
    for (let i = 0; i < split.count; i++) if (predicted[i] === split.labels[i]) correct++;
    return correct / split.count;
  });
}

export async function trainBaseline(args: TrainArgs): Promise<{ testAccuracy: number; seconds: number }> {
  const backend = await selectBackend(args.backend);
  const dataset = await loadDataset(args.data);
  const train = dataset.train;
  const model = ARCHITECTURES[args.arch](args.seed);
  model.compile({ optimizer: tf.train.adam(args.lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const rng = createRng(args.seed);
  const started = performance.now();
  for (let epoch = 0; epoch < args.epochs; epoch++) {
    let loss = 0;
    let n = 0;
    for (const batch of batches(train, args.batch, rng)) {
      const x = tf.tensor(batch.images, [batch.count, ...dataset.shape]);
      const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), dataset.numClasses);
      const out = await model.trainOnBatch(x, y);
      loss += (Array.isArray(out) ? out[0]! : out) * batch.count;
      n += batch.count;
      tf.dispose([x, y]);
    }
    process.stderr.write(`epoch ${epoch + 1}/${args.epochs}: loss ${(loss / n).toFixed(4)}\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  const testAccuracy = accuracy(model, dataset.test, dataset.shape);
  await saveLayersModel(model, args.out);
  const command =
    `node dist/bench/baselines/train.js --arch ${args.arch} --data ${args.data} --epochs ${args.epochs} ` +
    `--seed ${args.seed} --lr ${args.lr} --batch ${args.batch} --out ${args.out}`;
  await writeFile(
    path.join(args.out, 'baseline.json'),
    `${JSON.stringify(
      {
        arch: args.arch,
        data: args.data,
        epochs: args.epochs,
        seed: args.seed,
        lr: args.lr,
        batch: args.batch,
        backend: backend.name,
        trainSamples: train.count,
        testSamples: dataset.test.count,
        testAccuracy,
        seconds,
        command,
      },
      null,
      2,
    )}\n`,
  );

  return { testAccuracy, seconds };
}

/** What makes a small model: bench/compare reuses a trained one only when all of these match. */
export interface SmallTrainSettings {
  arch: ArchName;
  widths: number[];
  data: string;
  epochs: number;
  seed: number;
  lr: number;
  batch: number;
  validationSplit: number;
  /** As `sqz compress --train-samples`: a stratified subset before the validation split; absent: all. */
  trainSamples?: number;
  /** model.json whose softened outputs the student also learns, with the teacher term's weight and temperature. */
  teacher?: { model: string; alpha: number; temperature: number };
}

/** What train.js writes beside a small model (baseline.json). */
export interface SmallTrainRecord {
  settings: SmallTrainSettings;
  backend: string;
  trainSamples: number;
  validationSamples: number;
  testSamples: number;
  /** Samples the teacher scored (each training sample once), 0 without a teacher. */
  teacherSamples: number;
  losses: number[];
  validationAccuracy: number;
  testAccuracy: number;
  seconds: number;
  command: string;
}

/** The train.js command line for `s` (what bench/compare runs, and what baseline.json records). */
export function smallTrainArgs(s: SmallTrainSettings, out: string, backend: BackendChoice = 'auto'): string[] {
  return [
    'dist/bench/baselines/train.js',
    '--arch',
    s.arch,
    '--widths',
    s.widths.join(','),
    '--data',
    s.data,
    '--epochs',
    String(s.epochs),
    '--seed',
    String(s.seed),
    '--lr',
    String(s.lr),
    '--batch',
    String(s.batch),
    '--validation-split',
    String(s.validationSplit),
    ...(s.trainSamples !== undefined ? ['--train-samples', String(s.trainSamples)] : []),
    ...(s.teacher
      ? [
          '--teacher',
          s.teacher.model,
          '--distill',
          String(s.teacher.alpha),
          '--temperature',
          String(s.teacher.temperature),
        ]
      : []),
    ...(backend !== 'auto' ? ['--backend', backend] : []),
    '--out',
    out,
  ];
}

/**
 * Trains `s.arch` at `s.widths` from scratch with Adam on compress's training split for `s.seed` (validation held
 * out, so selecting by validation accuracy later is honest), with the teacher's soft targets computed once up front.
 * Saves model.json (softmax output, like the baselines) and baseline.json (SmallTrainRecord) in `out`.
 */
export async function trainSmallModel(
  s: SmallTrainSettings,
  out: string,
  backendChoice: BackendChoice = 'auto',
  teacher?: Teacher,
): Promise<SmallTrainRecord> {
  const backend = await selectBackend(backendChoice);
  const dataset = await loadDataset(s.data);
  const data = prepareData(
    dataset,
    {
      model: '',
      data: s.data,
      output: '',
      ratio: 1,
      trainSamples: s.trainSamples,
      validationSplit: s.validationSplit,
      hyper: { seed: s.seed },
    },
    'classification',
  );
  const started = performance.now();
  let soft: Float32Array | undefined;
  if (s.teacher) {
    const t = teacher ?? graphTeacher(await importModel(s.teacher.model));
    try {
      soft = teacherTargets(t, data.train, dataset.shape, dataset.numClasses, s.teacher.temperature);
    } finally {
      if (!teacher) t.dispose();
    }
  }
  const build = ARCHITECTURES[s.arch];
  const model = build(s.seed, s.widths, 'linear');
  const losses = fitLogits(model, data.train, {
    epochs: s.epochs,
    lr: s.lr,
    batchSize: s.batch,
    seed: s.seed,
    inputShape: dataset.shape,
    numClasses: dataset.numClasses,
    distill:
      s.teacher && soft ? { alpha: s.teacher.alpha, temperature: s.teacher.temperature, targets: soft } : undefined,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const seconds = (performance.now() - started) / 1000;
  // The same layers with a softmax output, as the baselines are saved: what sqz compress and eval expect.
  const saved = build(s.seed, s.widths, 'softmax');
  saved.setWeights(model.getWeights());
  const record: SmallTrainRecord = {
    settings: s,
    backend: backend.name,
    trainSamples: data.train.count,
    validationSamples: data.validation.count,
    testSamples: data.test.count,
    teacherSamples: soft ? soft.length / dataset.numClasses : 0,
    losses,
    validationAccuracy: accuracy(saved, data.validation, dataset.shape),
    testAccuracy: accuracy(saved, data.test, dataset.shape),
    seconds,
    command: `node ${smallTrainArgs(s, out, backendChoice).join(' ')}`,
  };
  await saveLayersModel(saved, out);
  await writeFile(path.join(out, 'baseline.json'), `${JSON.stringify(record, null, 2)}\n`);
  model.dispose();
  saved.dispose();
  return record;
}

const list = (v: string) => v.split(',').map((x) => Number(x.trim()));

const program = new Command()
  .requiredOption('--arch <name>', 'lenet5 | lenet300 | mlp-small')
  .requiredOption('--data <spec>', 'mnist | fashion-mnist[:DIR] | idx:IMAGES,LABELS')
  .requiredOption('--out <dir>', 'folder for model.json, weights.bin and baseline.json')
  .option('--epochs <n>', 'epochs', (v) => Number(v), 10)
  .option('--seed <n>', 'seed', (v) => Number(v), 1)
  .option('--lr <x>', 'Adam learning rate', (v) => Number(v), 1e-3)
  .option('--batch <n>', 'batch size', (v) => Number(v), 128)
  .option('--backend <name>', 'auto | wasm | cpu', 'auto')
  .option(
    '--widths <list>',
    "train a narrow version from scratch: lenet5 conv1,conv2[,fc1] | lenet300 hidden1,hidden2 (on compress's training split for --seed)",
    list,
  )
  .option(
    '--validation-split <f>',
    'with --widths: fraction held out as sqz compress holds it out',
    (v) => Number(v),
    0.1,
  )
  .option(
    '--train-samples <n>',
    'with --widths: a stratified subset of the training data first, as sqz compress --train-samples',
    (v) => Number(v),
  )
  .option('--teacher <model.json>', "with --widths: distil from this model's softened outputs")
  .option(
    '--distill <alpha>',
    'with --teacher: weight of the teacher term',
    (v) => Number(v),
    DEFAULT_DISTILLATION.alpha,
  )
  .option(
    '--temperature <T>',
    'with --teacher: softmax temperature',
    (v) => Number(v),
    DEFAULT_DISTILLATION.temperature,
  );

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  tf.env().set('PROD', true);
  const o = program.parse().opts();
  if (o.widths === undefined) {
    if (o.teacher !== undefined) throw new Error('--teacher needs --widths (it trains a small model from scratch)');
    const result = await trainBaseline({
      arch: o.arch,
      data: o.data,
      epochs: o.epochs,
      out: o.out,
      seed: o.seed,
      lr: o.lr,
      batch: o.batch,
      backend: o.backend,
    });
    console.log(
      `test accuracy ${(100 * result.testAccuracy).toFixed(2)}% in ${result.seconds.toFixed(1)} s → ${o.out}`,
    );
  } else {
    const r = await trainSmallModel(
      {
        arch: o.arch,
        widths: o.widths,
        data: o.data,
        epochs: o.epochs,
        seed: o.seed,
        lr: o.lr,
        batch: o.batch,
        validationSplit: o.validationSplit,
        trainSamples: o.trainSamples,
        teacher:
          o.teacher !== undefined ? { model: o.teacher, alpha: o.distill, temperature: o.temperature } : undefined,
      },
      o.out,
      o.backend,
    );
    console.log(
      `validation ${(100 * r.validationAccuracy).toFixed(2)}%, test ${(100 * r.testAccuracy).toFixed(2)}% in ${r.seconds.toFixed(1)} s → ${o.out}`,
    );
  }
}
