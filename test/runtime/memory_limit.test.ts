// The memory limit (issue #6, resource limits): a host-set cap on the instance's linear memory. Loads, plans and
// test-hook decodes are refused from declared sizes before memory grows, with the pre-check's message (never the
// allocator's); the need the pre-check computes is exactly the heap top a load without a cap reaches, over real
// models in every exec mode; refusals leave the instance usable. Raw ABI (both builds) and SqzModel.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import {
  ACT_RELU,
  ENC_SPARSE_RICE,
  ERR_MEMORY,
  ERR_NONE,
  EXEC_AUTO,
  EXEC_COMPRESSED,
  EXEC_DENSE,
  OP_ACTIVATION,
  OP_DENSE,
  type ModelMessage,
  encodeTensorAs,
  newOp,
  writeSqz,
} from '../../formats/index.js';
import { exportModel } from '../../compiler/export/index.js';
import { importLayersModel, importModel } from '../../compiler/import/index.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { SqzError, SqzMemoryLimitError, SqzModel, type SqzWasmExports } from '../../runtime/index.js';
import { buildTestModels } from '../fixtures/tfjs_models.js';
import { rng } from '../fixtures/random.js';
import { fuzzSeeds } from '../fuzz/seeds.js';
import { REPO_ROOT, buildHostModels, pruneKernels } from '../hosts/host_models.js';
import { assertClose, randomFloats } from './helpers.js';
import { errorMessage, loadRaw, newInstance, predictRaw } from './raw_instance.js';

const PAGE = 65536;
const pageCeil = (bytes: number): number => Math.ceil(bytes / PAGE) * PAGE;
const MESSAGE = /^memory limit exceeded: needs (\d+) bytes, limit is (\d+) bytes$/;

/** The pre-check's refusal: ERR_MEMORY with its message; returns the need it reports (also memoryNeed()). */
function refusedNeed(exports: SqzWasmExports, code: number, what: string): number {
  assert.equal(code, ERR_MEMORY, `${what}: code`);
  const match = MESSAGE.exec(errorMessage(exports));
  assert.ok(match !== null, `${what}: the pre-check's message, got "${errorMessage(exports)}"`);
  assert.equal(Number(match[2]), exports.memoryLimit() >>> 0, `${what}: the limit in the message`);
  assert.equal(Number(match[1]), Number(exports.memoryNeed()), `${what}: the need in the message is memoryNeed()`);
  return Number(match[1]);
}

/** A few bytes on disk, 64 MB decoded: dense [4096, 4096], all zero, Rice-coded. */
function hugeDense(): Uint8Array {
  const n = 4096;
  const model: ModelMessage = {
    values: [{ shape: [n] }, { shape: [n] }],
    tensors: [encodeTensorAs(new Float32Array(n * n), [n, n], ENC_SPARSE_RICE)],
    ops: [newOp({ type: OP_DENSE, inputs: [0], outputs: [1], weight: 1 })],
    inputs: [0],
    outputs: [1],
  };
  return writeSqz(model);
}

test('a tiny file declaring a 64 MB weight is refused under a cap before memory grows, in both builds', () => {
  const file = hugeDense();
  assert.ok(file.length < 1024, `${file.length} bytes on disk`);
  for (const simd of [true, false]) {
    const exports = newInstance(simd);
    exports.setMemoryLimit(16 << 20);
    const before = exports.memory.buffer.byteLength;
    const need = refusedNeed(exports, loadRaw(exports, file, EXEC_DENSE), `simd ${simd}`);
    assert.ok(need > 4 * 4096 * 4096, `need ${need} counts the decoded weight`);
    assert.equal(exports.memory.buffer.byteLength, before, 'memory did not grow');
    // The same instance, without a cap: the load reaches exactly the heap top the refusal reported.
    exports.setMemoryLimit(0);
    assert.equal(loadRaw(exports, file, EXEC_DENSE), ERR_NONE);
    assert.equal(exports.heapEnd() >>> 0, need, 'the refusal reported the heap top of the uncapped load');
    // Compressed exec keeps the weight in the file: it fits the cap.
    exports.setMemoryLimit(16 << 20);
    assert.equal(loadRaw(exports, file, EXEC_COMPRESSED), ERR_NONE, errorMessage(exports));
    // The test hook refuses to decode it too, before growing.
    const grown = exports.memory.buffer.byteLength;
    assert.equal(exports.decodeTensor!(0), 0);
    refusedNeed(exports, exports.errorCode(), 'decodeTensor');
    assert.equal(exports.memory.buffer.byteLength, grown);
  }
});

