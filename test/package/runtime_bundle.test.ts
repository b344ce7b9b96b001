// sqz/runtime is the browser-safe entry: bundled for the browser by esbuild it must build (a node: import would
// fail to resolve) and its inputs must hold no tfjs, no protobufjs and no node: import. The formats entry, which
// does use protobufjs, shows the check would notice.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundleForBrowser } from '../../bench/browser_bundle.js';
import { REPO_ROOT } from '../hosts/host_models.js';

const FORBIDDEN = [/@tensorflow\//, /protobufjs/];

function offenders(paths: string[]): string[] {
  return paths.filter((p) => FORBIDDEN.some((re) => re.test(p)) || p.startsWith('node:'));
}

test('the browser bundle of runtime/index has no tfjs, protobufjs or node: inputs and imports', async () => {
  const bundle = await bundleForBrowser("export * from './dist/runtime/index.js';", REPO_ROOT);
  assert.ok(
    bundle.inputs.some((p) => p.endsWith('dist/runtime/model.js')),
    `the bundle missed the runtime: ${bundle.inputs.join(', ')}`,
  );
  assert.deepEqual(offenders(bundle.inputs), [], 'inputs that must not be in the browser runtime');
  assert.deepEqual(offenders(bundle.importPaths), [], 'imports that must not be in the browser runtime');
  assert.ok(bundle.bytes < 40_000, `the runtime bundle grew to ${bundle.bytes} bytes`);
});

test('the package specifier sqz/runtime resolves through exports to the same browser-safe code', async () => {
  const bundle = await bundleForBrowser("export { SqzModel } from 'sqz/runtime';", REPO_ROOT);
  assert.ok(bundle.inputs.some((p) => p.endsWith('dist/runtime/model.js')));
  assert.deepEqual(offenders([...bundle.inputs, ...bundle.importPaths]), []);
});

test('the check sees protobufjs where it is used (sqz/formats)', async () => {
  const bundle = await bundleForBrowser("export { readSqz } from 'sqz/formats';", REPO_ROOT);
  assert.ok(
    offenders(bundle.inputs).some((p) => /protobufjs/.test(p)),
    `no protobufjs input in ${bundle.inputs.join(', ')}`,
  );
});
