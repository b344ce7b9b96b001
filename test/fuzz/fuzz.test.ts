// CI smoke of the hostile-input fuzzer (test/fuzz/): 20,000 seeded mutations of valid files through both wasm builds
// (raw ABI, one instance each), the TS reader, and every 25th through SqzModel. Any finding fails with its replay
// index; bench/fuzz.ts runs the same generator for longer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkInput, newStats, RawTarget } from './harness.js';
import { fuzzInput } from './mutate.js';
import { fuzzSeeds } from './seeds.js';

const SEED = 20260611;
const INPUTS = 20_000;

test(`fuzz smoke: ${INPUTS} mutated files, both builds, TS reader, SqzModel`, { timeout: 120_000 }, async () => {
  const seeds = fuzzSeeds();
  const targets = { raw: [new RawTarget(true), new RawTarget(false)], modelEvery: 25 };
  const stats = newStats();
  for (let i = 0; i < INPUTS; i++) await checkInput(targets, seeds, fuzzInput(seeds, SEED, i), i, stats);
  const findings = stats.findings.slice(0, 5).map((f) => `#${f.index} ${f.kind} ${f.target}: ${f.problem}`);
  assert.deepEqual(findings, [], `${stats.findings.length} findings (replay: fuzzInput(seeds, ${SEED}, index))`);
  // The mutations must reach beyond the header and the protobuf reader: some inputs load, many fail deep.
  for (const outcome of ['wasm-simd none', 'wasm-simd malformed', 'wasm-simd shape-mismatch', 'wasm-simd unsupported', 'ts malformed']) {
    assert.ok((stats.outcomes.get(outcome) ?? 0) > 50, `${outcome}: ${stats.outcomes.get(outcome) ?? 0}`);
  }
  assert.ok((stats.outcomes.get('wasm-simd checksum-mismatch') ?? 0) < INPUTS / 10, 'most inputs keep a valid CRC');
});
