// Finding, compiling and caching the runtime's WebAssembly module. The two variants sit in `build/` at the package
// root, located relative to this file (dist/runtime/ → ../../build/): fetched in browsers, read with a dynamic
// import of node:fs/promises in Node, so the browser path never loads a node: module.

/** `sqz.wasm` uses 128-bit SIMD; `sqz-scalar.wasm` runs where SIMD is missing. */
export type WasmVariant = 'simd' | 'scalar';

const VARIANT_FILES: Record<WasmVariant, string> = {
  simd: '../../build/sqz.wasm',
  scalar: '../../build/sqz-scalar.wasm',
};

/** A minimal module whose one function returns a v128 constant: valid only where SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7b, // type section: () -> v128
  0x03,
  0x02,
  0x01,
  0x00, // function section: one function of type 0
  0x0a,
  0x16,
  0x01,
  0x14,
  0x00, // code section: one body of 20 bytes, no locals
  0xfd,
  0x0c,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0, // v128.const 0
  0x0b, // end
]);

let simdSupported: boolean | undefined;

/** Whether this engine validates WebAssembly SIMD (checked once). */
export function detectSimd(): boolean {
  if (simdSupported === undefined) {
    try {
      simdSupported = WebAssembly.validate(SIMD_PROBE);
    } catch {
      simdSupported = false;
    }
  }
  return simdSupported;
}

export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/**
 * node:fs/promises, named through a variable: bundlers resolve only literal import() specifiers, so a browser bundle
 * (esbuild --platform=browser, webpack, vite) neither fails on it nor pulls in a shim. Only Node reaches the import.
 */
const NODE_FS = 'node:fs/promises';

/** Reads a file: URL or path in Node. */
export async function readFileNode(path: string | URL): Promise<Uint8Array> {
  const fs = (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_FS)) as typeof import('node:fs/promises');
  const buffer = await fs.readFile(path);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Fetches a URL (browsers, or http(s)/blob/data in Node) as bytes. */
export async function fetchBytes(url: string | URL): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch ${String(url)}: HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

const compiled = new Map<WasmVariant, Promise<WebAssembly.Module>>();
const compiledCustom = new WeakMap<Uint8Array | ArrayBuffer, Promise<WebAssembly.Module>>();

async function readVariant(variant: WasmVariant): Promise<Uint8Array> {
  const url = new URL(VARIANT_FILES[variant], import.meta.url);
  try {
    return url.protocol === 'file:' && isNode() ? await readFileNode(url) : await fetchBytes(url);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `sqz: cannot read the runtime module ${url.href} (${reason}). Build it with \`npm run build:wasm\`, ` +
        'or pass the module bytes as `options.wasm`.',
    );
  }
}

/** The compiled module of a variant, compiled once per process. */
export function moduleFor(variant: WasmVariant): Promise<WebAssembly.Module> {
  let module = compiled.get(variant);
  if (module === undefined) {
    module = readVariant(variant).then((bytes) => WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>));
    compiled.set(variant, module);
    module.catch(() => compiled.delete(variant)); // let a later call retry
  }
  return module;
}

/** Compiles caller-supplied module bytes, once per bytes object. */
export function moduleFromBytes(bytes: Uint8Array | ArrayBuffer): Promise<WebAssembly.Module> {
  let module = compiledCustom.get(bytes);
  if (module === undefined) {
    const copy = bytes instanceof Uint8Array ? bytes.slice() : new Uint8Array(bytes.slice(0));
    module = WebAssembly.compile(copy);
    compiledCustom.set(bytes, module);
  }
  return module;
}
