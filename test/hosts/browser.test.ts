// The runtime in a real browser: headless Chromium loads the compiled ESM runtime (dist/runtime/index.js) and a
// .sqz by URL from a node:http static server on 127.0.0.1, runs real MNIST digits with the SIMD and the scalar
// build (the general ones, and the ones tailored to the models by `sqz runtime`), and must give outputs
// bit-identical to Node's runtime on the same module and inputs. The web demo
// (examples/web/) must classify a bundled digit like Node does and explain a missing model.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { exportModel } from '../../compiler/export/index.js';
import { importModel } from '../../compiler/import/index.js';
import { startStaticServer, type StaticServer } from '../../examples/web/serve.js';
import { SqzError, SqzModel } from '../../runtime/index.js';
import { findChromium, runPage } from './chromium.js';
import {
  argmaxRows,
  bitDifference,
  buildHostModels,
  HOST_RUNTIME_NAMES,
  hostRuntimes,
  loadDigits,
  loadOptions,
  REPO_ROOT,
  type HostModel,
  type HostRuntime,
} from './host_models.js';

const DIGITS = 5;
const MOUNT = '/__sqz_test__/';

const chromium = findChromium();
if (chromium === null && process.env.CI !== undefined) {
  throw new Error('browser test: no Chromium found (/usr/bin/chromium); scripts/system-deps.sh installs it in CI');
}
const skip =
  chromium === null
    ? `no Chromium ${process.env.SQZ_CHROMIUM ? `at SQZ_CHROMIUM=${process.env.SQZ_CHROMIUM}` : 'installed'}: run \`bash scripts/system-deps.sh\` (Debian package chromium)`
    : false;

let dir = '';
let server: StaticServer | undefined;
let models: HostModel[] = [];
let runtimes: HostRuntime[] = [];
let demoModel: Uint8Array;
/** The runtime tailored to the demo model (`sqz runtime --exec any`), SIMD and scalar. */
let demoRuntime: HostRuntime;
let digits: Float32Array;
const reports = new Map<string, (body: string) => void>();

/** A promise of the next POST to MOUNT + 'report/' + id, and the URL path to give the page. */
function expectReport(id: string): { path: string; body: Promise<string> } {
  const body = new Promise<string>((done) => reports.set(`${MOUNT}report/${id}`, done));
  return { path: `${MOUNT}report/${id}`, body };
}

async function openPage(page: string, query: URLSearchParams, id: string): Promise<Record<string, unknown>> {
  const report = expectReport(id);
  query.set('report', report.path);
  const json = await runPage(chromium!, `${server!.origin}${page}?${query}`, report.body);
  const result = JSON.parse(json) as Record<string, unknown>;
  return result;
}

before(async () => {
  if (skip !== false) return;
  dir = mkdtempSync(join(tmpdir(), 'sqz-browser-'));
  models = await buildHostModels();
  runtimes = await hostRuntimes(models);
  for (const model of models) writeFileSync(join(dir, `${model.name}.sqz`), model.bytes);
  for (const runtime of runtimes) {
    if (runtime.simd !== undefined) writeFileSync(join(dir, `${runtime.name}-simd.wasm`), runtime.simd);
    if (runtime.scalar !== undefined) writeFileSync(join(dir, `${runtime.name}-scalar.wasm`), runtime.scalar);
  }
  // What examples/web/README.md tells a user to make: `sqz convert ... --weights q8`.
  demoModel = exportModel(await importModel(join(REPO_ROOT, 'examples/models/mnist-mlp/model.json')), {
    weights: 'q8',
  });
  writeFileSync(join(dir, 'mnist-mlp.sqz'), demoModel);
  demoRuntime = (await hostRuntimes([{ name: 'mnist-mlp', bytes: demoModel }]))[1]!;
  writeFileSync(join(dir, 'mnist-mlp.wasm'), demoRuntime.simd!);
  writeFileSync(join(dir, 'mnist-mlp-scalar.wasm'), demoRuntime.scalar!);
  const corrupt = models[0].bytes.slice();
  corrupt[corrupt.length - 5] ^= 0x01;
  writeFileSync(join(dir, 'corrupt.sqz'), corrupt);
  digits = (await loadDigits(DIGITS)).images;
  writeFileSync(join(dir, 'digits.f32'), new Uint8Array(digits.buffer, digits.byteOffset, digits.byteLength));
  server = await startStaticServer({
    root: REPO_ROOT,
    mounts: { [MOUNT]: dir },
    onPost: (path, body) => {
      const deliver = reports.get(path);
      reports.delete(path);
      deliver?.(body);
      return deliver !== undefined;
    },
  });
});

