// Malicious or inconsistent model.json (issue 6, part 2): shard paths that leave the model's folder, shards whose
// bytes disagree with their manifest group, weight shapes that disagree with the topology, NaN / Infinity weights,
// unknown dtypes and bad shapes. Each is a ModelFileError (CLI exit 3) naming the file and the weight or shard.
// The cases live in hostile_model_cases.ts, which bench/bad_input.ts also runs through the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ModelFileError, importModel } from '../../../compiler/import/index.js';
import { assertOneLineError, MLP_MODEL, runCli } from '../../cli/helpers.js';
import { denseModel, HOSTILE_MODEL_CASES } from './hostile_model_cases.js';

let dir: string;
before(async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
  dir = await mkdtemp(path.join(tmpdir(), 'sqz-hostile-json-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

async function rejectsWith(file: string, path: string | undefined, ...fragments: (string | RegExp)[]): Promise<void> {
  await assert.rejects(importModel(file), (err: unknown) => {
    assert.ok(err instanceof ModelFileError, `got ${String(err)}`);
    for (const f of fragments) {
      if (typeof f === 'string') assert.ok(err.message.includes(f), `message "${err.message}" lacks "${f}"`);
      else assert.match(err.message, f);
    }
    if (path !== undefined) assert.equal(err.path, path);
    return true;
  });
}

for (const [i, c] of HOSTILE_MODEL_CASES.entries()) {
  test(c.name, async () => {
    const m = await c.make(path.join(dir, `case-${i}`, 'model'));
    await rejectsWith(m.file, m.path, ...m.fragments);
  });
}

test("a shard in a subfolder of the model's folder is fine", async () => {
  const folder = path.join(dir, 'subfolder');
  const { file, json } = await denseModel(folder);
  await mkdir(path.join(folder, 'shards'));
  await copyFile(path.join(folder, 'weights.bin'), path.join(folder, 'shards', 'w.bin'));
  json.weightsManifest[0].paths = ['shards/w.bin'];
  await writeFile(file, JSON.stringify(json));
  const graph = await importModel(file);
  assert.ok(graph.ops.length > 0);
});

test('CLI: a traversing shard path and a NaN weight exit 3 with one line naming the problem', async () => {
  const folder = path.join(dir, 'cli');
  await mkdir(folder);
  const json = JSON.parse(await readFile(MLP_MODEL, 'utf8'));
  const evil = path.join(folder, 'model.json');
  json.weightsManifest[0].paths = ['../../../../../../../../etc/passwd'];
  await writeFile(evil, JSON.stringify(json));
  const out = path.join(dir, 'out.sqz');
  assertOneLineError(
    await runCli(['convert', evil, '-o', out]),
    3,
    /weight shard path "\.\.\/.*etc\/passwd" in .*model\.json is refused: it contains "\.\."/,
  );

  json.weightsManifest[0].paths = ['weights.bin'];
  await writeFile(evil, JSON.stringify(json));
  const weights = new Float32Array(
    new Uint8Array(await readFile(path.join(path.dirname(MLP_MODEL), 'weights.bin'))).buffer,
  );
  weights[10] = NaN;
  await writeFile(path.join(folder, 'weights.bin'), new Uint8Array(weights.buffer));
  const first = json.weightsManifest[0].weights[0].name as string;
  assertOneLineError(
    await runCli(['convert', evil, '-o', out]),
    3,
    new RegExp(`weight '${first}' in .*model\\.json holds NaN at index 10 `),
  );
});