/** Real models: the tfjs fixtures and the bundled MNIST MLP, exported in several weight forms, and the fuzz seeds. */
async function realModels(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const models = (await buildHostModels()).map(({ name, bytes }) => ({ name, bytes }));
  const mlp = await importModel(`${REPO_ROOT}examples/models/mnist-mlp/model.json`);
  models.push({ name: 'mnist-mlp f32', bytes: exportModel(mlp, { weights: 'f32' }) });
  const sparse = (graph: Graph, keep: number): Graph => {
    const copy = structuredClone(graph);
    pruneKernels(copy, keep);
    return copy;
  };
  models.push({ name: 'mnist-mlp 3% q8', bytes: exportModel(sparse(mlp, 0.03), { weights: 'q8' }) });
  for (const { name, model } of buildTestModels(5)) {
    const graph = importLayersModel(model);
    model.dispose();
    models.push({ name: `${name} f16`, bytes: exportModel(graph, { weights: 'f16' }) });
    models.push({ name: `${name} q8`, bytes: exportModel(graph, { weights: 'q8' }) });
    models.push({ name: `${name} 10% q8`, bytes: exportModel(sparse(graph, 0.1), { weights: 'q8' }) });
  }
  for (const seed of fuzzSeeds()) models.push({ name: `seed ${seed.name}`, bytes: seed.file });
  return models;
}

test('the need the pre-check computes is the heap top an uncapped load reaches: real models, every exec mode', async () => {
  const models = await realModels();
  assert.ok(models.length >= 15);
  let refusals = 0;
  for (const { name, bytes } of models) {
    for (const exec of [EXEC_AUTO, EXEC_DENSE, EXEC_COMPRESSED]) {
      for (const simd of [true, false]) {
        const what = `${name} exec ${exec} simd ${simd}`;
        const exports = newInstance(simd);
        assert.equal(loadRaw(exports, bytes, exec), ERR_NONE, `${what}: ${errorMessage(exports)}`);
        const need = Number(exports.memoryNeed());
        assert.equal(need, exports.heapEnd() >>> 0, `${what}: need = heap top`);
        assert.equal(
          exports.memory.buffer.byteLength,
          Math.max(PAGE, pageCeil(need)),
          `${what}: memory never grew past the need`,
        );
        const input = randomFloats(rng(1), exports.inputLength(0));
        const expected = predictRaw(exports, input);
        assert.equal(exports.plan(3), ERR_NONE);
        assert.equal(Number(exports.memoryNeed()), exports.heapEnd() >>> 0, `${what}: plan(3) need = heap top`);
        // Under a cap of exactly the need's pages the model loads and gives the same output.
        const capped = newInstance(simd);
        capped.setMemoryLimit(Math.max(PAGE, pageCeil(need)));
        assert.equal(loadRaw(capped, bytes, exec), ERR_NONE, `${what} capped: ${errorMessage(capped)}`);
        assert.deepEqual(predictRaw(capped, input), expected, `${what}: output under the cap`);
        // One page less is refused with the same need (alloc's, when the file alone does not fit), before memory grows.
        if (pageCeil(need) - PAGE >= PAGE) {
          const tight = newInstance(simd);
          tight.setMemoryLimit(pageCeil(need) - PAGE);
          const before = tight.memory.buffer.byteLength;
          const allocNeed = (tight.heapBase() >>> 0) + Math.ceil((bytes.length + 16) / 16) * 16;
          const refused = allocNeed > tight.memoryLimit() >>> 0 ? allocNeed : need;
          assert.equal(refusedNeed(tight, loadRaw(tight, bytes, exec), what), refused, `${what}: refused need`);
          assert.equal(tight.memory.buffer.byteLength, before, `${what}: memory did not grow`);
          refusals++;
        }
      }
    }
  }
  assert.ok(refusals >= 10, `only ${refusals} loads needed more than two pages`);
});

