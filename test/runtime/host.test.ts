// The host API: every source kind, info, re-planning for larger batches, multi-input / multi-output models,
// dispose, the memory bound of the compressed path, bring-your-own module bytes, and the build artefacts
// (no imports, size budget, no static node: import in the browser path).

import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import {
  ACT_RELU,
  ACT_SOFTMAX,
  ENC_CODEBOOK,
  ENC_F32,
  ENC_SPARSE_RICE,
  OP_ADD,
  OP_CONV2D,
  OP_DENSE,
  OP_MAX_POOL2D,
  OP_RESHAPE,
  type ModelMessage,
  encodeTensorAs,
  newOp,
  writeSqz,
} from '../../formats/index.js';
import { SqzModel } from '../../runtime/index.js';
import { assertClose, randomFloats } from './helpers.js';
import { rng } from '../fixtures/random.js';
import { runtimeModule } from './raw_instance.js';
import { runModelReference } from './reference/run_model.js';

/** A LeNet-shaped model with sparse quantized weights (Rice-coded) at `density`. */
function sparseLeNet(density: number, seed = 3): ModelMessage {
  const random = rng(seed);
  const levels = randomFloats(random, 15, 0.3);
  const sparse = (n: number) =>
    Float32Array.from({ length: n }, () => (random() < density ? levels[Math.floor(random() * 15)] : 0));
  const enc = (values: Float32Array, shape: number[]) => encodeTensorAs(values, shape, ENC_SPARSE_RICE);
  return {
    values: [
      { shape: [28, 28, 1] },
      { shape: [24, 24, 20] },
      { shape: [12, 12, 20] },
      { shape: [8, 8, 50] },
      { shape: [4, 4, 50] },
      { shape: [500] },
      { shape: [10] },
    ],
    tensors: [
      enc(sparse(500), [5, 5, 1, 20]),
      encodeTensorAs(randomFloats(random, 20, 0.1), [20], ENC_F32),
      enc(sparse(25000), [5, 5, 20, 50]),
      enc(sparse(400000), [800, 500]),
      enc(sparse(5000), [500, 10]),
    ],
    ops: [
      newOp({ type: OP_CONV2D, inputs: [0], outputs: [1], weight: 1, bias: 2, activation: ACT_RELU }),
      newOp({ type: OP_MAX_POOL2D, inputs: [1], outputs: [2], kernel: [2, 2], strides: [2, 2] }),
      newOp({ type: OP_CONV2D, inputs: [2], outputs: [3], weight: 3, activation: ACT_RELU }),
      newOp({ type: OP_MAX_POOL2D, inputs: [3], outputs: [4], kernel: [2, 2], strides: [2, 2] }),
      newOp({ type: OP_DENSE, inputs: [4], outputs: [5], weight: 4, activation: ACT_RELU }),
      newOp({ type: OP_DENSE, inputs: [5], outputs: [6], weight: 5, activation: ACT_SOFTMAX }),
    ],
    inputs: [0],
    outputs: [6],
  };
}

