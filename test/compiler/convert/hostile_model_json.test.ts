// Malicious or inconsistent model.json (issue 6, part 2): shard paths that leave the model's folder, shards whose
// bytes disagree with their manifest group, weight shapes that disagree with the topology, NaN / Infinity weights,
// unknown dtypes and bad shapes. Each is a ModelFileError (CLI exit 3) naming the file and the weight or shard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { ModelFileError, importModel } from '../../../compiler/import/index.js';
import { saveLayersModel } from '../../fixtures/tfjs_models.js';
import { assertOneLineError, MLP_MODEL, runCli } from '../../cli/helpers.js';

let dir: string;
before(async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
  dir = await mkdtemp(path.join(tmpdir(), 'sqz-hostile-json-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

/** A saved dense model fc: kernel [3, 2], bias [2], in its own folder; returns model.json's path and parsed JSON. */
async function denseModel(name: string): Promise<{ file: string; json: Record<string, any> }> {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, name: 'fc' })] });
  const file = await saveLayersModel(model, path.join(dir, name));
  model.dispose();
  return { file, json: JSON.parse(await readFile(file, 'utf8')) };
}

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

test('shard paths with "..", absolute paths, URLs and drive paths are refused before anything is read', async () => {
  const { file, json } = await denseModel('paths');
  // A file the traversal would reach with exactly the right byte count: refusing it must not depend on a read failing.
  await copyFile(path.join(path.dirname(file), 'weights.bin'), path.join(dir, 'outside.bin'));
  const cases: [unknown, string][] = [
    ['../outside.bin', 'contains ".."'],
    ['sub/../../outside.bin', 'contains ".."'],
    ['..\\outside.bin', 'contains ".."'],
    [path.join(dir, 'outside.bin'), 'absolute path'],
    ['C:\\models\\weights.bin', 'URL or a drive path'],
    ['\\\\server\\share\\weights.bin', 'absolute path'],
    ['https://example.com/weights.bin', 'URL'],
    ['file:///etc/passwd', 'URL'],
    ['', 'not a file name'],
    [42, 'not a file name'],
  ];
  for (const [shard, why] of cases) {
    const copy = structuredClone(json);
    copy.weightsManifest[0].paths = [shard];
    await writeFile(file, JSON.stringify(copy));
    await rejectsWith(file, file, `weight shard path ${JSON.stringify(shard)} in ${file} is refused`, why, 'folder of model.json');
  }
  // A shard in a subfolder of the model's folder is fine.
  await mkdir(path.join(path.dirname(file), 'shards'));
  await copyFile(path.join(path.dirname(file), 'weights.bin'), path.join(path.dirname(file), 'shards', 'w.bin'));
  const sub = structuredClone(json);
  sub.weightsManifest[0].paths = ['shards/w.bin'];
  await writeFile(file, JSON.stringify(sub));
  const graph = await importModel(file);
  assert.ok(graph.ops.length > 0);
});

test('shard bytes are checked per manifest group, naming the shard and its weights', async () => {
  const { file, json } = await denseModel('groups');
  const folder = path.dirname(file);
  const bytes = await readFile(path.join(folder, 'weights.bin'));
  // Two groups whose shards swap 4 bytes: the total still matches, but every weight would be read shifted.
  await writeFile(path.join(folder, 'k.bin'), bytes.subarray(0, 28));
  await writeFile(path.join(folder, 'b.bin'), bytes.subarray(28 - 4));
  const [kernel, bias] = json.weightsManifest[0].weights;
  json.weightsManifest = [{ paths: ['k.bin'], weights: [kernel] }, { paths: ['b.bin'], weights: [bias] }];
  await writeFile(file, JSON.stringify(json));
  await rejectsWith(file, path.join(folder, 'k.bin'), "weight shard 'k.bin'", 'holds 28 bytes but its manifest describes 24 bytes', "(weights 'fc/kernel')");
});

