// The non-JS host: the scalar runtime translated to C by wasm2c and compiled with examples/embedded/sqz_host.c, for
// the general build (build/sqz-scalar.wasm) and the runtime tailored to the two models (`sqz runtime --scalar`).
// Real MNIST digits through two real models must give bit-identical outputs in the C binary and in the JS host
// (SqzModel on the same scalar module, run by V8), in every exec mode and batch size; bad files and inputs must
// give the runtime's message and a nonzero exit, never a crash.

import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SqzModel, SqzError } from '../../runtime/index.js';
import {
  argmaxRows,
  bitDifference,
  buildHostModels,
  HOST_RUNTIME_NAMES,
  hostRuntimes,
  loadDigits,
  loadOptions,
  REPO_ROOT,
  type Digits,
  type HostModel,
  type HostRuntime,
} from './host_models.js';

const DIGITS = 20;
const EXEC_MODES = ['auto', 'dense', 'compressed'] as const;

/** Why the C host cannot be built here, or null. In CI the tools are installed, so a skip there is a failure. */
function missingTools(): string | null {
  for (const [tool, args] of [
    ['wasm2c', ['--version']],
    ['gcc', ['--version']],
  ] as const) {
    const probe = spawnSync(tool, args, { encoding: 'utf8' });
    if (probe.error !== undefined) {
      return `${tool} is not installed (run \`bash scripts/system-deps.sh\`, which installs wabt and gcc)`;
    }
  }
  return null;
}

const missing = missingTools();
if (missing !== null && process.env.CI !== undefined) {
  throw new Error(`embedded host test: ${missing}; CI must install it`);
}
const skip = missing ?? false;

let dir = '';
/** The C host built from each runtime, by runtime name. */
const hosts = new Map<string, string>();
let runtimes: HostRuntime[] = [];
let models: HostModel[] = [];
let digits: Digits;

function runHost(args: string[], runtime = 'general'): SpawnSyncReturns<string> {
  const host = hosts.get(runtime)!;
  const result = spawnSync(host, args, { encoding: 'utf8', timeout: 60_000 });
  if (result.error !== undefined) throw new Error(`could not run ${host}: ${result.error.message}`);
  return result;
}

/** Runs the C host on `model` and returns its raw outputs (and stdout), failing with its stderr if it fails. */
function runC(
  runtime: string,
  model: HostModel,
  exec: string,
  batch: number,
  extra: string[] = [],
): { outputs: Float32Array; stdout: string } {
  const modelPath = join(dir, `${model.name}.sqz`);
  const outPath = join(dir, `${runtime}-${model.name}-${exec}-${batch}.out.f32`);
  const result = runHost(
    [modelPath, join(dir, 'digits.f32'), '--exec', exec, '--batch', String(batch), '--out', outPath, ...extra],
    runtime,
  );
  assert.equal(
    result.status,
    0,
    `sqz_host ${model.name} --exec ${exec} --batch ${batch} failed (${result.signal ?? result.status}): ${result.stderr}`,
  );
  const raw = readFileSync(outPath);
  return {
    outputs: new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)),
    stdout: result.stdout,
  };
}

