// Training-throughput probe: trains a LeNet-5 written in plain tfjs-core ops for a few steps on the current
// backend and reports samples per second. It exercises exactly the gradient kernels sqz registers
// (Conv2DBackpropFilter on wasm) and is what the figures in the engine report were measured with:
//   node dist/compiler/engine/throughput.js [wasm|cpu|auto] [small|caffe] [steps]
import * as tf from '@tensorflow/tfjs-core';
import { pathToFileURL } from 'node:url';
import { createRng } from '../util/rng.js';
import type { BackendChoice } from './backend.js';
import { selectBackend } from './backend.js';

/** 'small': conv 6 (same) / pool / conv 16 / pool / 120 / 84 / 10. 'caffe': conv 20 / pool / conv 50 / pool / 500 / 10. */
export type LeNetVariant = 'small' | 'caffe';

export interface ThroughputResult {
  backend: string;
  variant: LeNetVariant;
  batchSize: number;
  steps: number;
  /** Wall time of the timed steps, seconds (after `warmup` untimed steps). */
  seconds: number;
  samplesPerSecond: number;
  /**
   * CPU time (user + system) of this process over the timed steps, seconds. The wasm and cpu backends run on
   * one thread in Node, so on a machine shared with other work this is the steadier measure of the engine.
   */
  cpuSeconds: number;
  samplesPerCpuSecond: number;
}

interface LeNet {
  variables: tf.Variable[];
  logits(x: tf.Tensor4D): tf.Tensor2D;
}

function buildLeNet(variant: LeNetVariant, seed: number): LeNet {
  const rng = createRng(seed);
  const init = (shape: number[], fanIn: number): tf.Variable => {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const scale = Math.sqrt(2 / fanIn); // He initialisation for relu layers
    for (let i = 0; i < values.length; i++) values[i] = rng.normal() * scale;
    return tf.variable(tf.tensor(values, shape));
  };
  const [c1, c2, f1, f2] = variant === 'small' ? [6, 16, 120, 84] : [20, 50, 500, 0];
  const pad1 = variant === 'small' ? 'same' : 'valid'; // 28 → 28 → 14 → 10 → 5 (small); 28 → 24 → 12 → 8 → 4 (caffe)
  const flat = variant === 'small' ? 5 * 5 * c2 : 4 * 4 * c2;
  const w1 = init([5, 5, 1, c1], 25);
  const b1 = tf.variable(tf.zeros([c1]));
  const w2 = init([5, 5, c1, c2], 25 * c1);
  const b2 = tf.variable(tf.zeros([c2]));
  const w3 = init([flat, f1], flat);
  const b3 = tf.variable(tf.zeros([f1]));
  const dense: Array<[tf.Variable, tf.Variable]> = [[w3, b3]];
  let last = f1;
  if (f2 > 0) {
    dense.push([init([f1, f2], f1), tf.variable(tf.zeros([f2]))]);
    last = f2;
  }
  const wOut = init([last, 10], last);
  const bOut = tf.variable(tf.zeros([10]));
  const variables = [w1, b1, w2, b2, ...dense.flat(), wOut, bOut];
  return {
    variables,
    logits(x) {
      const convBlock = (input: tf.Tensor4D, w: tf.Variable, b: tf.Variable, pad: 'same' | 'valid'): tf.Tensor4D =>
        tf.maxPool(tf.relu(tf.add(tf.conv2d(input, w as tf.Tensor4D, 1, pad), b)) as tf.Tensor4D, 2, 2, 'valid');
      const h = convBlock(convBlock(x, w1, b1, pad1), w2, b2, 'valid');
      let z = tf.reshape(h, [x.shape[0], flat]) as tf.Tensor2D;
      for (const [w, b] of dense) z = tf.relu(tf.add(tf.matMul(z, w as tf.Tensor2D), b)) as tf.Tensor2D;
      return tf.add(tf.matMul(z, wOut as tf.Tensor2D), bOut) as tf.Tensor2D;
    },
  };
}

/**
 * Trains LeNet-5 with Adam (lr 1e-3) on random 28×28 inputs for `warmup + steps` steps on the current backend
 * and times the last `steps`. Random inputs cost the same as real ones; the point is speed, not accuracy.
 * Leaves no tensors behind.
 */
export async function measureLeNetThroughput(
  variant: LeNetVariant,
  options: { batchSize?: number; steps?: number; warmup?: number; seed?: number } = {},
): Promise<ThroughputResult> {
  const batchSize = options.batchSize ?? 128;
  const steps = options.steps ?? 10;
  const warmup = options.warmup ?? 2;
  const rng = createRng(options.seed ?? 1);
  const model = buildLeNet(variant, options.seed ?? 1);
  const optimizer = tf.train.adam(1e-3);
  const pixels = new Float32Array(batchSize * 28 * 28);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.float();
  const classes = new Int32Array(batchSize);
  for (let i = 0; i < batchSize; i++) classes[i] = rng.int(10);
  const x = tf.tensor4d(pixels, [batchSize, 28, 28, 1]);
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(classes, 'int32'), 10));
  const step = async (): Promise<void> => {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(labels, model.logits(x)) as tf.Scalar,
      true,
      model.variables,
    );
    await loss!.data(); // wait for the step to finish before timing the next
    loss!.dispose();
  };
  try {
    for (let i = 0; i < warmup; i++) await step();
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < steps; i++) await step();
    const cpu = process.cpuUsage(cpuStart);
    const seconds = (performance.now() - start) / 1000;
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const samples = steps * batchSize;
    return {
      backend: tf.getBackend(),
      variant,
      batchSize,
      steps,
      seconds,
      samplesPerSecond: samples / seconds,
      cpuSeconds,
      samplesPerCpuSecond: samples / cpuSeconds,
    };
  } finally {
    optimizer.dispose();
    tf.dispose([x, labels, ...model.variables]);
  }
}

async function main(argv: string[]): Promise<void> {
  const choice = (argv[0] ?? 'auto') as BackendChoice;
  const variants: LeNetVariant[] = argv[1] === undefined ? ['small', 'caffe'] : [argv[1] as LeNetVariant];
  const steps = argv[2] === undefined ? 10 : Number(argv[2]);
  const info = await selectBackend(choice);
  for (const variant of variants) {
    const r = await measureLeNetThroughput(variant, { steps });
    console.log(
      `${info.name}${info.simd ? '+simd' : ''} lenet5-${variant} batch ${r.batchSize}: ` +
        `${r.samplesPerSecond.toFixed(0)} samples/s wall, ${r.samplesPerCpuSecond.toFixed(0)} per CPU-second ` +
        `(${r.steps} steps in ${r.seconds.toFixed(2)} s, ${r.cpuSeconds.toFixed(2)} s CPU)`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error((err as Error).message);
    process.exitCode = 1;
  });
}
