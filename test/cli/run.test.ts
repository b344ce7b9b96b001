// `sqz run` on the digit MLP: a PNG of a real mnist digit (written here with pngjs), a JSON batch and raw f32 must
// give exactly what SqzModel.predict gives on the same values; wrong sizes say what was expected.
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { loadDataset } from '../../compiler/data/index.js';
import { SqzModel } from '../../runtime/index.js';
import { assertOneLineError, convertMlp, runCli, tempDir } from './helpers.js';

const dir = await tempDir('run');
test.after(() => rm(dir, { recursive: true, force: true }));
const sqz = await convertMlp(dir);
const digits = (await loadDataset('mnist')).test;
const model = await SqzModel.load(await readFile(sqz));
test.after(() => model.dispose());

/** Sample i of the mnist test split, as 8-bit gray levels (what a PNG can hold). */
function digitLevels(i: number): Uint8Array {
  return Uint8Array.from(digits.images.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255));
}

/** A PNG of `levels` (width × height gray pixels), written as RGBA by pngjs. */
function grayPng(levels: Uint8Array, width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  levels.forEach((v, i) => png.data.set([v, v, v, 255], 4 * i));
  return PNG.sync.write(png);
}

test('run --input digit.png equals SqzModel.predict on the same pixels', { timeout: 60_000 }, async () => {
  const levels = digitLevels(400);
  const input = path.join(dir, 'digit.png');
  await writeFile(input, grayPng(levels, 28, 28));
  const out = path.join(dir, 'out.json');
  const r = await runCli(['run', sqz, '--input', input, '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(await readFile(out, 'utf8'));
  const expected = model.predict(Float32Array.from(levels, (v) => v / 255));
  assert.deepEqual(result.outputShape, [10]);
  assert.equal(result.batch, 1);
  assert.deepEqual(result.outputs, [Array.from(expected)]);
  assert.equal(expected.indexOf(Math.max(...expected)), digits.labels[400], 'the digit is classified correctly');
});

test('run --input batch.json --batch 2 -o out.bin writes raw little-endian f32', { timeout: 60_000 }, async () => {
  const a = digits.images.slice(0, 784);
  const b = digits.images.slice(784 * 900, 784 * 901);
  const input = path.join(dir, 'batch.json');
  await writeFile(input, JSON.stringify([Array.from(a), Array.from(b)])); // nested: one row per sample
  const out = path.join(dir, 'out.bin');
  const r = await runCli(['run', sqz, '--input', input, '--batch', '2', '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  const bytes = await readFile(out);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const got = Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
  const both = new Float32Array(2 * 784);
  both.set(a);
  both.set(b, 784);
  assert.deepEqual(got, Array.from(model.predict(both, 2)));
});

test('run --input x.bin reads raw f32 and prints JSON on stdout', { timeout: 60_000 }, async () => {
  const sample = digits.images.slice(784 * 5, 784 * 6);
  const input = path.join(dir, 'x.bin');
  const bytes = new Uint8Array(784 * 4);
  const view = new DataView(bytes.buffer);
  sample.forEach((v, i) => view.setFloat32(4 * i, v, true));
  await writeFile(input, bytes);
  const r = await runCli(['run', sqz, '--input', input]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).outputs, [Array.from(model.predict(sample))]);
});

test('wrong sizes: the error states what the model expects', { timeout: 60_000 }, async () => {
  const png = path.join(dir, 'big.png');
  await writeFile(png, grayPng(new Uint8Array(32 * 32), 32, 32));
  assertOneLineError(
    await runCli(['run', sqz, '--input', png]),
    4,
    /big\.png is 32×32 = 1,024 pixels; the model takes 784 values per sample \(shape \[28, 28, 1\]\) × batch 1 = 784 \(a 28×28 grayscale image\)/,
  );
  const bin = path.join(dir, 'odd.bin');
  await writeFile(bin, new Uint8Array(10));
  assertOneLineError(
    await runCli(['run', sqz, '--input', bin]),
    4,
    /odd\.bin has 10 bytes, not a whole number of 4-byte f32 values/,
  );
  const notPng = path.join(dir, 'text.png');
  await writeFile(notPng, 'hello');
  assertOneLineError(await runCli(['run', sqz, '--input', notPng]), 3, /text\.png is not a readable PNG image/);
  const words = path.join(dir, 'words.json');
  await writeFile(words, '[1, 2, "three"]');
  assertOneLineError(
    await runCli(['run', sqz, '--input', words]),
    3,
    /words\.json: value 2 \(in reading order\) is "three", not a finite number/,
  );
});
