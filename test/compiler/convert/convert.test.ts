// End to end: tfjs-layers model files → `sqz convert` → wasm runtime, compared with tfjs on the cpu backend.
// f32: against model.predict. f16 / q8: against tfjs running the stored (rounded) weights through the IR
// forward pass, whose parity with model.predict import_forward.test.ts checks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { convert, formatConvertReport } from '../../../compiler/commands/convert.js';
import { exportModelDetailed } from '../../../compiler/export/index.js';
import { verifyWithRuntime } from '../../../compiler/export/verify_runtime.js';
import { importLayersModel } from '../../../compiler/import/index.js';
import { forwardAll } from '../../../compiler/ir/forward.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { SqzModel, type ExecChoice } from '../../../runtime/index.js';
import { assertClose } from '../../fixtures/compare.js';
import {
  buildTestModels,
  randomArray,
  randomizeWeights,
  saveLayersModel,
  type TestModel,
} from '../../fixtures/tfjs_models.js';
import { rng } from '../../fixtures/random.js';

const CLI = fileURLToPath(new URL('../../../compiler/cli.js', import.meta.url));
const TOLERANCE = 1e-4;
const BATCH = 3;

let dir: string;
before(async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
  dir = await mkdtemp(path.join(tmpdir(), 'sqz-convert-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

/** A model whose kernels are mostly zeros, so q8 stores sparse codebook forms the runtime runs compressed. */
function sparseModel(): TestModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [8, 8, 4],
        filters: 16,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        name: 'conv',
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ units: 32, activation: 'relu', name: 'fc' }),
      tfl.layers.dense({ units: 10, activation: 'softmax', name: 'out' }),
    ],
  });
  randomizeWeights(model, 99);
  const rand = rng(7);
  model.setWeights(
    model.getWeights().map((w) => {
      const values = w.dataSync().map((v) => (w.shape.length > 1 && rand() < 0.8 ? 0 : v));
      return tf.tensor(values, w.shape);
    }),
  );
  return { name: 'sparse', model, inputShape: [8, 8, 4] };
}

function randomBatch(shape: number[], seed: number): Float32Array {
  return randomArray(BATCH * shape.reduce((a, b) => a * b, 1), rng(seed), -2, 2);
}

function reference(graph: Graph, input: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => forwardAll(graph, tf.tensor(input, [BATCH, ...shape]))[0]!.dataSync() as Float32Array);
}

async function runtimeOutput(
  file: string,
  input: Float32Array,
  exec: ExecChoice,
  simd: boolean,
): Promise<Float32Array> {
  const model = await SqzModel.load(await readFile(file), { exec, simd });
  try {
    return model.predict(input, BATCH);
  } finally {
    model.dispose();
  }
}

test('every test model, f32 / f16 / q8, runs in the wasm runtime (dense and compressed, SIMD and scalar) like tfjs', async () => {
  const models = [...buildTestModels(41), sparseModel()];
  for (const { name, model, inputShape } of models) {
    const modelJson = await saveLayersModel(model, path.join(dir, name));
    const input = randomBatch(inputShape, 13);
    const predicted = tf.tidy(
      () => (model.predict(tf.tensor(input, [BATCH, ...inputShape])) as tf.Tensor).dataSync() as Float32Array,
    );
    for (const weights of ['f32', 'f16', 'q8'] as const) {
      const output = path.join(dir, `${name}.${weights}.sqz`);
      const report = await convert({ input: modelJson, output, weights });
      assert.equal(report.fileBytes, (await readFile(output)).length);
      const expected = weights === 'f32' ? predicted : reference(report.export.graph, input, inputShape);
      if (weights !== 'f32') {
        // The rounding did change the weights, so this comparison is not the f32 one again.
        assert.ok(Math.max(...expected.map((v, i) => Math.abs(v - predicted[i]!))) > 0, `${name} ${weights} rounds`);
      }
      for (const [exec, simd] of [
        ['dense', true],
        ['compressed', true],
        ['auto', false],
      ] as const) {
        const actual = await runtimeOutput(output, input, exec, simd);
        assertClose(actual, expected, TOLERANCE, `${name} ${weights} exec=${exec} simd=${simd}`);
      }
    }
    model.dispose();
  }
});

test('q8 of a sparse model is much smaller than f32 and stores sparse codebook tensors', async () => {
  const { model } = sparseModel();
  const modelJson = await saveLayersModel(model, path.join(dir, 'sparse_sizes'));
  model.dispose();
  const f32 = await convert({ input: modelJson, output: path.join(dir, 'sizes.f32.sqz'), weights: 'f32' });
  const q8 = await convert({ input: modelJson, output: path.join(dir, 'sizes.q8.sqz'), weights: 'q8' });
  assert.ok(q8.fileBytes * 4 < f32.fileBytes, `q8 ${q8.fileBytes} bytes vs f32 ${f32.fileBytes}`);
  const fc = q8.export.tensors.find((t) => t.op === 'fc' && t.role === 'kernel')!;
  assert.ok(fc.encoding.startsWith('sparse'), fc.encoding);
  assert.ok(fc.stored < 0.3 * 256 * 32, `nnz ${fc.stored}`);
  const summary = formatConvertReport(q8);
  assert.match(summary, /fc\/kernel\s+\[256×\d+\]\s+sparse-\w+ \d-bit/);
  assert.match(summary, /parameters: /);
  assert.match(summary, /dead units removed: [\d,]+ parameters/);
  await assert.rejects(
    convert({ input: modelJson, output: path.join(dir, 'no_such_folder', 'x.sqz') }),
    /cannot write .*x\.sqz: folder .*no_such_folder does not exist/,
  );
  const check = await convert({
    input: modelJson,
    output: path.join(dir, 'sizes.checked.sqz'),
    weights: 'q8',
    exec: 'compressed',
  });
  assert.ok(check.runtimeCheck !== undefined && check.runtimeCheck.maxRelativeError <= TOLERANCE);
});

