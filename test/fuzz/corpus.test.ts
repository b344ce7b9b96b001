// Replays every file in test/corpus/ (inputs the fuzzer once found problems with, and minimal versions of them)
// through the same checks as the fuzzer: both wasm builds, a tailored scalar runtime, the TS reader and SqzModel.
// Add a file there for every new finding.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { tailoredRuntime } from '../fixtures/tailored_runtime.js';
import { checkInput, newStats, RawTarget } from './harness.js';
import { fuzzSeeds } from './seeds.js';

const corpus = new URL('../../../test/corpus/', import.meta.url);
const files = readdirSync(corpus)
  .filter((f) => f.endsWith('.sqz'))
  .sort();

test('corpus: every past finding ends as a model or a typed error in every reader, and they agree', async () => {
  assert.ok(files.length >= 6, `only ${files.length} corpus files`);
  const seeds = fuzzSeeds();
  const tailored = new RawTarget(false, 0, {
    name: 'tailored',
    bytes: await tailoredRuntime([seeds[0]!.file], false, ['any']),
  });
  const targets = { raw: [tailored, new RawTarget(true), new RawTarget(false)], modelEvery: 1 };
  const stats = newStats();
  for (const [i, name] of files.entries()) {
    await checkInput(
      targets,
      seeds,
      { kind: name, file: new Uint8Array(readFileSync(new URL(name, corpus))) },
      i,
      stats,
    );
  }
  assert.deepEqual(
    stats.findings.map((f) => `${f.kind} ${f.target}: ${f.problem}`),
    [],
  );
});
