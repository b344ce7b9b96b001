// CI smoke of the hostile-input fuzzer (test/fuzz/): 20,000 seeded mutations of valid files (and ~5 % generated valid
// models with odd geometry, checked against the reference interpreter) through both wasm builds and a tailored
// runtime (`sqz runtime --exec any` for the first seed: conv, pool, dense; raw ABI, one instance each, the scalar one under a
// memory cap), the TS reader, and every 25th through SqzModel. Any finding fails with its replay
// index; bench/fuzz.ts runs the same generator for longer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ENC_SPARSE_RICE,
  ERR_NONE,
  EXEC_DENSE,
  OP_DENSE,
  type ModelMessage,
  encodeTensorAs,
  newOp,
  writeSqz,
} from '../../formats/index.js';
import { loadRaw } from '../runtime/raw_instance.js';
import { tailoredRuntime } from '../fixtures/tailored_runtime.js';
import { checkInput, memoryBound, newStats, RawTarget } from './harness.js';
import { fuzzInput } from './mutate.js';
import { fuzzSeeds } from './seeds.js';

const SEED = 20260611;
const INPUTS = 20_000;

test(`fuzz smoke: ${INPUTS} mutated files, both builds, TS reader, SqzModel`, { timeout: 600_000 }, async () => {
  const seeds = fuzzSeeds();
  // The scalar instance runs under a 32 MiB cap: no input may grow it past the cap, or be refused by the allocator.
  // The tailored one comes first: the readers' agreement is checked against the last (general) build.
  const tailored = new RawTarget(true, 0, {
    name: 'tailored',
    bytes: await tailoredRuntime([seeds[0]!.file], true, ['any']),
  });
  // Time per input is a hang guard here, not a speed check (CI machines are shared): bench/fuzz.ts applies
  // SLOW_MS and reports the slowest input.
  const targets = {
    raw: [tailored, new RawTarget(true), new RawTarget(false, 32 << 20)],
    modelEvery: 25,
    slowMs: 10_000,
  };
  const stats = newStats();
  for (let i = 0; i < INPUTS; i++) await checkInput(targets, seeds, fuzzInput(seeds, SEED, i), i, stats);
  const findings = stats.findings.slice(0, 5).map((f) => `#${f.index} ${f.kind} ${f.target}: ${f.problem}`);
  assert.deepEqual(findings, [], `${stats.findings.length} findings (replay: fuzzInput(seeds, ${SEED}, index))`);
  // The mutations must reach beyond the header and the protobuf reader: some inputs load, many fail deep.
  for (const outcome of [
    'wasm-simd none',
    'wasm-simd malformed',
    'wasm-simd shape-mismatch',
    'wasm-simd unsupported',
    'ts malformed',
    'wasm-tailored none',
    'wasm-tailored not-built',
    'wasm-tailored malformed',
  ]) {
    assert.ok((stats.outcomes.get(outcome) ?? 0) > 50, `${outcome}: ${stats.outcomes.get(outcome) ?? 0}`);
  }
  assert.ok((stats.outcomes.get('wasm-simd checksum-mismatch') ?? 0) < INPUTS / 10, 'most inputs keep a valid CRC');
  assert.ok((stats.kinds.get('geometry') ?? 0) > 500, 'generated valid models were compared with the reference');
});

test('the memory bound follows declared sizes: a tiny file declaring a 64 MB weight may grow memory, a seed may not', () => {
  const n = 4096;
  const model: ModelMessage = {
    values: [{ shape: [n] }, { shape: [n] }],
    tensors: [encodeTensorAs(new Float32Array(n * n), [n, n], ENC_SPARSE_RICE)], // all zero: a few bytes on disk
    ops: [newOp({ type: OP_DENSE, inputs: [0], outputs: [1], weight: 1 })],
    inputs: [0],
    outputs: [1],
  };
  const file = writeSqz(model);
  const target = new RawTarget(false);
  assert.equal(loadRaw(target.exports, file, EXEC_DENSE), ERR_NONE);
  const grown = target.exports.memory.buffer.byteLength;
  const heapBase = target.exports.heapBase() >>> 0;
  assert.ok(grown > 4 * n * n, `dense exec decoded the weight: memory ${grown}`);
  assert.ok(grown <= memoryBound(heapBase, file), 'within the bound its declared sizes give');
  assert.ok(grown > memoryBound(heapBase, fuzzSeeds()[0]!.file), 'the same growth from a seed file would be a finding');
});
