// Backend selection, kernel registration, and training gradients on wasm against the same model on cpu.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../../compiler/engine/backend.js';
import { registerSqzKernels, sqzKernelNames, unregisterSqzKernels } from '../../../compiler/engine/kernels/register.js';
import { createRng } from '../../../compiler/util/rng.js';

function hasPackage(name: string): Promise<boolean> {
  return import(name).then(
    () => true,
    () => false,
  );
}

describe('selectBackend', () => {
  it("'auto' picks wasm with SIMD when no native tfjs-node package is installed, silently", async (t) => {
    if ((await hasPackage('@tensorflow/tfjs-node-gpu')) || (await hasPackage('@tensorflow/tfjs-node'))) {
      t.skip('a native tfjs-node package is installed here');
      return;
    }
    const info = await selectBackend('auto');
    assert.equal(info.name, 'wasm');
    assert.equal(info.package, '@tensorflow/tfjs-backend-wasm');
    assert.equal(info.simd, true); // Node 20's V8 supports wasm SIMD
    assert.equal(info.threads, 1);
    assert.equal(info.fallbacks, undefined);
    assert.equal(tf.getBackend(), 'wasm');
    assert.deepEqual(await selectBackend('auto'), info, 'a second call gives the same answer');
  });

  it('a forced native backend that is not installed is a clear error', async (t) => {
    if (await hasPackage('@tensorflow/tfjs-node-gpu')) {
      t.skip('tfjs-node-gpu is installed here');
      return;
    }
    await assert.rejects(
      selectBackend('tensorflow-gpu'),
      /install @tensorflow\/tfjs-node-gpu \(needs CUDA and network access to download libtensorflow\)/,
    );
    if (!(await hasPackage('@tensorflow/tfjs-node'))) {
      await assert.rejects(selectBackend('tensorflow'), /install @tensorflow\/tfjs-node/);
    }
  });

  it('switches between cpu and wasm on request, and rejects unknown names', async () => {
    assert.deepEqual(await selectBackend('cpu'), { name: 'cpu', package: '@tensorflow/tfjs-backend-cpu' });
    assert.equal(tf.getBackend(), 'cpu');
    assert.equal((await selectBackend('wasm')).name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    await assert.rejects(selectBackend('gpu' as never), /unknown backend 'gpu'; valid choices: auto, tensorflow-gpu/);
  });
});

describe('registerSqzKernels', () => {
  it('is idempotent and registers every sqz kernel for wasm', async () => {
    await selectBackend('wasm');
    assert.deepEqual(registerSqzKernels('wasm'), [], 'already registered by selectBackend');
    for (const name of sqzKernelNames('wasm')) assert.notEqual(tf.getKernel(name, 'wasm'), undefined, name);
  });

  it("refuses to replace someone else's kernel, naming kernel and backend", async () => {
    await selectBackend('wasm');
    unregisterSqzKernels('wasm');
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined);
    assert.notEqual(tf.getKernel('Conv2DBackpropInput', 'wasm'), undefined, 'the built-in kernel is restored');
    // ...and usable: its wasm export was bound even though sqz's override was registered before wasm started.
    const y = tf.tidy(() =>
      tf.conv2dTranspose(tf.ones([1, 2, 2, 1]) as tf.Tensor4D, tf.ones([2, 2, 1, 1]), [1, 3, 3, 1], 1, 'valid'),
    );
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 1, 2, 4, 2, 1, 2, 1]);
    y.dispose();
    const foreign: tf.KernelConfig = {
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: () => ({}) as tf.TensorInfo,
    };
    tf.registerKernel(foreign);
    try {
      assert.throws(
        () => registerSqzKernels('wasm'),
        /kernel 'Conv2DBackpropFilter' is already registered for backend 'wasm' by another library/,
      );
    } finally {
      tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
      unregisterSqzKernels('wasm'); // whatever the failed call managed to register
      registerSqzKernels('wasm');
    }
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelName, 'Conv2DBackpropFilter');
  });
});

