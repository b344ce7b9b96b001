// The web demo's drawing pad, driven like a user by playwright-core on the system Chromium (`executablePath`;
// playwright-core downloads no browser): draw a stroke with the mouse on the canvas, read the prediction and the
// 784 pixels the page fed the model (its <output id="result"> JSON), and run exactly those pixels through the Node
// runtime: outputs must be bit-identical. Keeps a screenshot at bench/results/web-demo-draw.png.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { exportModel } from '../../compiler/export/index.js';
import { importModel } from '../../compiler/import/index.js';
import { startStaticServer, type StaticServer } from '../../examples/web/serve.js';
import { SqzModel } from '../../runtime/index.js';
import { findChromium } from './chromium.js';
import { argmaxRows, bitDifference, hostRuntimes, loadOptions, REPO_ROOT, type HostRuntime } from './host_models.js';

const MOUNT = '/__sqz_draw__/';
// The committed screenshot is refreshed only on request (SQZ_UPDATE_SCREENSHOT=1): a test run leaves the tree as it was.
const SCREENSHOT_DIR = process.env.SQZ_UPDATE_SCREENSHOT === '1' ? join(REPO_ROOT, 'bench/results') : tmpdir();
const SCREENSHOT = join(SCREENSHOT_DIR, 'web-demo-draw.png');

const executablePath = findChromium();
if (executablePath === null && process.env.CI !== undefined) {
  throw new Error('browser draw test: no Chromium found (/usr/bin/chromium); scripts/system-deps.sh installs it in CI');
}
const skip =
  executablePath === null
    ? 'no Chromium installed: run `bash scripts/system-deps.sh` (Debian package chromium)'
    : false;

let dir = '';
let server: StaticServer | undefined;
let browser: Browser | undefined;
let demoModel: Uint8Array;
let demoRuntime: HostRuntime;

interface DemoResult {
  source: string;
  class: number;
  outputs: number[];
  input: number[];
}

before(async () => {
  if (skip !== false) return;
  dir = mkdtempSync(join(tmpdir(), 'sqz-draw-'));
  // The model examples/web/README.md tells a user to make: `sqz convert ... --weights q8`.
  demoModel = exportModel(await importModel(join(REPO_ROOT, 'examples/models/mnist-mlp/model.json')), {
    weights: 'q8',
  });
  writeFileSync(join(dir, 'mnist-mlp.sqz'), demoModel);
  // ... and the runtime tailored to it: `sqz runtime ... --exec any` (SIMD and scalar).
  demoRuntime = (await hostRuntimes([{ name: 'mnist-mlp', bytes: demoModel }]))[1]!;
  writeFileSync(join(dir, 'mnist-mlp.wasm'), demoRuntime.simd!);
  writeFileSync(join(dir, 'mnist-mlp-scalar.wasm'), demoRuntime.scalar!);
  server = await startStaticServer({ root: REPO_ROOT, mounts: { [MOUNT]: dir } });
  browser = await playwright.launch({
    executablePath: executablePath!,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** Drags the mouse through `points` (pad pixels, 280×280) with intermediate moves, as a hand would. */
async function stroke(page: Page, points: [number, number][]): Promise<void> {
  const box = (await page.locator('#pad').boundingBox())!;
  const at = ([x, y]: [number, number]): [number, number] => [box.x + x, box.y + y];
  await page.mouse.move(...at(points[0]!));
  await page.mouse.down();
  for (const point of points.slice(1)) await page.mouse.move(...at(point), { steps: 12 });
  await page.mouse.up();
}

async function lastResult(page: Page, previous: string): Promise<DemoResult> {
  await page.waitForFunction((before) => {
    const text = document.getElementById('result')?.textContent ?? '';
    return text !== '' && text !== before;
  }, previous);
  return JSON.parse((await page.locator('#result').textContent())!) as DemoResult;
}

test(
  'a stroke drawn on the demo canvas is classified like the Node runtime classifies the same pixels',
  { skip },
  async () => {
    const page = await browser!.newPage({ viewport: { width: 900, height: 760 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    for (const variant of ['simd', 'scalar'] as const) {
      await page.goto(
        `${server!.origin}/examples/web/index.html?model=${MOUNT}mnist-mlp.sqz&runtime=${MOUNT}mnist-mlp.wasm&variant=${variant}`,
      );
      await page.locator('#status', { hasText: 'Loaded' }).waitFor();
      // A "7": a bar across the top, then a diagonal down to the lower middle.
      await stroke(page, [
        [80, 70],
        [200, 70],
        [130, 220],
      ]);
      const result = await lastResult(page, '');
      assert.equal(result.source, 'drawing');
      assert.equal(result.input.length, 784);
      const ink = result.input.reduce((a, b) => a + b, 0);
      assert.ok(ink > 20 && ink < 400, `the page fed the model ${ink} units of ink`);
      const node = await SqzModel.load(demoModel, loadOptions(demoRuntime, variant === 'simd'));
      const expected = node.predict(Float32Array.from(result.input));
      node.dispose();
      const difference = bitDifference(Float32Array.from(result.outputs), expected);
      assert.equal(difference, null, `${variant}: Chromium differs from Node on the drawn pixels: ${difference}`);
      assert.equal(result.class, argmaxRows(expected, 10)[0]);
      assert.equal(await page.locator('#prediction').textContent(), String(result.class));
      assert.equal(result.class, 7, `the drawn 7 was read as ${result.class}`);
      if (variant === 'simd') {
        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        writeFileSync(SCREENSHOT, await page.screenshot({ fullPage: true }));
      }
    }
    assert.deepEqual(errors, []);
    await page.close();
  },
);
