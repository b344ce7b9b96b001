// Browser download size: sqz/runtime bundled as an app's build would (esbuild, minified ESM, platform browser) plus
// its .wasm, next to @tensorflow/tfjs-core + @tensorflow/tfjs-backend-wasm (plus its SIMD .wasm) measured the same
// way in the same run. Prints the table and writes the "bundle-size" section of BENCHMARKS.md.
//   node dist/bench/bundle_size.js [--no-write]

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineDescription, replaceSection } from './benchmarks_md.js';
import { bundleForBrowser, gzipSizes } from './browser_bundle.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(join(root, 'package.json'));

interface Row {
  what: string;
  bytes: number;
  gzipBytes: number;
}

function versionOf(name: string): string {
  return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
}

async function bundleRow(what: string, source: string): Promise<Row> {
  const { bytes, gzipBytes } = await bundleForBrowser(source, root);
  return { what, bytes, gzipBytes };
}

function fileRow(what: string, path: string): Row {
  return { what, ...gzipSizes(readFileSync(path)) };
}

const kb = (n: number): string => n.toLocaleString('en-US');

function table(rows: Row[]): string {
  const lines = ['| what | bytes | gzip -9 |', '| --- | ---: | ---: |'];
  for (const r of rows) lines.push(`| ${r.what} | ${kb(r.bytes)} | ${kb(r.gzipBytes)} |`);
  return lines.join('\n');
}

function total(what: string, rows: Row[]): Row {
  return { what, bytes: rows.reduce((s, r) => s + r.bytes, 0), gzipBytes: rows.reduce((s, r) => s + r.gzipBytes, 0) };
}

async function main(): Promise<void> {
  const tfjsWasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const sqzJs = await bundleRow("`sqz/runtime` bundle (`export * from 'sqz/runtime'`)", "export * from 'sqz/runtime';");
  const sqzWasm = fileRow('`build/sqz.wasm` (SIMD)', join(root, 'build/sqz.wasm'));
  const sqzScalar = fileRow(
    '`build/sqz-scalar.wasm` (fetched instead where SIMD is missing)',
    join(root, 'build/sqz-scalar.wasm'),
  );
  const sqzTfjs = await bundleRow(
    '`sqz/tfjs` bundle (the IOHandler; tfjs itself not included)',
    "export * from 'sqz/tfjs';",
  );
  const tfJs = await bundleRow(
    '`@tensorflow/tfjs-core` + `@tensorflow/tfjs-backend-wasm` bundle (`export *` of both)',
    "export * from '@tensorflow/tfjs-core'; export * from '@tensorflow/tfjs-backend-wasm';",
  );
  const tfWasm = fileRow('`tfjs-backend-wasm-simd.wasm`', join(tfjsWasmDir, 'tfjs-backend-wasm-simd.wasm'));
  const tfScalar = fileRow(
    '`tfjs-backend-wasm.wasm` (fetched instead where SIMD is missing)',
    join(tfjsWasmDir, 'tfjs-backend-wasm.wasm'),
  );
  const sqzTotal = total('**sqz: bundle + SIMD wasm**', [sqzJs, sqzWasm]);
  const tfTotal = total('**tfjs: bundle + SIMD wasm**', [tfJs, tfWasm]);

  const body = [
    '## Bundle size',
    '',
    `Recorded by \`node dist/bench/bundle_size.js\` on ${machineDescription()}, esbuild ${versionOf('esbuild')}, ` +
      `tfjs ${versionOf('@tensorflow/tfjs-core')}. Each entry is bundled as an app's build would: esbuild \`--bundle ` +
      '--minify --format=esm --platform=browser`, nothing written; gzip is node:zlib at level 9. The .wasm files are ' +
      'fetched next to the bundle at run time (sqz: one of its two; tfjs-backend-wasm: one of three, the ' +
      'threaded one only on cross-origin-isolated pages).',
    '',
    table([sqzJs, sqzWasm, sqzScalar, sqzTotal, tfJs, tfWasm, tfScalar, tfTotal, sqzTfjs]),
    '',
    `sqz needs ${(tfTotal.gzipBytes / sqzTotal.gzipBytes).toFixed(0)}× fewer gzipped bytes than tfjs-core with its wasm ` +
      'backend, before the model. The sqz/runtime bundle contains no tfjs, no protobufjs and no node: module ' +
      '(`test/package/runtime_bundle.test.ts` checks the metafile).',
  ].join('\n');
  console.log(body);
  if (!process.argv.includes('--no-write')) await replaceSection(join(root, 'BENCHMARKS.md'), 'bundle-size', body);
}

await main();
