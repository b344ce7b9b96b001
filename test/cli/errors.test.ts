// Bad arguments and bad files through the real CLI: each class of problem exits with its own code and prints one
// line (what is wrong, what to do) with no stack trace; --verbose and SQZ_DEBUG=1 print the stack. Damaged .sqz
// files are refused by both readers, `sqz inspect` (TS) and `sqz run` (wasm).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, copyFile, readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'node:test';
import { argumentCases, badSqzCases } from './error_cases.js';
import { assertOneLineError, CLI, convertMlp, ROOT, runCli, runCliInProcess, tempDir } from './helpers.js';

const dir = await tempDir('errors');
test.after(() => rm(dir, { recursive: true, force: true }));
const sqz = await convertMlp(dir);
// The tables are shared with bench/bad_input.ts, which records each case's line in BENCHMARKS.md.
for (const c of await argumentCases(dir, sqz)) {
  test(`${c.name}: exit ${c.code}, one line`, { timeout: 60_000 }, async () => {
    assertOneLineError(await runCli(c.args), c.code, c.message);
  });
}

// Damaged files only need reading: through the CLI's main() in this process, which is the same code minus the
// start-up (bench/bad_input.ts runs each as its own process).
for (const c of await badSqzCases(dir, sqz)) {
  test(`${c.name}: exit ${c.code}, one line`, async () => {
    assertOneLineError(await runCliInProcess(c.args), c.code, c.message);
  });
}

test(
  'unreadable file: exit 3',
  {
    skip: process.getuid?.() === 0 ? 'running as root, which can read a chmod 000 file' : false,
  },
  async () => {
    const locked = path.join(dir, 'locked.sqz');
    await copyFile(sqz, locked);
    await chmod(locked, 0o000);
    assertOneLineError(await runCli(['inspect', locked]), 3, /locked\.sqz: permission denied/);
  },
);

test('--verbose and SQZ_DEBUG=1 print the stack trace, with the same exit code', { timeout: 60_000 }, async () => {
  const missing = path.join(dir, 'nope.sqz');
  for (const r of [
    await runCli(['inspect', missing, '--verbose']),
    await runCli(['--verbose', 'inspect', missing]),
    await runCli(['inspect', missing], { SQZ_DEBUG: '1' }),
  ]) {
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
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7])
      assert.match(r.stdout, new RegExp(`\\n  ${code}  \\w`), `${command}: exit code ${code}`);
  }
  const top = await runCli(['--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /Exit codes:/);
  const none = await runCli([]);
  assert.equal(none.code, 2, 'no command is a usage error');
  assert.match(none.stderr, /Usage: sqz/);
});

test('a reader that closes the pipe early (sqz compress --help | head) ends the CLI quietly', async () => {
  const child = spawn(process.execPath, [CLI, 'compress', '--help'], { cwd: ROOT });
  child.stdout.destroy(); // the read end closes before the help is written: the write fails with EPIPE
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = (await once(child, 'close')) as [number | null];
  assert.equal(stderr, '');
  assert.equal(code, 0);
});

test('the README documents every exit code the CLI uses', async () => {
  const { EXIT_CODES } = await import('../../compiler/cli.js');
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  for (const code of [0, 1, ...EXIT_CODES.map((e) => e.code)])
    assert.match(readme, new RegExp(`^\\| ${code} \\| \\w`, 'm'), `code ${code}`);
  assert.equal(new Set(EXIT_CODES.map((e) => e.code)).size, EXIT_CODES.length, 'one code per class');
});
