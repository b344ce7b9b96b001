// Trains a reference baseline with a fixed seed and saves it as a TensorFlow.js layers model (model.json +
// weights.bin) plus baseline.json with its accuracy and the command that made it.
//   node dist/bench/baselines/train.js --arch lenet5 --data mnist --epochs 12 --out examples/models/mnist-lenet5
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { batches, loadDataset } from '../../compiler/data/index.js';
import { selectBackend, type BackendChoice } from '../../compiler/engine/backend.js';
import { saveLayersModel } from '../../compiler/util/save_model.js';
import { createRng } from '../../compiler/util/rng.js';
import { ARCHITECTURES, type ArchName } from './models.js';

interface TrainArgs { arch: ArchName; data: string; epochs: number; out: string; seed: number; lr: number; batch: number; backend: BackendChoice }

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
      const x = tf.tensor4d(batch.images, [batch.count, ...dataset.shape]);
      const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), dataset.numClasses);
      const out = await model.trainOnBatch(x, y);
      loss += (Array.isArray(out) ? out[0]! : out) * batch.count;
      n += batch.count;
      tf.dispose([x, y]);
    }
    process.stderr.write(`epoch ${epoch + 1}/${args.epochs}: loss ${(loss / n).toFixed(4)}\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  const testAccuracy = tf.tidy(() => {
    const x = tf.tensor4d(dataset.test.images, [dataset.test.count, ...dataset.shape]);
    const predicted = tf.argMax(model.predict(x) as tf.Tensor, -1).dataSync();
    let correct = 0;
    for (let i = 0; i < dataset.test.count; i++) if (predicted[i] === dataset.test.labels[i]) correct++;
    return correct / dataset.test.count;
  });
  await saveLayersModel(model, args.out);
  const command = `node dist/bench/baselines/train.js --arch ${args.arch} --data ${args.data} --epochs ${args.epochs} `
    + `--seed ${args.seed} --lr ${args.lr} --batch ${args.batch} --out ${args.out}`;
  await writeFile(path.join(args.out, 'baseline.json'), `${JSON.stringify({
    arch: args.arch, data: args.data, epochs: args.epochs, seed: args.seed, lr: args.lr, batch: args.batch,
    backend: backend.name, trainSamples: train.count, testSamples: dataset.test.count, testAccuracy, seconds, command,
  }, null, 2)}\n`);

  return { testAccuracy, seconds };
}

const program = new Command()
  .requiredOption('--arch <name>', 'lenet5 | lenet300 | mlp-small')
  .requiredOption('--data <spec>', 'mnist | fashion-mnist[:DIR] | idx:IMAGES,LABELS')
  .requiredOption('--out <dir>', 'folder for model.json, weights.bin and baseline.json')
  .option('--epochs <n>', 'epochs', (v) => Number(v), 10)
  .option('--seed <n>', 'seed', (v) => Number(v), 1)
  .option('--lr <x>', 'Adam learning rate', (v) => Number(v), 1e-3)
  .option('--batch <n>', 'batch size', (v) => Number(v), 128)
  .option('--backend <name>', 'auto | wasm | cpu', 'auto');

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  tf.env().set('PROD', true);
  const o = program.parse().opts();
  const result = await trainBaseline({ arch: o.arch, data: o.data, epochs: o.epochs, out: o.out, seed: o.seed, lr: o.lr, batch: o.batch, backend: o.backend });
  console.log(`test accuracy ${(100 * result.testAccuracy).toFixed(2)}% in ${result.seconds.toFixed(1)} s → ${o.out}`);
}