test('a batch that does not fit the cap is refused before growing; the previous plan still runs', async () => {
  const cnn = (await buildHostModels()).find((m) => m.name === 'cnn-q8')!.bytes;
  const exports = newInstance(true);
  assert.equal(loadRaw(exports, cnn), ERR_NONE);
  const batch1 = Number(exports.memoryNeed());
  const perSample = exports.arenaBytes() >>> 0;
  exports.setMemoryLimit(pageCeil(batch1 + 4 * perSample)); // room for a few samples more
  assert.equal(exports.plan(4), ERR_NONE);
  assert.equal(exports.plannedBatchSize(), 4);
  const input = randomFloats(rng(2), exports.inputLength(0));
  const expected = predictRaw(exports, input);
  const before = exports.memory.buffer.byteLength;
  const need = refusedNeed(exports, exports.plan(64), 'plan(64)');
  assert.equal(need, batch1 + 63 * perSample, 'the arena for 64 samples on top of the weights');
  assert.equal(exports.memory.buffer.byteLength, before, 'memory did not grow');
  assert.equal(exports.plannedBatchSize(), 4, 'the previous plan stays');
  assert.deepEqual(predictRaw(exports, input), expected);

  // The same through SqzModel: SqzMemoryLimitError from predict, then smaller batches still run.
  const sqz = await SqzModel.load(cnn, { memoryLimit: pageCeil(batch1 + 4 * perSample) });
  assertClose(sqz.predict(input), expected, 'SqzModel under the cap');
  assert.throws(
    () => sqz.predict(new Float32Array(64 * input.length), 64),
    (error: unknown) => {
      assert.ok(error instanceof SqzMemoryLimitError && error.code === ERR_MEMORY);
      assert.equal(error.neededBytes, need);
      assert.equal(error.limitBytes, pageCeil(batch1 + 4 * perSample));
      assert.match(
        error.message,
        new RegExp(
          `batch 64 needs ${need} bytes .*memoryLimit allows \\(${error.limitBytes} bytes.*smaller batches.*raise memoryLimit`,
        ),
      );
      return true;
    },
  );
  assertClose(sqz.predict(input), expected, 'after the refused batch');
  assert.equal(sqz.predict(new Float32Array(3 * input.length), 3).length, 30);
});

test('after a refusal the same instance loads and runs the next valid model; alloc of a file over the cap is refused', () => {
  const seed = fuzzSeeds()[0]!;
  for (const simd of [true, false]) {
    const exports = newInstance(simd);
    exports.setMemoryLimit(4 << 20);
    refusedNeed(exports, loadRaw(exports, hugeDense(), EXEC_DENSE), 'huge');
    assert.equal(loadRaw(exports, seed.file), ERR_NONE, errorMessage(exports));
    assertClose(predictRaw(exports, seed.input), seed.expected, `simd ${simd}: after the refusal`);
    // A file larger than the cap: alloc returns 0 with the pre-check's message, and nothing grew.
    const before = exports.memory.buffer.byteLength;
    assert.equal(exports.alloc(5 << 20), 0);
    assert.equal(refusedNeed(exports, exports.errorCode(), 'alloc'), (exports.heapBase() >>> 0) + (5 << 20) + 16);
    assert.equal(exports.memory.buffer.byteLength, before);
    assert.equal(loadRaw(exports, seed.file), ERR_NONE, errorMessage(exports));
    assertClose(predictRaw(exports, seed.input), seed.expected, `simd ${simd}: after the refused alloc`);
  }
});

