// A blown-up SGD step (SQZ_FAULT=diverge:epoch-step:N makes the N-th step's loss NaN; the rest of the run is real).
// In ADMM it is a restart at half the rate: the independent reference is a fresh run at that rate, which must write
// the same bytes. In the fine-tune it ends the fine-tune: the run still exits 0 and writes its best completed
// result, warns, and its history up to the blow-up is an unfaulted run's. interruption_cases.ts's run: the digit
// MLP on 360 npm digits, 9 SGD steps per epoch, 2 ADMM epochs.
import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from '../../cli/helpers.js';
import { digitsIdx, namedRun, STEPS_PER_EPOCH } from './interruption_cases.js';

let dir: string;
let data: string;
before(async () => {
  dir = await tempDir('diverge');
  data = await digitsIdx(dir);
});
after(() => rm(dir, { recursive: true, force: true }));

const args = (name: string, extra: string[] = []) => namedRun(data, dir, name, extra);

interface Report {
  restarts: { reason: string; lr: number }[];
  warnings: string[];
  epochs: { admm: number; finetune: number };
  targetBytes: number;
  fileBytes: number;
  accuracy: { validation: number; runtime: number };
  history: { phase: string; epoch: number; loss: number; validationAccuracy: number }[];
}
const report = async (name: string) => JSON.parse(await readFile(path.join(dir, `${name}.json`), 'utf8')) as Report;
const sqz = (name: string) => readFile(path.join(dir, `${name}.sqz`));

test('a blow-up in ADMM restarts it at half the rate, and the file is what a fresh run at that rate writes', async () => {
  const faulted = await runCli(args('admm'), { SQZ_FAULT: 'diverge:epoch-step:5' });
  assert.equal(faulted.code, 0, faulted.stderr);
  const fresh = await runCli(args('admm-fresh', ['--lr', '0.025']));
  assert.equal(fresh.code, 0, fresh.stderr);
  const r = await report('admm');
  assert.deepEqual(r.restarts, [
    {
      reason: 'training diverged in ADMM epoch 1, step 5 (loss NaN); lower the learning rate (--lr, now 0.05)',
      lr: 0.025,
    },
  ]);
  assert.ok((await sqz('admm')).equals(await sqz('admm-fresh')), 'the restarted run and the fresh run at 0.025 differ');
});

test('a blow-up in the fine-tune stops it and writes the best completed result, with a warning', async () => {
  const finetune = ['--finetune-epochs', '3'];
  const plain = await runCli(args('plain', finetune));
  assert.equal(plain.code, 0, plain.stderr);
  // ADMM takes 2 epochs (its minimum), so step 2·9 + 9 + 4 is the 4th step of fine-tune epoch 2.
  const step = 3 * STEPS_PER_EPOCH + 4;
  const faulted = await runCli(args('stopped', finetune), { SQZ_FAULT: `diverge:epoch-step:${step}` });
  assert.equal(faulted.code, 0, faulted.stderr);
  const warning =
    /training diverged in fine-tune epoch 2, step 4 \(loss NaN\); lower the learning rate \(--lr, now 0\.05\)\. The fine-tune stopped after 1 of 3 epochs, and the file holds its best result so far \((its start|epoch 1), validation accuracy \d+\.\d+%\); run again with a lower --lr/;
  assert.match(faulted.stderr, warning);

  const r = await report('stopped');
  const p = await report('plain');
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0]!, warning);
  assert.deepEqual(p.warnings, []);
  assert.deepEqual(r.epochs, { admm: 2, finetune: 1 });
  assert.equal(p.epochs.finetune, 3);
  // Up to the blow-up the run is the unfaulted one: same ADMM epochs and the same first fine-tune epoch.
  assert.equal(r.history.length, 3);
  const trained = (h: Report['history'][number]) => [h.phase, h.epoch, h.loss, h.validationAccuracy];
  assert.deepEqual(r.history.map(trained), p.history.slice(0, 3).map(trained));
  // What is written is the best completed result, not the blown-up weights: its validation score is the first
  // fine-tune epoch's (or the start's, when that epoch fell short), it runs in the wasm runtime, within the target.
  const firstEpoch = r.history[2]!;
  assert.equal(firstEpoch.phase, 'finetune');
  assert.ok(r.accuracy.validation >= firstEpoch.validationAccuracy, 'the written result is worse than epoch 1');
  if (/epoch 1, validation /.test(r.warnings[0]!)) assert.equal(r.accuracy.validation, firstEpoch.validationAccuracy);
  assert.ok(r.accuracy.runtime >= 0.6, `runtime accuracy ${r.accuracy.runtime}`);
  assert.ok(r.fileBytes <= r.targetBytes);
  assert.equal((await stat(path.join(dir, 'stopped.sqz'))).size, r.fileBytes);
});
