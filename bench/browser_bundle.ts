// Bundles an ES module for the browser the way an app's build would (esbuild: bundle, minify, ESM, platform
// browser) and measures it. Used by bench/bundle_size.ts and by test/package/runtime_bundle.test.ts, which checks
// from the metafile that sqz/runtime pulls in no tfjs, no protobufjs and no node: module.

import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

export interface BrowserBundle {
  /** Minified bundle bytes. */
  bytes: number;
  /** The bundle gzipped at level 9 (node:zlib), as a server would send it. */
  gzipBytes: number;
  /** Every file esbuild read into the bundle (paths relative to `resolveDir`). */
  inputs: string[];
  /** Every import specifier any input makes, as written (after resolution esbuild would fail on a node: one). */
  importPaths: string[];
}

/**
 * Bundles `source` (module text, resolved from `resolveDir`, so `import ... from 'sqz/runtime'` goes through the
 * package's `exports`) without writing anything.
 * @throws when esbuild cannot bundle it (e.g. an import a browser cannot resolve)
 */
export async function bundleForBrowser(source: string, resolveDir: string): Promise<BrowserBundle> {
  const result = await build({
    stdin: { contents: source, resolveDir, loader: 'js', sourcefile: 'entry.js' },
    absWorkingDir: resolveDir,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    outfile: 'bundle.js',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const metafile: Metafile = result.metafile;
  return {
    bytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    inputs: Object.keys(metafile.inputs),
    importPaths: Object.values(metafile.inputs).flatMap((input) => input.imports.map((i) => i.path)),
  };
}

/** A file's bytes raw and gzipped at level 9 (for .wasm files shipped next to a bundle). */
export function gzipSizes(bytes: Uint8Array): { bytes: number; gzipBytes: number } {
  return { bytes: bytes.byteLength, gzipBytes: gzipSync(bytes, { level: 9 }).byteLength };
}