after(async () => {
  await server?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test('static server: MIME types for modules and wasm, 404, no escape from the served folder', { skip }, async () => {
  const get = (path: string) => fetch(`${server!.origin}${path}`);
  const wasm = await get('/build/sqz.wasm');
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  const moduleFile = await get('/dist/runtime/index.js');
  assert.match(moduleFile.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.equal((await get(`${MOUNT}mnist-mlp.sqz`)).status, 200);
  assert.equal((await get('/no/such/file.js')).status, 404);
  assert.equal((await get('/..%2F..%2Fetc%2Fpasswd')).status, 403);
});

for (const runtimeName of HOST_RUNTIME_NAMES)
  test(
    `[${runtimeName} runtime] Chromium runs the SIMD and scalar builds bit-identically to Node on real digits; corrupt file errors match`,
    { skip },
    async () => {
      const runtime = runtimes.find((r) => r.name === runtimeName)!;
      const query = new URLSearchParams({
        inputs: `${MOUNT}digits.f32`,
        count: String(DIGITS),
        corrupt: `${MOUNT}corrupt.sqz`,
      });
      if (runtime.simd !== undefined) query.set('runtimeSimd', `${MOUNT}${runtime.name}-simd.wasm`);
      if (runtime.scalar !== undefined) query.set('runtimeScalar', `${MOUNT}${runtime.name}-scalar.wasm`);
      for (const model of models) query.append('model', `${MOUNT}${model.name}.sqz`);
      const result = await openPage('/test/hosts/browser_page.html', query, `runtime-${runtimeName}`);
      assert.equal(result.error, undefined, `the page failed: ${String(result.error)}`);
      assert.equal(result.nodeGlobals, false, 'the page sees a `process` global: not a plain browser');
      assert.equal(result.simdSupported, true, `Chromium should support wasm SIMD (${String(result.userAgent)})`);
      const runs = result.runs as { model: string; variant: string; single: number[]; batched: number[] }[];
      assert.equal(runs.length, models.length * 2);
      for (const run of runs) {
        const model = models.find((m) => run.model === `${MOUNT}${m.name}.sqz`)!;
        const simd = runs.indexOf(run) % 2 === 0; // the page runs SIMD, then scalar, per model
        const node = await SqzModel.load(model.bytes, loadOptions(runtime, simd));
        assert.equal(node.info.variant, run.variant);
        const perSample = 784;
        const single = new Float32Array(run.single.length);
        for (let s = 0; s < DIGITS; s++)
          single.set(node.predict(digits.subarray(s * perSample, (s + 1) * perSample)), s * 10);
        const batched = node.predict(digits, DIGITS);
        node.dispose();
        for (const [what, browser, expected] of [
          ['one by one', run.single, single],
          ['batch', run.batched, batched],
        ] as const) {
          const difference = bitDifference(Float32Array.from(browser), expected);
          assert.equal(
            difference,
            null,
            `${model.name} ${run.variant} ${what}: Chromium differs from Node: ${difference}`,
          );
        }
      }
      const nodeError = await SqzModel.load(join(dir, 'corrupt.sqz'), loadOptions(runtime, false)).then(
        () => null,
        (error: unknown) => error,
      );
      assert.ok(nodeError instanceof SqzError);
      assert.deepEqual(result.corrupt, {
        name: nodeError.name,
        code: nodeError.code,
        offset: nodeError.offset,
        message: nodeError.message,
      });
    },
  );

test(
  'the web demo classifies a bundled digit like Node does, in both builds of the runtime tailored to its model',
  { skip },
  async () => {
    const bundled = (await import(pathToFileURL(join(REPO_ROOT, 'examples/web/digits.js')).href)) as {
      DIGITS: { label: number }[];
      digitPixels(digit: { label: number }): Float32Array;
    };
    assert.equal(bundled.DIGITS.length, 10);
    for (const [digit, variant] of [
      [3, 'simd'],
      [7, 'scalar'],
    ] as const) {
      const query = new URLSearchParams({
        model: `${MOUNT}mnist-mlp.sqz`,
        runtime: `${MOUNT}mnist-mlp.wasm`,
        digit: String(digit),
        variant,
      });
      const result = await openPage('/examples/web/index.html', query, `demo-${digit}`);
      assert.equal(result.error, undefined, `the demo failed: ${String(result.error)}`);
      assert.equal(result.variant, variant);
      assert.match(String(result.runtime), variant === 'simd' ? /mnist-mlp\.wasm$/ : /mnist-mlp-scalar\.wasm$/);
      assert.equal(result.fileBytes, demoModel.length);
      const node = await SqzModel.load(demoModel, loadOptions(demoRuntime, variant === 'simd'));
      const expected = node.predict(bundled.digitPixels(bundled.DIGITS[digit]));
      node.dispose();
      const difference = bitDifference(Float32Array.from(result.outputs as number[]), expected);
      assert.equal(difference, null, `demo digit ${digit} (${variant}): Chromium differs from Node: ${difference}`);
      assert.equal(result.class, argmaxRows(expected, 10)[0]);
      assert.equal(result.class, digit, 'the trained MLP should recognise the bundled digit');
      assert.ok(typeof result.predictMicros === 'number' && result.predictMicros > 0);
    }
  },
);

test('the web demo explains a missing model or runtime instead of failing silently', { skip }, async () => {
  const query = new URLSearchParams({
    model: `${MOUNT}missing/mnist-mlp.sqz`,
    runtime: `${MOUNT}mnist-mlp.wasm`,
    digit: '1',
  });
  const result = await openPage('/examples/web/index.html', query, 'demo-missing');
  assert.match(String(result.error), /HTTP 404/);
  assert.match(String(result.error), /sqz convert|cli\.js convert/);
  const noRuntime = new URLSearchParams({
    model: `${MOUNT}mnist-mlp.sqz`,
    runtime: `${MOUNT}missing/mnist-mlp.wasm`,
    digit: '1',
  });
  const missing = await openPage('/examples/web/index.html', noRuntime, 'demo-missing-runtime');
  assert.match(String(missing.error), /could not fetch the runtime .*HTTP 404/);
  assert.match(String(missing.error), /cli\.js runtime examples\/web\/mnist-mlp\.sqz/);
});
