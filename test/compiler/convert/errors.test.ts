// Bad input: unsupported layers and attributes name the layer's class and name; missing or broken files name
// the file; a failed conversion leaves an existing output untouched and no temporary file behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { convert } from '../../../compiler/commands/convert.js';
import {
  ModelFileError,
  UnsupportedModelError,
  importLayersModel,
  importModel,
} from '../../../compiler/import/index.js';
import { tempPathFor, writeFileAtomic } from '../../../compiler/util/atomic_write.js';
import { saveLayersModel } from '../../fixtures/tfjs_models.js';

let dir: string;
before(async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
  dir = await mkdtemp(path.join(tmpdir(), 'sqz-errors-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

async function saved(name: string, model: tfl.LayersModel): Promise<string> {
  const file = await saveLayersModel(model, path.join(dir, name));
  model.dispose();
  return file;
}

async function rejectsUnsupported(modelJson: string, ...fragments: string[]): Promise<void> {
  await assert.rejects(importModel(modelJson), (err: unknown) => {
    assert.ok(err instanceof UnsupportedModelError, `got ${String(err)}`);
    for (const f of fragments) assert.ok(err.message.includes(f), `message "${err.message}" lacks "${f}"`);
    return true;
  });
}

test('an unsupported layer names its class, its name and the supported layers', async () => {
  const lstm = tfl.sequential({
    layers: [
      tfl.layers.lstm({ inputShape: [5, 3], units: 4, name: 'lstm_1', recurrentInitializer: 'glorotUniform' }),
      tfl.layers.dense({ units: 2, name: 'out' }),
    ],
  });
  await rejectsUnsupported(
    await saved('lstm', lstm),
    "layer 'lstm_1' (LSTM) is not supported by sqz",
    'supported layers: InputLayer, Dense',
  );
  const masked = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [4], units: 4, name: 'fc' }),
      tfl.layers.masking({ maskValue: 0, name: 'masked' }),
    ],
  });
  await rejectsUnsupported(await saved('masking', masked), "'masked' (Masking)");
});

test('a class tfjs itself does not know is reported by name, before tfjs fails on it', async () => {
  const model = tfl.sequential({
    layers: [tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 2, kernelSize: 3, name: 'conv' })],
  });
  const file = await saved('unknown_class', model);
  const json = JSON.parse(await readFile(file, 'utf8'));
  json.modelTopology.config.layers[0].class_name = 'SpatialDropout2D';
  await writeFile(file, JSON.stringify(json));
  await rejectsUnsupported(file, "'conv' (SpatialDropout2D) is not supported");
});

test('unsupported attributes: activation, dilation, BN axis, softmax axis, shared layers, negative slope', async () => {
  // sqz imports every activation tfjs-layers saves and loads; gelu_new only exists in memory (tfjs cannot load it back).
  const geluNew = tfl.sequential({
    layers: [tfl.layers.dense({ inputShape: [3], units: 2, activation: 'gelu_new', name: 'fc_gelu_new' })],
  });
  assert.throws(
    () => importLayersModel(geluNew),
    (e: unknown) =>
      e instanceof UnsupportedModelError &&
      ["'fc_gelu_new' (Dense)", "activation 'gelu_new'", 'supported activations'].every((part) =>
        e.message.includes(part),
      ),
  );
  const dilated = tfl.sequential({
    layers: [tfl.layers.conv2d({ inputShape: [9, 9, 1], filters: 2, kernelSize: 3, dilationRate: 2, name: 'dil' })],
  });
  await rejectsUnsupported(await saved('dilated', dilated), "'dil' (Conv2D)", 'dilation');
  const bnAxis = tfl.sequential({
    layers: [tfl.layers.batchNormalization({ inputShape: [4, 4, 3], axis: 1, name: 'bn_axis1' })],
  });
  await rejectsUnsupported(await saved('bn_axis', bnAxis), "'bn_axis1' (BatchNormalization)", 'last axis');
  const softmax = tfl.sequential({
    layers: [tfl.layers.softmax({ inputShape: [4, 4, 3], axis: 1, name: 'sm_axis1' })],
  });
  await rejectsUnsupported(await saved('softmax_axis', softmax), "'sm_axis1' (Softmax)", 'last axis');

  const input = tfl.input({ shape: [4], name: 'x' });
  const shared = tfl.layers.dense({ units: 4, name: 'shared_fc' });
  const twice = shared.apply(shared.apply(input)) as tfl.SymbolicTensor;
  assert.throws(
    () => importLayersModel(tfl.model({ inputs: input, outputs: twice })),
    (err: unknown) =>
      err instanceof UnsupportedModelError && err.message.includes("'shared_fc' (Dense) is applied more than once"),
  );

  const relu = tfl.sequential({ layers: [tfl.layers.reLU({ inputShape: [3], name: 'relu_slope' })] });
  const file = await saved('relu_slope', relu);
  const json = JSON.parse(await readFile(file, 'utf8'));
  json.modelTopology.config.layers[0].config.negative_slope = 0.1;
  await writeFile(file, JSON.stringify(json));
  await rejectsUnsupported(file, "'relu_slope' (ReLU)", 'negative_slope 0.1');

  const channelsFirst = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [2, 6, 6], filters: 2, kernelSize: 3, dataFormat: 'channelsFirst', name: 'cf' }),
    ],
  });
  await rejectsUnsupported(await saved('channels_first', channelsFirst), "'cf' (Conv2D)", 'channels-last');
});