test('a weight shape that disagrees with the topology names the weight, both shapes and the layer', async () => {
  const { file, json } = await denseModel('shape');
  json.weightsManifest[0].weights[0].shape = [2, 3]; // same byte count, so only the topology can tell
  await writeFile(file, JSON.stringify(json));
  await rejectsWith(file, file, `weight 'fc/kernel' in ${file} has shape [2, 3]`, "layer 'fc' (Dense) needs [3, 2]");
});

test('NaN and Infinity weights are named with their index before any training', async () => {
  const { file } = await denseModel('nan');
  const shard = path.join(path.dirname(file), 'weights.bin');
  const good = await readFile(shard);
  const values = new Float32Array(good.buffer.slice(good.byteOffset, good.byteOffset + good.byteLength));
  values[4] = NaN;
  await writeFile(shard, new Uint8Array(values.buffer));
  await rejectsWith(file, file, `weight 'fc/kernel' in ${file} holds NaN at index 4 (of 6, shape [3, 2])`);
  values[4] = 0.5;
  values[7] = -Infinity; // bias index 1
  await writeFile(shard, new Uint8Array(values.buffer));
  await rejectsWith(file, file, "weight 'fc/bias'", 'holds -Infinity at index 1 (of 2');
});

test('unknown dtypes, unknown quantization dtypes and bad shapes name the weight', async () => {
  const { file, json } = await denseModel('dtype');
  const edits: [(j: any) => void, string][] = [
    [(j) => { j.weightsManifest[0].weights[1].dtype = 'float64'; }, `weight 'fc/bias' in ${file} has unknown dtype "float64"; known: float32`],
    [(j) => { j.weightsManifest[0].weights[0].dtype = 'string'; }, `weight 'fc/kernel' in ${file} has unknown dtype "string"`],
    [(j) => { j.weightsManifest[0].weights[0].quantization = { dtype: 'int4', scale: 1, min: 0 }; }, 'unknown quantization dtype "int4"; known: uint8'],
    [(j) => { j.weightsManifest[0].weights[0].shape = [3, -2]; }, `weight 'fc/kernel' in ${file} has shape [3,-2]`],
    [(j) => { j.weightsManifest[0].weights[0].shape = 'big'; }, 'has shape "big"'],
    [(j) => { delete j.weightsManifest[0].weights[0].name; }, 'a weight in "weightsManifest" has no "name"'],
  ];
  for (const [edit, fragment] of edits) {
    const copy = structuredClone(json);
    edit(copy);
    await writeFile(file, JSON.stringify(copy));
    await rejectsWith(file, file, fragment);
  }
});

test('CLI: a traversing shard path and a NaN weight exit 3 with one line naming the problem', async () => {
  const folder = path.join(dir, 'cli');
  await mkdir(folder);
  const json = JSON.parse(await readFile(MLP_MODEL, 'utf8'));
  const evil = path.join(folder, 'model.json');
  json.weightsManifest[0].paths = ['../../../../../../../../etc/passwd'];
  await writeFile(evil, JSON.stringify(json));
  const out = path.join(dir, 'out.sqz');
  assertOneLineError(await runCli(['convert', evil, '-o', out]), 3, /weight shard path "\.\.\/.*etc\/passwd" in .*model\.json is refused: it contains "\.\."/);

  json.weightsManifest[0].paths = ['weights.bin'];
  await writeFile(evil, JSON.stringify(json));
  const weights = new Float32Array(new Uint8Array(await readFile(path.join(path.dirname(MLP_MODEL), 'weights.bin'))).buffer);
  weights[10] = NaN;
  await writeFile(path.join(folder, 'weights.bin'), new Uint8Array(weights.buffer));
  const first = json.weightsManifest[0].weights[0].name as string;
  assertOneLineError(await runCli(['convert', evil, '-o', out]), 3, new RegExp(`weight '${first}' in .*model\\.json holds NaN at index 10 `));
});
