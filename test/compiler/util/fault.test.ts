// The fault-injection hook (compiler/util/fault.ts) and the atomic writer's helpers around it: a malformed
// SQZ_FAULT is refused, never mistaken for "no fault"; write errors become messages that say what to do; a killed
// writer's temporary files are removed once it is gone, and only then.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../../compiler/errors.js';
import { removeStaleTemps } from '../../../compiler/util/atomic_write.js';
import { FAULT_POINTS, parseFaultSpec } from '../../../compiler/util/fault.js';
import { describeWriteError } from '../../../compiler/util/write_output.js';
import { assertOneLineError, MLP_MODEL, runCli } from '../../cli/helpers.js';

test('SQZ_FAULT: unset or empty is no fault; valid specs parse', () => {
  assert.equal(parseFaultSpec(undefined), undefined);
  assert.equal(parseFaultSpec(''), undefined);
  assert.deepEqual(parseFaultSpec('kill:epoch-step:26'), { action: 'kill', point: 'epoch-step', occurrence: 26 });
  assert.deepEqual(parseFaultSpec('enospc:checkpoint-partial:2'), {
    action: 'enospc',
    point: 'checkpoint-partial',
    occurrence: 2,
  });
  for (const point of FAULT_POINTS) assert.equal(parseFaultSpec(`kill:${point}:1`)?.point, point);
  for (const action of ['crash', 'oom'])
    assert.deepEqual(parseFaultSpec(`${action}:worker-step:3`), { action, point: 'worker-step', occurrence: 3 });
  assert.deepEqual(parseFaultSpec('diverge:epoch-step:4'), { action: 'diverge', point: 'epoch-step', occurrence: 4 });
});

test('SQZ_FAULT: anything malformed is a UsageError that quotes it', () => {
  for (const text of [
    'kill',
    'kill:epoch-step',
    'kill:bogus:1',
    'kil:epoch-step:1',
    'kill:epoch-step:0',
    'kill:epoch-step:-1',
    'kill:epoch-step:1.5',
    'kill:epoch-step:01',
    'kill:epoch-step:1:2',
    ' kill:epoch-step:1',
    'KILL:epoch-step:1',
    'enospc:epoch-step:1',
    'enospc:export-renamed:1',
    'crash:epoch-step:1',
    'oom:checkpoint-partial:1',
    'diverge:worker-step:1',
    'diverge:export-temp:1',
  ]) {
    assert.throws(
      () => parseFaultSpec(text),
      (err: unknown) => err instanceof UsageError && err.message.startsWith(`SQZ_FAULT='${text}' `),
      text,
    );
  }
});

test('SQZ_FAULT: the CLI refuses a malformed spec before doing anything', { timeout: 60_000 }, async () => {
  const out = path.join(tmpdir(), `sqz-fault-${process.pid}.sqz`);
  const r = await runCli(['compress', MLP_MODEL, '--data', 'mnist', '--ratio', '10', '-o', out, '--quiet'], {
    SQZ_FAULT: 'kill:export:1',
  });
  assertOneLineError(
    r,
    2,
    /SQZ_FAULT='kill:export:1' names an unknown point 'export'.*unset SQZ_FAULT for a normal run/,
  );
});

test('write errors say why and what to do', () => {
  const err = (code: string) => Object.assign(new Error(code), { code });
  const options = { option: '--checkpoint', then: ' and rerun with --resume' };
  assert.equal(
    describeWriteError(err('ENOSPC'), 'f', options),
    'no space left on the device; free some space and rerun with --resume, or choose another folder with --checkpoint',
  );
  assert.equal(
    describeWriteError(err('EDQUOT'), 'f', { option: '-o' }),
    'disk quota exceeded; free some space, or choose another folder with -o',
  );
  assert.equal(
    describeWriteError(err('EROFS'), 'f', options),
    'read-only file system; choose another folder with --checkpoint',
  );
  assert.equal(
    describeWriteError(err('EACCES'), 'f', { option: '--report' }),
    'permission denied; choose another folder with --report',
  );
  assert.equal(describeWriteError(err('ENOENT'), '/no/such/f', {}), 'folder /no/such does not exist');
  assert.equal(describeWriteError(err('EIO'), 'f', options), 'EIO');
});

test('removeStaleTemps removes the temporary files of writers that are gone, of the named targets only', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sqz-stale-'));
  try {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!; // has exited
    const names = [
      `a.ckpt.tmp-${gone}`,
      `a.ckpt.tmp-${process.pid}`,
      `a.ckpt.tmp-1`,
      `other.tmp-${gone}`,
      'a.ckpt',
      `a.ckpt.tmp-x${gone}`,
    ];
    for (const name of names) await writeFile(path.join(dir, name), 'x');
    const removed = await removeStaleTemps(dir, (name) => name === 'a.ckpt');
    // Pid 1 (init) runs; this process's own leftovers predate any write it is about to make.
    assert.deepEqual(
      removed.map((p) => path.basename(p)).sort(),
      [`a.ckpt.tmp-${gone}`, `a.ckpt.tmp-${process.pid}`].sort(),
    );
    assert.deepEqual(
      (await readdir(dir)).sort(),
      ['a.ckpt', `a.ckpt.tmp-1`, `a.ckpt.tmp-x${gone}`, `other.tmp-${gone}`].sort(),
    );
    assert.deepEqual(await removeStaleTemps(path.join(dir, 'missing'), () => true), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
