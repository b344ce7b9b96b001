// Issue 17 through the real CLI, with 2 real worker threads: the same seed and --workers give the same bytes, also
// after a SIGKILL and --resume; a worker that crashes or runs out of memory stops the run with one line (exit 8)
// and --resume finishes it byte-identical; SIGTERM ends the process and its workers and leaves nothing partial
// under a final name. Runs on the small digit set of the interruption matrix (interruption_cases.ts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, ROOT, runCli, tempDir } from '../../cli/helpers.js';
import {
  compressArgs,
  diskState,
  digitsIdx,
  referenceRun,
  runFiles,
  STEPS_PER_EPOCH,
  type Reference,
  type RunFiles,
} from './interruption_cases.js';

const WORKERS = ['--workers', '2'];
const dir = await tempDir('workers');
test.after(() => rm(dir, { recursive: true, force: true }));
const data = await digitsIdx(dir);
const args = (files: RunFiles, resume = false) => [...compressArgs(files, resume), ...WORKERS];

let reference: Reference;
test('--workers 2: the report states N; a second run writes the same bytes', async () => {
  const files = await runFiles(data, path.join(dir, 'reference'));
  reference = await referenceRun(files, WORKERS);
  const report = JSON.parse(await readFile(files.report, 'utf8')) as { workers: number };
  assert.equal(report.workers, 2);
  const again = await runFiles(data, path.join(dir, 'again'));
  assert.equal((await runCli(args(again))).code, 0);
  assert.ok(Buffer.from(reference.bytes).equals(await readFile(again.out)), 'same seed and N, other bytes');
});

/** Runs the resume of `files` and checks it finishes byte-identical with no temporary file left. */
async function resumeMatches(files: RunFiles): Promise<void> {
  const resumed = await runCli(args(files, true));
  assert.equal(resumed.code, 0, resumed.stderr);
  const final = await diskState(files, reference);
  assert.deepEqual(final.problems, []);
  assert.equal(final.sqz, 'identical');
  assert.equal(final.report, 'same');
  assert.deepEqual(final.temps, []);
}

test('--workers 2: SIGKILL in ADMM epoch 2, then --resume: byte-identical', async () => {
  const files = await runFiles(data, path.join(dir, 'kill'));
  const stop = await runCli(args(files), { SQZ_FAULT: `kill:epoch-step:${STEPS_PER_EPOCH + 4}` });
  assert.equal(stop.signal, 'SIGKILL', stop.stderr);
  assert.deepEqual((await diskState(files, reference)).checkpoints, ['epoch-admm-0001.ckpt']);
  await resumeMatches(files);
});

for (const [fault, what] of [
  ['crash', /^sqz: error: training worker 2 of 2 crashed \(injected crash \(SQZ_FAULT\)\); the checkpoints /],
  ['oom', /^sqz: error: training worker 2 of 2 ran out of memory; the checkpoints /],
] as const) {
  test(`--workers 2: a worker ${fault} in ADMM epoch 2 stops the run with one line; --resume finishes it`, async () => {
    const files = await runFiles(data, path.join(dir, fault));
    const stop = await runCli(args(files), { SQZ_FAULT: `${fault}:worker-step:${STEPS_PER_EPOCH + 3}` });
    assert.equal(stop.code, 8, stop.stderr);
    const lines = stop.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, stop.stderr);
    assert.match(lines[0]!, what);
    const after = await diskState(files, reference);
    assert.deepEqual(after.problems, []);
    assert.deepEqual(after.checkpoints, ['epoch-admm-0001.ckpt']);
    assert.equal(after.sqz, 'absent');
    await resumeMatches(files);
  });
}

test('--workers 2: SIGTERM during training ends the process and its workers; --resume finishes it', async () => {
  const files = await runFiles(data, path.join(dir, 'sigterm'));
  const first = path.join(files.ckpt, 'epoch-admm-0001.ckpt');
  const child = spawn(process.execPath, [CLI, ...args(files)], { cwd: ROOT, stdio: 'ignore' });
  const ended = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  // Wait for the first checkpoint: the workers are running then.
  const started = Date.now();
  while (!existsSync(first) && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const signal = await ended;
  clearTimeout(timer);
  assert.equal(signal, 'SIGTERM', 'the process ended by SIGTERM (not kept alive by its workers)');
  const after = await diskState(files, reference);
  assert.deepEqual(after.problems, []);
  assert.ok(after.checkpoints.includes('epoch-admm-0001.ckpt'));
  await resumeMatches(files);
});
