// BatchNorm recalibration of the zoo's baselines (bench/baselines/recalibrate_bn.ts): moving statistics become the
// mean of the batch statistics over the given images, in nested models too, and momentum is restored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { batchNormLayers, recalibrateBatchNorm } from '../../bench/baselines/recalibrate_bn.js';

await tf.setBackend('cpu');

/** 1,000 samples of 2 features: feature 0 ~ 3 + 0.1·u, feature 1 ~ −2 + 0.5·u, u uniform in [−1, 1] (seeded). */
function data(): { images: Float32Array; labels: Uint8Array; count: number } {
  const count = 1000;
  const images = new Float32Array(count * 2);
  let s = 7;
  const u = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return 2 * (s / 2147483648) - 1;
  };
  for (let i = 0; i < count; i++) {
    images[2 * i] = 3 + 0.1 * u();
    images[2 * i + 1] = -2 + 0.5 * u();
  }
  return { images, labels: new Uint8Array(count), count };
}

test("moving mean and variance become the data's, through a nested model; momentum is restored", () => {
  const inner = tfl.sequential({ layers: [tfl.layers.batchNormalization({ inputShape: [2], momentum: 0.99 })] });
  const model = tfl.sequential({ layers: [inner, tfl.layers.batchNormalization({ momentum: 0.99 })] });
  assert.equal(batchNormLayers(model).length, 2);
  const split = data();
  assert.equal(recalibrateBatchNorm(model, split, [2], 250), 2);
  const [, , mean, variance] = inner.layers[0]!.getWeights().map((w) => Array.from(w.dataSync()));
  assert.ok(Math.abs(mean![0]! - 3) < 0.01 && Math.abs(mean![1]! + 2) < 0.05, `mean ${mean}`);
  // Uniform on [−a, a] has variance a²/3.
  assert.ok(
    Math.abs(variance![0]! - 0.01 / 3) < 0.001 && Math.abs(variance![1]! - 0.25 / 3) < 0.01,
    `variance ${variance}`,
  );
  // The outer layer sees the inner one's output in training mode: about zero mean, variance v / (v + ε), ε = 0.001.
  const [, , mean2, variance2] = model.layers[1]!.getWeights().map((w) => Array.from(w.dataSync()));
  for (const m of mean2!) assert.ok(Math.abs(m) < 0.01, `outer mean ${mean2}`);
  [0.01 / 3, 0.25 / 3].forEach((v, i) =>
    assert.ok(Math.abs(variance2![i]! - v / (v + 0.001)) < 0.02, `outer variance ${variance2}`),
  );
  for (const l of batchNormLayers(model)) assert.equal(l.momentum, 0.99);
  // Inference now normalises the data: outputs about zero mean.
  const out = tf.tidy(() =>
    tf.mean(model.predict(tf.tensor(split.images, [split.count, 2])) as tf.Tensor, 0).dataSync(),
  );
  for (const m of out) assert.ok(Math.abs(m) < 0.02, `inference mean ${out}`);
});

test('a model without BatchNorm is left alone', () => {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1 })] });
  assert.equal(recalibrateBatchNorm(model, data(), [2]), 0);
});