test('the sqz binary converts, prints a summary, and reports errors in one line with their exit code', async () => {
  const [mlp] = buildTestModels(43);
  const modelJson = await saveLayersModel(mlp!.model, path.join(dir, 'cli'));
  const input = randomBatch(mlp!.inputShape, 17);
  const predicted = tf.tidy(
    () => (mlp!.model.predict(tf.tensor(input, [BATCH, ...mlp!.inputShape])) as tf.Tensor).dataSync() as Float32Array,
  );
  mlp!.model.dispose();
  const output = path.join(dir, 'cli.sqz');
  const ok = spawnSync(process.execPath, [CLI, 'convert', modelJson, '-o', output, '--exec', 'dense'], {
    encoding: 'utf8',
  });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /ops: 6 +parameters: /);
  assert.match(ok.stdout, /fc1\/kernel +\[12×16\] +f32/);
  assert.match(ok.stdout, /runtime check .*exec dense/);
  assert.doesNotMatch(ok.stdout + ok.stderr, /TensorFlow\.js in Node/, 'no tfjs banner');
  assertClose(await runtimeOutput(output, input, 'auto', true), predicted, TOLERANCE, 'CLI output file');

  const missing = path.join(dir, 'missing', 'model.json');
  const bad = spawnSync(process.execPath, [CLI, 'convert', missing, '-o', path.join(dir, 'never.sqz')], {
    encoding: 'utf8',
  });
  assert.equal(bad.status, 3, 'a missing file exits with 3');
  assert.match(bad.stderr, /^sqz: error: cannot read model file .*missing\/model\.json: file not found\n$/);
  assert.equal(existsSync(path.join(dir, 'never.sqz')), false);
  const debug = spawnSync(process.execPath, [CLI, 'convert', missing], {
    encoding: 'utf8',
    env: { ...process.env, SQZ_DEBUG: '1' },
  });
  assert.equal(debug.status, 3);
  assert.match(debug.stderr, /ModelFileError[\s\S]*\n\s+at /, 'stack trace with SQZ_DEBUG=1');
  const usage = spawnSync(process.execPath, [CLI, 'convert', modelJson, '--weights', 'q3'], { encoding: 'utf8' });
  assert.equal(usage.status, 2, 'a bad option value exits with 2');
  assert.match(
    usage.stderr,
    /^sqz: error: .*'q3' is invalid\. Allowed choices are f32, exact, f16, q8\. \(see sqz convert --help\)\n$/,
  );
});

test('models with two inputs or two outputs run in the runtime like the IR in tfjs', async () => {
  const vector = tfl.input({ shape: [5], name: 'vector' });
  const image = tfl.input({ shape: [5, 5, 2], name: 'image' });
  const conv = tfl.layers
    .conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'conv' })
    .apply(image) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(conv) as tfl.SymbolicTensor;
  const projected = tfl.layers
    .dense({ units: 3, activation: 'tanh', name: 'proj' })
    .apply(vector) as tfl.SymbolicTensor;
  const sum = tfl.layers.add({ name: 'sum' }).apply([pooled, projected]) as tfl.SymbolicTensor;
  const probs = tfl.layers.dense({ units: 4, activation: 'softmax', name: 'probs' }).apply(sum) as tfl.SymbolicTensor;
  const score = tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'score' }).apply(sum) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: [vector, image], outputs: [probs, score] });
  randomizeWeights(model, 8);
  const graph = importLayersModel(model);
  model.dispose();
  for (const weights of ['f32', 'q8'] as const) {
    const result = exportModelDetailed(graph, { weights });
    for (const exec of ['dense', 'compressed'] as const) {
      const check = await verifyWithRuntime(result.bytes, result.graph, exec, { batch: 3, seed: 5 });
      assert.ok(check.maxRelativeError <= TOLERANCE, `${weights} ${exec}: ${check.maxRelativeError}`);
    }
  }
  // The check notices a file that does not hold the graph's weights.
  const result = exportModelDetailed(graph, { weights: 'f32' });
  result.graph.ops.find((op) => op.name === 'score')!.bias!.values[0]! += 0.5;
  const wrong = await verifyWithRuntime(result.bytes, result.graph, 'dense');
  assert.ok(wrong.maxRelativeError > 0.01, `tampered: ${wrong.maxRelativeError}`);
});