before(async () => {
  if (skip !== false) return;
  dir = mkdtempSync(join(tmpdir(), 'sqz-embedded-'));
  models = await buildHostModels();
  runtimes = await hostRuntimes(models);
  for (const model of models) writeFileSync(join(dir, `${model.name}.sqz`), model.bytes);
  for (const runtime of runtimes) {
    // The general scalar runtime, or (given the models) the one build.sh has `sqz runtime` tailor to them.
    const out = join(dir, runtime.name);
    const tailor = runtime.scalar === undefined ? [] : models.map((m) => join(dir, `${m.name}.sqz`));
    const build = spawnSync('bash', [join(REPO_ROOT, 'examples/embedded/build.sh'), out, ...tailor], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.equal(
      build.status,
      0,
      `examples/embedded/build.sh (${runtime.name}) failed:\n${build.stderr}${build.stdout}`,
    );
    hosts.set(runtime.name, join(out, 'sqz_host'));
    if (runtime.scalar !== undefined) {
      const built = new Uint8Array(readFileSync(join(out, 'runtime.wasm')));
      assert.deepEqual(built, runtime.scalar, "build.sh's runtime is the one sqz runtime --scalar --exec any builds");
    }
  }
  digits = await loadDigits(DIGITS);
  writeFileSync(
    join(dir, 'digits.f32'),
    new Uint8Array(digits.images.buffer, digits.images.byteOffset, digits.images.byteLength),
  );
});

after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

for (const runtimeName of HOST_RUNTIME_NAMES) {
  test(
    `[${runtimeName} runtime] the C host gives bit-identical outputs to the JS host on 20 real digits (each exec mode, batch 1 and 20)`,
    { skip },
    async () => {
      const runtime = runtimes.find((r) => r.name === runtimeName)!;
      for (const model of models) {
        for (const exec of EXEC_MODES) {
          const js = await SqzModel.load(model.bytes, { ...loadOptions(runtime, false), exec });
          assert.equal(js.info.variant, runtime.scalar === undefined ? 'scalar' : 'custom');
          const perSample = js.info.outputs[0].shape.reduce((a, b) => a * b, 1);
          const one = new Float32Array(DIGITS * perSample);
          for (let s = 0; s < DIGITS; s++)
            one.set(js.predict(digits.images.subarray(s * 784, (s + 1) * 784)), s * perSample);
          const whole = js.predict(digits.images, DIGITS);
          js.dispose();
          for (const [batch, expected] of [
            [1, one],
            [DIGITS, whole],
          ] as const) {
            const { outputs, stdout } = runC(runtimeName, model, exec, batch);
            const difference = bitDifference(outputs, expected);
            assert.equal(
              difference,
              null,
              `${runtimeName}: ${model.name} exec ${exec} batch ${batch}: C differs from JS: ${difference}`,
            );
            // The printed text (%.9g) round-trips each f32 exactly.
            const printed = Float32Array.from(stdout.trim().split(/\s+/), Number);
            assert.equal(
              bitDifference(printed, expected),
              null,
              `${model.name} exec ${exec} batch ${batch}: printed outputs`,
            );
          }
        }
      }
    },
  );

  test(
    `[${runtimeName} runtime] the pruned MLP classifies real digits from the compressed form in C; --argmax prints the JS classes`,
    { skip },
    async () => {
      const runtime = runtimes.find((r) => r.name === runtimeName)!;
      const mlp = models.find((m) => m.name === 'mlp-sparse-q8')!;
      const js = await SqzModel.load(mlp.bytes, { ...loadOptions(runtime, false), exec: 'compressed' });
      assert.ok(
        js.info.tensors.every((t) => t.shape.length === 1 || t.exec === 'compressed'),
        'kernels should run compressed',
      );
      const expected = argmaxRows(js.predict(digits.images, DIGITS), 10);
      js.dispose();
      const result = runHost(
        [join(dir, `${mlp.name}.sqz`), join(dir, 'digits.f32'), '--exec', 'compressed', '--argmax', '--info'],
        runtimeName,
      );
      assert.equal(result.status, 0, result.stderr);
      const lines = result.stdout.trim().split('\n');
      assert.deepEqual(
        lines.map((line) => Number(line.split(' ')[0])),
        [...Array(DIGITS).keys()],
      );
      const classes = lines.map((line) => Number(line.split(' ')[1]));
      assert.deepEqual(classes, expected);
      // Independent of both hosts: the labels. The dense MLP scores 0.92; 70 % magnitude pruning without fine-tuning
      // costs a few points (17/20 on these digits).
      const correct = classes.filter((c, i) => c === digits.labels[i]).length;
      assert.ok(correct >= 15, `only ${correct}/${DIGITS} digits right`);
      assert.match(result.stderr, /file \d+ B, arena \d+ B, heap \d+ B, linear memory \d+ B/);
    },
  );

  test(
    `[${runtimeName} runtime] corrupt, truncated and foreign files give the runtime message and exit 2, as in the JS host`,
    { skip },
    async () => {
      const runtime = runtimes.find((r) => r.name === runtimeName)!;
      const good = models[0].bytes;
      const flipped = good.slice();
      flipped[good.length - 3] ^= 0x40; // payload byte: the CRC-32 catches it
      const cases: [string, Uint8Array][] = [
        ['corrupt', flipped],
        ['truncated', good.slice(0, good.length - 100)],
        ['header-only', good.slice(0, 10)],
        ['foreign', new TextEncoder().encode('{"modelTopology": {}} is JSON, not a .sqz file')],
        ['empty', new Uint8Array(0)],
      ];
      for (const [name, bytes] of cases) {
        const path = join(dir, `${name}.sqz`);
        writeFileSync(path, bytes);
        const outPath = join(dir, `${runtimeName}-${name}.out.f32`);
        writeFileSync(outPath, 'an earlier result');
        const result = runHost([path, join(dir, 'digits.f32'), '--out', outPath], runtimeName);
        assert.equal(result.signal, null, `${name}: the host crashed with ${result.signal}`);
        assert.equal(result.status, 2, `${name}: exit ${result.status}, stderr ${result.stderr}`);
        assert.equal(result.stdout, '', `${name}: printed outputs`);
        assert.equal(readFileSync(outPath, 'utf8'), 'an earlier result', `${name}: touched the existing output file`);
        assert.equal(existsSync(`${outPath}.part`), false, `${name}: left a partial output file`);
        const jsError = await SqzModel.load(bytes, loadOptions(runtime, false)).then(
          () => null,
          (error: unknown) => error,
        );
        assert.ok(jsError instanceof SqzError, `${name}: the JS host accepted the file`);
        // C: "sqz_host: load failed: sqz <code-name>[ at byte N]: <message>"; JS: "sqz <code-name>[ at byte N]: <message> (hint)".
        const line = result.stderr.trim();
        const cPart = line.replace(/^sqz_host: load failed: /, '');
        assert.notEqual(cPart, line, `${name}: unexpected stderr ${line}`);
        assert.ok(jsError.message.startsWith(cPart), `${name}: C says '${cPart}', JS says '${jsError.message}'`);
      }
    },
  );
}

test('bad inputs and a memory cap give clear errors and a nonzero exit', { skip }, () => {
  const modelPath = join(dir, `${models[1].name}.sqz`);
  const mlpPath = join(dir, `${models[0].name}.sqz`);
  const odd = join(dir, 'odd.f32');
  writeFileSync(odd, new Uint8Array(784 * 4 + 4));
  const checks: [string[], number, RegExp][] = [
    [[modelPath, odd], 1, /holds 785 floats, not a positive multiple of the model's 784 per sample/],
    [[modelPath, join(dir, 'missing.f32')], 1, /cannot open .*missing\.f32/],
    [[modelPath], 1, /need a model file and an input file/],
    [[modelPath, odd, '--exec', 'fast'], 1, /--exec takes auto, dense or compressed/],
    // Dense exec decodes the MLP's 784×64 kernel to 200 KB of f32: under a 128 KB cap the runtime reports it.
    [
      [mlpPath, join(dir, 'digits.f32'), '--exec', 'dense', '--max-memory-kb', '128'],
      2,
      /load failed: sqz out-of-memory/,
    ],
    [[mlpPath, join(dir, 'digits.f32'), '--exec', 'compressed', '--max-memory-kb', '128'], 0, /^$/],
  ];
  for (const [args, status, message] of checks) {
    const result = runHost(args);
    assert.equal(result.signal, null, `${args.join(' ')}: crashed`);
    assert.equal(result.status, status, `${args.join(' ')}: exit ${result.status}, stderr ${result.stderr}`);
    assert.match(result.stderr, message);
  }
});
