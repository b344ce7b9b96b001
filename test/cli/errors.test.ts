// Bad arguments and bad files through the real CLI: each class of problem exits with its own code and prints one
// line (what is wrong, what to do) with no stack trace; --verbose and SQZ_DEBUG=1 print the stack.
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'node:test';
import { assertOneLineError, convertMlp, MLP_MODEL, ROOT, runCli, tempDir } from './helpers.js';

const dir = await tempDir('errors');
test.after(() => rm(dir, { recursive: true, force: true }));
const sqz = await convertMlp(dir);
const out = path.join(dir, 'out.sqz');

// A .sqz with one payload byte flipped: the header's CRC-32 no longer matches.
const corrupt = path.join(dir, 'corrupt.sqz');
const bytes = await readFile(sqz);
bytes[bytes.length - 1] ^= 0xff;
await writeFile(corrupt, bytes);

// model.json that is not JSON.
await mkdir(path.join(dir, 'bad'));
const badJson = path.join(dir, 'bad', 'model.json');
await writeFile(badJson, '{ "modelTopology": ');

// The digit MLP with an activation sqz does not convert.
await mkdir(path.join(dir, 'elu'));
const eluModel = path.join(dir, 'elu', 'model.json');
const mlpJson = JSON.parse(await readFile(MLP_MODEL, 'utf8'));
mlpJson.modelTopology.config.layers[1].config.activation = 'elu';
await writeFile(eluModel, JSON.stringify(mlpJson));
await copyFile(path.join(path.dirname(MLP_MODEL), 'weights.bin'), path.join(dir, 'elu', 'weights.bin'));

// 700 numbers for a model that takes 784.
const shortInput = path.join(dir, 'short.json');
await writeFile(shortInput, JSON.stringify(new Array(700).fill(0.5)));

const compress = (...args: string[]) => ['compress', MLP_MODEL, '-o', out, '--quiet', ...args];

const CASES: { name: string; args: string[]; code: number; message: RegExp }[] = [
  { name: 'missing file', args: ['inspect', path.join(dir, 'nope.sqz')], code: 3, message: /nope\.sqz: file not found/ },
  { name: 'a directory given as a file', args: ['inspect', dir], code: 3, message: /is a directory/ },
  { name: 'corrupt .sqz', args: ['inspect', corrupt], code: 3, message: /corrupt\.sqz: file is corrupt: header CRC-32/ },
  { name: 'bad model.json', args: ['eval', badJson, '--data', 'mnist'], code: 3, message: /model\.json is not valid JSON/ },
  { name: 'output folder missing', args: ['convert', MLP_MODEL, '-o', path.join(dir, 'no', 'x.sqz')], code: 3, message: /cannot write .*folder .* does not exist/ },
  { name: 'unknown data spec', args: compress('--data', 'cifar10', '--ratio', '10'), code: 2, message: /Unknown dataset spec 'cifar10'; valid specs: mnist/ },
  { name: 'zero target', args: compress('--data', 'mnist', '--target-size', '0'), code: 2, message: /less than one byte/ },
  { name: 'negative target', args: compress('--data', 'mnist', '--target-size', '-5'), code: 2, message: /cannot read size '-5'/ },
  { name: 'ratio below 1', args: compress('--data', 'mnist', '--ratio', '0.5'), code: 2, message: /--ratio must be at least 1.*got 0\.5/ },
  { name: 'unknown backend', args: compress('--data', 'mnist', '--ratio', '10', '--backend', 'gpu'), code: 2, message: /'gpu' is invalid\. Allowed choices are auto/ },
  { name: '--target-size with --ratio', args: compress('--data', 'mnist', '--target-size', '5000', '--ratio', '10'), code: 2, message: /'--target-size <size>' cannot be used with option '--ratio <R>'/ },
  { name: 'neither --target-size nor --ratio', args: compress('--data', 'mnist'), code: 2, message: /exactly one of --target-size and --ratio/ },
  { name: 'not a number', args: compress('--data', 'mnist', '--ratio', 'ten'), code: 2, message: /'--ratio <R>' argument 'ten' is invalid\. expects a number/ },
  { name: 'unknown option', args: ['inspect', sqz, '--bogus'], code: 2, message: /unknown option '--bogus' \(see sqz inspect --help\)/ },
  { name: 'missing argument', args: ['inspect'], code: 2, message: /missing required argument 'model\.sqz'/ },
  { name: 'missing dataset', args: ['eval', sqz, '--data', `fashion-mnist:${path.join(dir, 'no-data')}`], code: 4, message: /Fashion-MNIST not found at .*no-data/ },
  { name: 'input of the wrong length', args: ['run', sqz, '--input', shortInput], code: 4, message: /short\.json holds 700 values; the model takes 784 values per sample .* = 784/ },
  { name: 'impossible budget', args: compress('--data', 'mnist', '--target-size', '10', '--backend', 'wasm'), code: 5, message: /target of 10 bytes is below the smallest file .*choose --target-size \d+ or more/ },
  { name: 'unsupported model', args: ['convert', eluModel, '-o', out], code: 6, message: /activation 'elu'/ },
];

for (const c of CASES) {
  test(`${c.name}: exit ${c.code}, one line`, { timeout: 60_000 }, async () => {
    assertOneLineError(await runCli(c.args), c.code, c.message);
  });
}

test('unreadable file: exit 3', {
  skip: process.getuid?.() === 0 ? 'running as root, which can read a chmod 000 file' : false,
}, async () => {
  const locked = path.join(dir, 'locked.sqz');
  await copyFile(sqz, locked);
  await chmod(locked, 0o000);
  assertOneLineError(await runCli(['inspect', locked]), 3, /locked\.sqz: permission denied/);
});

test('--verbose and SQZ_DEBUG=1 print the stack trace, with the same exit code', { timeout: 60_000 }, async () => {
  const missing = path.join(dir, 'nope.sqz');
  for (const r of [await runCli(['inspect', missing, '--verbose']), await runCli(['--verbose', 'inspect', missing]),
    await runCli(['inspect', missing], { SQZ_DEBUG: '1' })]) {
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /FileError: cannot read model .*nope\.sqz: file not found/);
    assert.match(r.stderr, /\n\s+at .*read_input\.js/);
  }
});

test('every command has --help with examples and the exit codes', { timeout: 60_000 }, async () => {
  for (const command of ['convert', 'compress', 'inspect', 'eval', 'run', 'demo']) {
    const r = await runCli([command, '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Usage: sqz ${command} `));
    assert.match(r.stdout, new RegExp(`Examples:\\n  \\$ sqz ${command} `));
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7]) assert.match(r.stdout, new RegExp(`\\n  ${code}  \\w`), `${command}: exit code ${code}`);
  }
  const top = await runCli(['--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /Exit codes:/);
  const none = await runCli([]);
  assert.equal(none.code, 2, 'no command is a usage error');
  assert.match(none.stderr, /Usage: sqz/);
});

test('the README documents every exit code the CLI uses', async () => {
  const { EXIT_CODES } = await import('../../compiler/cli.js');
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  for (const code of [0, 1, ...EXIT_CODES.map((e) => e.code)]) assert.match(readme, new RegExp(`^\\| ${code} \\| \\w`, 'm'), `code ${code}`);
  assert.equal(new Set(EXIT_CODES.map((e) => e.code)).size, EXIT_CODES.length, 'one code per class');
});
