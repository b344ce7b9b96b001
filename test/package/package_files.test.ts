// What `npm pack` ships: every `exports` target (code and `types`), the two runtime modules, and the AssemblyScript
// sources `sqz runtime` compiles (assembly/, formats/constants.ts, asconfig.json); no tests, benchmarks, examples'
// code or source maps.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../hosts/host_models.js';

type ExportTarget = string | { types: string; default: string };

test('npm pack ships the exports targets with their types, and nothing the package does not use', () => {
  // --ignore-scripts: `prepare` would rebuild everything; the test runs on the build that is there.
  const pack = spawnSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  assert.equal(pack.status, 0, `npm pack failed: ${pack.stderr}`);
  const files = new Set((JSON.parse(pack.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, ExportTarget>;
    bin: Record<string, string>;
  };
  for (const [entry, target] of Object.entries(pkg.exports)) {
    const paths = typeof target === 'string' ? [target] : [target.types, target.default];
    if (typeof target !== 'string' && target.default.endsWith('.js')) {
      assert.ok(target.types.endsWith('.d.ts'), `exports["${entry}"] has no .d.ts types`);
    }
    for (const path of paths)
      assert.ok(files.has(path.replace(/^\.\//, '')), `exports["${entry}"] → ${path} is not packed`);
  }
  for (const bin of Object.values(pkg.bin)) assert.ok(files.has(bin), `bin ${bin} is not packed`);
  for (const source of ['assembly/index.ts', 'assembly/kernels/index.ts', 'formats/constants.ts', 'asconfig.json']) {
    assert.ok(files.has(source), `${source} is not packed: sqz runtime compiles it`);
  }
  const runtimeSources = /^(assembly\/.*\.ts|formats\/constants\.ts)$/;
  const unwanted = [...files].filter(
    (f) =>
      !runtimeSources.test(f) &&
      /^(dist\/(test|bench|examples)\/|assembly\/|test\/|bench\/|scripts\/)|\.map$|\.ts$(?<!\.d\.ts)/.test(f),
  );
  assert.deepEqual(unwanted, []);
});