test('missing model.json, bad JSON and a missing or short weight shard name the file', async () => {
  const missing = path.join(dir, 'nowhere', 'model.json');
  await assert.rejects(
    importModel(missing),
    (err: unknown) =>
      err instanceof ModelFileError && err.message.includes(missing) && err.message.includes('not found'),
  );

  const bad = path.join(dir, 'bad.json');
  await writeFile(bad, '{"modelTopology": ');
  await assert.rejects(
    importModel(bad),
    (err: unknown) => err instanceof ModelFileError && err.message.includes(`${bad} is not valid JSON`),
  );

  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, name: 'fc' })] });
  const file = await saved('shard', model);
  const shard = path.join(path.dirname(file), 'weights.bin');
  const bytes = await readFile(shard);
  await writeFile(shard, bytes.subarray(0, bytes.length - 4));
  await assert.rejects(
    importModel(file),
    (err: unknown) =>
      err instanceof ModelFileError &&
      /shard .weights.bin. of .* holds 28 bytes but its manifest describes 32 bytes \(weights .fc\/kernel., .fc\/bias.\)/.test(
        err.message,
      ),
  );
  await rm(shard);
  await assert.rejects(
    importModel(file),
    (err: unknown) =>
      err instanceof ModelFileError && err.message.includes("weight shard 'weights.bin'") && err.path === shard,
  );
});

test('a failed conversion leaves an existing output untouched and no temporary file', async () => {
  const lstm = tfl.sequential({
    layers: [
      tfl.layers.simpleRNN({ inputShape: [3, 2], units: 2, name: 'rnn', recurrentInitializer: 'glorotUniform' }),
    ],
  });
  const input = await saved('rnn', lstm);
  const output = path.join(dir, 'existing.sqz');
  await writeFile(output, 'previous contents');
  await assert.rejects(convert({ input, output }), UnsupportedModelError);
  assert.equal(await readFile(output, 'utf8'), 'previous contents');

  // A failure while producing the bytes, and one while writing (target is a directory), change nothing either.
  await assert.rejects(
    writeFileAtomic(output, () => {
      throw new Error('encoder failed');
    }),
    /encoder failed/,
  );
  assert.equal(await readFile(output, 'utf8'), 'previous contents');
  const targetDir = path.join(dir, 'a_directory');
  await rm(targetDir, { recursive: true, force: true });
  await (await import('node:fs/promises')).mkdir(targetDir);
  await assert.rejects(writeFileAtomic(targetDir, new Uint8Array([1, 2, 3])));
  const leftovers = (await readdir(dir)).filter((f) => f.includes('.tmp-'));
  assert.deepEqual(leftovers, []);
  assert.equal(path.basename(tempPathFor(output)), `existing.sqz.tmp-${process.pid}`);

  // A successful write replaces the file in one step.
  await writeFileAtomic(output, new Uint8Array([7, 8, 9]));
  assert.deepEqual([...(await readFile(output))], [7, 8, 9]);
});
