// The interpreter host: wabt's wasm-interp runs the unchanged scalar runtime code (the general build and the one
// tailored to the host models) through the driver module of examples/embedded/interp_driver.ts (file and digits in
// data segments, no-argument exports). Real MNIST digits through the two host models must give outputs
// bit-identical to the JS host on the same module, in every exec mode; a corrupt file must fail in load with the JS
// host's error code.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EXEC_MODES, runWithWasmInterp } from '../../examples/embedded/wasm_interp.js';
import { SqzError, SqzModel } from '../../runtime/index.js';
import {
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

const DIGITS = 5;

function missingTools(): string | null {
  for (const tool of ['wasm-interp', 'wasm2wat', 'wat2wasm']) {
    if (spawnSync(tool, ['--version']).error !== undefined)
      return `${tool} is not installed (bash scripts/system-deps.sh installs wabt)`;
  }
  return null;
}

const missing = missingTools();
if (missing !== null && process.env.CI !== undefined)
  throw new Error(`wasm-interp host test: ${missing}; CI must install it`);
const skip = missing ?? false;

let models: HostModel[] = [];
let runtimes: HostRuntime[] = [];
let digits: Digits;
let inputBytes: Uint8Array;
let dir = '';

before(async () => {
  if (skip !== false) return;
  models = await buildHostModels();
  runtimes = await hostRuntimes(models);
  digits = await loadDigits(DIGITS);
  inputBytes = new Uint8Array(digits.images.buffer, digits.images.byteOffset, digits.images.byteLength);
  dir = mkdtempSync(join(tmpdir(), 'sqz-interp-test-'));
  for (const runtime of runtimes)
    if (runtime.scalar !== undefined) writeFileSync(join(dir, `${runtime.name}-scalar.wasm`), runtime.scalar);
});

after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

for (const runtimeName of HOST_RUNTIME_NAMES) {
  test(
    `[${runtimeName} runtime] wasm-interp gives outputs bit-identical to the JS host on real digits, in every exec mode`,
    { skip },
    async () => {
      const runtime = runtimes.find((r) => r.name === runtimeName)!;
      const module = runtime.scalar === undefined ? undefined : join(dir, `${runtime.name}-scalar.wasm`);
      for (const model of models) {
        for (const exec of Object.keys(EXEC_MODES) as (keyof typeof EXEC_MODES)[]) {
          const js = await SqzModel.load(model.bytes, { ...loadOptions(runtime, false), exec });
          const expected = Array.from({ length: DIGITS }, (_, s) =>
            js.predict(digits.images.subarray(s * 784, (s + 1) * 784)),
          );
          js.dispose();
          const run = runWithWasmInterp(model.bytes, inputBytes, exec, module);
          assert.equal(run.trap, undefined, `${model.name} ${exec}: trapped`);
          assert.equal(run.loadError, 0, `${model.name} ${exec}: load failed`);
          assert.deepEqual(run.runErrors, Array(DIGITS).fill(0));
          assert.equal(run.outputs.length, DIGITS);
          for (let s = 0; s < DIGITS; s++) {
            const difference = bitDifference(run.outputs[s]!, expected[s]!);
            assert.equal(
              difference,
              null,
              `${runtimeName}: ${model.name} ${exec} digit ${s}: wasm-interp differs from JS: ${difference}`,
            );
          }
        }
      }
    },
  );
}

test("a corrupt file fails in load with the JS host's code; the CLI exits 2 and names it", { skip }, async () => {
  const corrupt = models[0]!.bytes.slice();
  corrupt[corrupt.length - 3] ^= 0x40;
  const jsError = await SqzModel.load(corrupt, { simd: false }).then(
    () => null,
    (error: unknown) => error,
  );
  assert.ok(jsError instanceof SqzError);
  const run = runWithWasmInterp(corrupt, inputBytes.subarray(0, 784 * 4), 'auto');
  assert.equal(run.loadError, jsError.code);
  const path = join(dir, 'corrupt.sqz');
  writeFileSync(path, corrupt);
  writeFileSync(join(dir, 'digit.f32'), inputBytes.subarray(0, 784 * 4));
  const cli = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'dist/examples/embedded/wasm_interp.js'), path, join(dir, 'digit.f32')],
    { encoding: 'utf8' },
  );
  assert.equal(cli.status, 2, cli.stderr);
  assert.match(cli.stderr, /load failed: sqz checksum-mismatch/);
});