test('load from Uint8Array, ArrayBuffer, path, file: URL string and URL; bad path is a clear error', async () => {
  const model = sparseLeNet(0.05);
  const bytes = writeSqz(model);
  const dir = mkdtempSync(join(tmpdir(), 'sqz-host-'));
  try {
    const path = join(dir, 'lenet.sqz');
    writeFileSync(path, bytes);
    const x = randomFloats(rng(1), 784);
    const [expected] = runModelReference(model, [x], 1);
    const arrayBuffer = bytes.slice().buffer as ArrayBuffer;
    for (const source of [bytes, arrayBuffer, path, pathToFileURL(path).href, pathToFileURL(path)]) {
      const sqz = await SqzModel.load(source);
      assertClose(sqz.predict(x), expected, `source ${typeof source === 'string' ? source : source.constructor.name}`);
    }
    await assert.rejects(SqzModel.load(join(dir, 'missing.sqz')), /ENOENT|no such file/);
    await assert.rejects(SqzModel.load(bytes, { exec: 'fast' as 'auto' }), TypeError);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('info describes the model; compressed exec stays within file + arena + 64 KB', async () => {
  const bytes = writeSqz(sparseLeNet(0.05));
  const compressed = await SqzModel.load(bytes, { exec: 'compressed' });
  const info = compressed.info;
  assert.deepEqual(info.inputs, [{ shape: [28, 28, 1] }]);
  assert.deepEqual(info.outputs, [{ shape: [10] }]);
  assert.deepEqual(
    info.ops.map((o) => o.type),
    ['conv2d', 'maxPool2d', 'conv2d', 'maxPool2d', 'dense', 'dense'],
  );
  assert.equal(info.ops[5].activation, 'softmax');
  assert.equal(info.ops[0].bias, 1);
  assert.equal(info.parameters, 500 + 20 + 25000 + 400000 + 5000);
  assert.equal(info.fileBytes, bytes.length);
  assert.deepEqual(info.tensors[3].shape, [800, 500]);
  assert.equal(info.tensors[3].encoding, 'sparse-rice');
  assert.equal(info.tensors[3].exec, 'compressed');
  assert.ok(info.tensors[3].nnz > 15000 && info.tensors[3].nnz < 25000, `nnz ${info.tensors[3].nnz}`);
  assert.equal(info.tensors[1].bits, 32);
  assert.equal(info.tensors.reduce((a, t) => a + t.bytes, 0) < bytes.length, true);
  assert.ok(
    info.heapBytes <= info.fileBytes + info.arenaBytes + 65536,
    `heap ${info.heapBytes} > file ${info.fileBytes} + arena ${info.arenaBytes} + 64 KB`,
  );
  assert.ok(info.memoryBytes >= info.heapBytes);
  const dense = await SqzModel.load(bytes, { exec: 'dense' });
  assert.ok(dense.info.heapBytes >= bytes.length + 4 * 430500, 'dense exec holds the decoded weights');
  assert.equal(dense.info.tensors[3].exec, 'dense');
  assert.equal(dense.info.arenaBytes, 4 * (24 * 24 * 20 + 12 * 12 * 20), 'dense plan: conv1 output + pool1 output');
  // Compressed convs add op scratch (planar copies, im2col tiles) to the arena, live during their op only.
  assert.ok(info.arenaBytes >= 4 * 2 * (28 * 28 + 24 * 24 * 20), `compressed arena ${info.arenaBytes}`);
  const auto = await SqzModel.load(bytes);
  assert.equal(
    auto.info.tensors[3].exec,
    'dense',
    'auto: a dense layer at 5% density runs dense (above the 4% break-even)',
  );
  assert.equal(auto.info.tensors[2].exec, 'compressed', 'auto: a conv at 5% density runs compressed');
  const x = randomFloats(rng(2), 784);
  assertClose(compressed.predict(x), dense.predict(x), 'compressed vs dense exec');
});

test('a larger batch re-plans the arena; smaller batches reuse it', async () => {
  const model = sparseLeNet(0.1);
  const sqz = await SqzModel.load(writeSqz(model), { exec: 'compressed' });
  const arena1 = sqz.info.arenaBytes;
  for (const batch of [1, 5, 2, 7]) {
    const x = randomFloats(rng(batch), 784 * batch);
    assertClose(sqz.predict(x, batch), runModelReference(model, [x], batch)[0], `batch ${batch}`);
  }
  assert.equal(sqz.info.plannedBatch, 7);
  assert.equal(sqz.info.arenaBytes, arena1 * 7);
});

test('multi-input, multi-output: predict takes an array, predictAll returns every output', async () => {
  const random = rng(4);
  const model: ModelMessage = {
    values: [{ shape: [6] }, { shape: [6] }, { shape: [6] }, { shape: [3] }, { shape: [2, 3] }],
    tensors: [
      encodeTensorAs(
        Float32Array.from({ length: 18 }, () => [0.5, -1][Math.floor(random() * 2)]),
        [6, 3],
        ENC_CODEBOOK,
      ),
    ],
    ops: [
      newOp({ type: OP_ADD, inputs: [0, 1], outputs: [2] }),
      newOp({ type: OP_DENSE, inputs: [2], outputs: [3], weight: 1 }),
      newOp({ type: OP_RESHAPE, inputs: [2], outputs: [4] }),
    ],
    inputs: [0, 1],
    outputs: [3, 4],
  };
  const sqz = await SqzModel.load(writeSqz(model));
  const a = randomFloats(random, 12),
    b = randomFloats(random, 12);
  const expected = runModelReference(model, [a, b], 2);
  const all = sqz.predictAll([a, b], 2);
  assert.equal(all.length, 2);
  assertClose(all[0], expected[0], 'output 0');
  assertClose(all[1], expected[1], 'output 1');
  assertClose(sqz.predict([a, b], 2), expected[0], 'predict gives output 0');
  assert.throws(() => sqz.predict(a, 2), /takes 2 input\(s\), got 1/);
});

test('bring-your-own module bytes, and the scalar build', async () => {
  const model = sparseLeNet(0.05);
  const bytes = writeSqz(model);
  const x = randomFloats(rng(5), 784);
  const [expected] = runModelReference(model, [x], 1);
  const wasm = readFileSync(new URL('../../../build/sqz-scalar.wasm', import.meta.url));
  const custom = await SqzModel.load(bytes, { wasm });
  assert.equal(custom.info.variant, 'custom');
  assertClose(custom.predict(x), expected, 'custom module');
  const scalar = await SqzModel.load(bytes, { simd: false });
  assert.equal(scalar.info.variant, 'scalar');
  assertClose(scalar.predict(x), expected, 'scalar');
});

// The general runtime holds every op (24 since the edge layers of issue 16: 40 KB before them); a model ships a
// tailored runtime holding what it uses (test/runtime/tailored.test.ts), so only this budget grows with the op table.
test('build artefacts: no imports, ≤ 48 KB, the ABI exported; no static node: import in dist/runtime', () => {
  for (const simd of [true, false]) {
    const module = runtimeModule(simd);
    assert.deepEqual(WebAssembly.Module.imports(module), [], 'the module imports nothing');
    const names = WebAssembly.Module.exports(module).map((e) => e.name);
    for (const name of [
      'memory',
      'alloc',
      'load',
      'plan',
      'run',
      'inputPtr',
      'inputLength',
      'outputPtr',
      'outputLength',
      'errorCode',
      'errorMessagePtr',
      'errorMessageLength',
      'errorOffset',
      'arenaBytes',
      'heapEnd',
      'decodeTensor',
      'planOverlaps',
      'missingFeature',
      'builtOps',
      'builtActivations',
      'builtEncodings',
    ]) {
      assert.ok(names.includes(name), `export ${name}`);
    }
    const size = readFileSync(new URL(`../../../build/${simd ? 'sqz' : 'sqz-scalar'}.wasm`, import.meta.url)).length;
    assert.ok(
      size <= 48 * 1024,
      `${simd ? 'simd' : 'scalar'} build is ${size} bytes (the general runtime's budget is 48 KB)`,
    );
  }
  const dir = new URL('../../runtime/', import.meta.url);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const source = readFileSync(new URL(file, dir), 'utf8');
    assert.doesNotMatch(source, /^\s*import\s[^(]*?from\s*['"]node:/m, `${file} imports a node: module statically`);
    assert.doesNotMatch(source, /^\s*import\s*['"]node:/m, `${file} imports a node: module statically`);
  }
});
