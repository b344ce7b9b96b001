// The CLI prints nothing of TensorFlow.js's own (its "looks like you are running TensorFlow.js in Node.js" banner,
// backend notices), with or without --verbose, whichever tfjs backend a command uses; and loading the CLI's module
// silences tfjs before any tfjs code can run, not only once main() starts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI, MLP_MODEL, ROOT, type CliResult, convertMlp, runCli, tempDir } from './helpers.js';

const TFJS_OUTPUT = /TensorFlow\.js|tfjs-node|={10}|Platform .* has already been set|Initialization of backend/;

let dir = '';
let sqz = '';
before(async () => {
  dir = await tempDir('quiet');
  sqz = await convertMlp(dir);
});
after(async () => rm(dir, { recursive: true, force: true }));

function assertQuiet(r: CliResult, what: string): void {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  assert.doesNotMatch(r.stdout + r.stderr, TFJS_OUTPUT, `${what} printed tfjs's own output:\n${r.stdout}${r.stderr}`);
}

test('convert, eval (every tfjs backend here), inspect and run print nothing of tfjs, also with --verbose', async () => {
  for (const verbose of [[], ['--verbose']]) {
    assertQuiet(
      await runCli(['convert', MLP_MODEL, '-o', path.join(dir, 'q.sqz'), '--weights', 'q8', ...verbose]),
      `convert ${verbose}`,
    );
    for (const backend of ['cpu', 'wasm', 'auto']) {
      assertQuiet(
        await runCli(['eval', MLP_MODEL, '--data', 'mnist', '--limit', '20', '--backend', backend, ...verbose]),
        `eval --backend ${backend} ${verbose}`,
      );
    }
    assertQuiet(await runCli(['eval', sqz, '--data', 'mnist', '--limit', '20', ...verbose]), `eval .sqz ${verbose}`);
    assertQuiet(await runCli(['inspect', sqz, ...verbose]), `inspect ${verbose}`);
  }
});

test('importing the CLI module silences tfjs before main() runs: a cpu tensor made right after prints no banner', () => {
  const script = `import * as tf from '@tensorflow/tfjs-core';
await import(${JSON.stringify(pathToFileURL(CLI).href)});
await tf.setBackend('cpu');
tf.tensor([1, 2]).dispose();
console.log('made a tensor on', tf.getBackend());`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /made a tensor on cpu/);
  assert.doesNotMatch(r.stdout + r.stderr, TFJS_OUTPUT);
});
