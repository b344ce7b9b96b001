// The collapse guard (admm_loop.ts): a run whose training loss climbs from well under chance level to it starts
// ADMM again from the original weights at half the learning rate. The independent reference is a fresh run at the
// rate the restarts ended on: the same seed must write the same bytes, and so must a run killed after a restart
// and resumed. The bundled digit MLP on 360 npm digits (9 SGD steps per epoch); at --lr 4 the loss rises from 0.35
// to 34 within the first epoch, and again at 2 and 1; at 0.5 it trains.
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from '../../cli/helpers.js';
import { digitsIdx, namedRun, STEPS_PER_EPOCH } from './interruption_cases.js';

let dir: string;
let data: string;
before(async () => {
  dir = await tempDir('collapse');
  data = await digitsIdx(dir);
});
after(() => rm(dir, { recursive: true, force: true }));

// interruption_cases.ts's run (2 ADMM epochs, 1 fine-tune epoch, seed 7, 5,000 bytes) at learning rate `lr`.
const args = (name: string, lr: number, extra: string[] = []) =>
  namedRun(data, dir, name, ['--lr', String(lr), ...extra]);

interface Report {
  restarts: { reason: string; lr: number }[];
  hyper: { lr: number };
  accuracy: { runtime: number };
}
const report = async (name: string) => JSON.parse(await readFile(path.join(dir, `${name}.json`), 'utf8')) as Report;
const sqz = (name: string) => readFile(path.join(dir, `${name}.sqz`));

test('a collapsing run restarts at half the rate until it trains, and writes what a fresh run at that rate writes', async () => {
  const high = await runCli(args('high', 4));
  assert.equal(high.code, 0, high.stderr);
  const fresh = await runCli(args('fresh', 0.5));
  assert.equal(fresh.code, 0, fresh.stderr);
  const r = await report('high');
  assert.deepEqual(
    r.restarts.map((x) => x.lr),
    [2, 1, 0.5],
  );
  for (const x of r.restarts)
    assert.match(x.reason, /training collapsed .*the loss rose from 0\.\d+ to \d+\.\d+, the chance level 2\.\d+/);
  assert.equal(r.hyper.lr, 0.5);
  assert.ok(r.accuracy.runtime >= 0.6, `runtime accuracy ${r.accuracy.runtime}`);
  assert.deepEqual((await report('fresh')).restarts, []);
  assert.ok((await sqz('high')).equals(await sqz('fresh')), 'the restarted run and the fresh run at 0.5 differ');
});

test('killed after a restart, or after the restarted attempt checkpointed, --resume writes the same bytes', async () => {
  const reference = await sqz('fresh');
  // Step 12: inside the second attempt, whose start discarded the first attempt's checkpoints. Step 39: the
  // fourth attempt (lr 0.5) is in its second epoch, with its first epoch's checkpoint (restarts recorded) on disk.
  for (const step of [12, 4 * STEPS_PER_EPOCH + 3]) {
    const name = `killed-${step}`;
    const ckpt = ['--checkpoint', path.join(dir, `ckpt-${step}`)];
    const stopped = await runCli(args(name, 4, ckpt), { SQZ_FAULT: `kill:epoch-step:${step}` });
    assert.equal(stopped.signal, 'SIGKILL', `step ${step}: ${stopped.stderr}`);
    const resumed = await runCli(args(name, 4, [...ckpt, '--resume']));
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.ok((await sqz(name)).equals(reference), `killed at step ${step}: the resumed file differs`);
    assert.deepEqual(
      (await report(name)).restarts.map((x) => x.lr),
      [2, 1, 0.5],
    );
  }
});