/** A model using every op the engine must train: its loss and the gradients of all its variables. */
function gradientsOfEverything(seed: number): { loss: number; grads: Record<string, Float32Array> } {
  const rng = createRng(seed);
  const make = (shape: number[], scale = 0.3): tf.Tensor => {
    const v = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < v.length; i++) v[i] = rng.normal() * scale;
    return tf.tensor(v, shape);
  };
  const variable = (shape: number[]): tf.Variable => {
    const initial = make(shape);
    const v = tf.variable(initial);
    initial.dispose(); // the variable holds its own reference to the data
    return v;
  };
  const batch = 4;
  const x = make([batch, 12, 12, 2], 1) as tf.Tensor4D;
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 3, 1, 2], 'int32'), 4));
  const vars: Record<string, tf.Variable> = {
    conv1: variable([3, 3, 2, 4]),
    conv2: variable([3, 3, 4, 6]),
    dw1: variable([3, 3, 6, 1]),
    dw2: variable([3, 3, 6, 2]),
    conv3: variable([1, 1, 12, 8]),
    bias3: variable([8]),
    dense: variable([8 + 8 + 8, 4]),
  };
  const { value, grads } = tf.variableGrads(() => {
    let h = tf.relu(tf.conv2d(x, vars.conv1 as tf.Tensor4D, 1, 'same')); // 12×12×4
    h = tf.relu6(tf.conv2d(h, vars.conv2 as tf.Tensor4D, 2, 'valid')); // 5×5×6
    h = tf.clipByValue(tf.depthwiseConv2d(h, vars.dw1 as tf.Tensor4D, 1, 'same'), 0, 6);
    h = tf.sigmoid(tf.depthwiseConv2d(h, vars.dw2 as tf.Tensor4D, 2, 'same')); // 3×3×12
    const a = tf.tanh(tf.add(tf.conv2d(h as tf.Tensor4D, vars.conv3 as tf.Tensor4D, 1, 'valid'), vars.bias3));
    const b = tf.add(tf.maxPool(a as tf.Tensor4D, 2, 1, 'valid'), tf.avgPool(a as tf.Tensor4D, 2, 1, 'valid')); // 2×2×8
    const features = tf.concat(
      [
        tf.mean(b, [1, 2]),
        tf.max(b, [1, 2]),
        tf.slice(tf.reshape(tf.softmax(tf.reshape(b, [batch, 4, 8]), -1), [batch, 32]), [0, 0], [batch, 8]),
      ],
      1,
    );
    return tf.losses.softmaxCrossEntropy(
      labels,
      tf.matMul(features as tf.Tensor2D, vars.dense as tf.Tensor2D),
    ) as tf.Scalar;
  }, Object.values(vars));
  const names = new Map(Object.entries(vars).map(([k, v]) => [v.name, k]));
  const out = {
    loss: value.dataSync()[0],
    grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [names.get(k)!, Float32Array.from(g.dataSync())])),
  };
  tf.dispose([x, labels, value, ...Object.values(grads), ...Object.values(vars)]);
  return out;
}

describe('training gradients', () => {
  it('variableGrads on wasm (with sqz kernels) equals variableGrads on cpu, and leaks nothing', async () => {
    await selectBackend('cpu');
    const want = gradientsOfEverything(7);
    await selectBackend('wasm');
    gradientsOfEverything(7); // warm-up: first calls may create backend caches
    const tensorsBefore = tf.memory().numTensors;
    const got = gradientsOfEverything(7);
    assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensors left behind');
    assert.ok(Math.abs(got.loss - want.loss) <= 1e-5 * Math.abs(want.loss), `loss ${got.loss} vs ${want.loss}`);
    for (const [name, g] of Object.entries(want.grads)) {
      const h = got.grads[name];
      let maxDiff = 0;
      let maxAbs = 0;
      g.forEach((v, i) => {
        maxDiff = Math.max(maxDiff, Math.abs(v - h[i]));
        maxAbs = Math.max(maxAbs, Math.abs(v));
      });
      assert.ok(maxAbs > 0, `gradient of ${name} is all zero: the model does not exercise it`);
      assert.ok(maxDiff <= 1e-4 * maxAbs, `gradient of ${name}: max difference ${maxDiff} vs max ${maxAbs}`);
    }
  });
});