test('a file with many small records is refused while parsing, before its records are allocated', () => {
  const count = 8000; // a chain of relu ops over [1]-shaped values: ~100 KB on disk, ~2 MB of records
  const model: ModelMessage = {
    values: Array.from({ length: count + 1 }, () => ({ shape: [1] })),
    tensors: [],
    ops: Array.from({ length: count }, (_, i) =>
      newOp({ type: OP_ACTIVATION, inputs: [i], outputs: [i + 1], activation: ACT_RELU }),
    ),
    inputs: [0],
    outputs: [count],
  };
  const file = writeSqz(model);
  const uncapped = newInstance(false);
  assert.equal(loadRaw(uncapped, file), ERR_NONE);
  const full = uncapped.heapEnd() >>> 0;
  const exports = newInstance(false);
  exports.setMemoryLimit(pageCeil(file.length) + PAGE);
  const ptr = exports.alloc(file.length) >>> 0;
  new Uint8Array(exports.memory.buffer, ptr, file.length).set(file);
  const before = exports.memory.buffer.byteLength;
  const need = refusedNeed(exports, exports.load(ptr, file.length, EXEC_AUTO), 'records');
  assert.equal(exports.memory.buffer.byteLength, before, 'memory did not grow');
  assert.ok(need > exports.memoryLimit() >>> 0 && need <= full, `records need ${need}, whole load ${full}`);
});

test('SqzModel.load({ memoryLimit }): SqzMemoryLimitError saying what is needed and what to do; bad limits are RangeErrors', async () => {
  const file = hugeDense();
  await assert.rejects(SqzModel.load(file, { exec: 'dense', memoryLimit: 16 << 20 }), (error: unknown) => {
    assert.ok(error instanceof SqzMemoryLimitError && error instanceof SqzError);
    assert.equal(error.code, ERR_MEMORY);
    assert.equal(error.limitBytes, 16 << 20);
    assert.ok(error.neededBytes > 4 * 4096 * 4096);
    assert.match(
      error.message,
      new RegExp(
        `the model needs ${error.neededBytes} bytes of WebAssembly memory \\(64\\.\\d MiB\\), ` +
          `more than memoryLimit allows \\(16777216 bytes, 16\\.0 MiB\\): raise memoryLimit, or load with \\{ exec: 'compressed' \\}`,
      ),
    );
    return true;
  });
  const sqz = await SqzModel.load(file, { exec: 'compressed', memoryLimit: 16 << 20 });
  assert.ok(sqz.info.memoryBytes <= 16 << 20);
  assert.deepEqual(sqz.predict(new Float32Array(4096).fill(1)), new Float32Array(4096));
  await assert.rejects(
    SqzModel.load(file, { exec: 'compressed', memoryLimit: PAGE }),
    (error: unknown) =>
      error instanceof SqzMemoryLimitError &&
      !/exec: 'compressed'/.test(error.message) &&
      /raise memoryLimit/.test(error.message),
  );
  for (const bad of [-1, 0, 1000, 65536.5, Number.NaN, '1 MB' as unknown as number]) {
    await assert.rejects(SqzModel.load(file, { memoryLimit: bad }), RangeError, String(bad));
  }
  const big = await SqzModel.load(fuzzSeeds()[0]!.file, { memoryLimit: 2 ** 40 }); // above 4 GiB: no cap
  assert.equal(big.wasmExports.memoryLimit() >>> 0, 0xffff_0000);
  const paged = newInstance(true);
  paged.setMemoryLimit(100_000);
  assert.equal(paged.memoryLimit(), PAGE, 'rounded down to whole pages');
});
