// Drives one wasm instance directly through the ABI (no SqzModel), so tests can reuse a single instance across
// many loads, as an embedded host would.

import { readFileSync } from 'node:fs';
import type { SqzWasmExports } from '../../runtime/index.js';

const modules = new Map<boolean, WebAssembly.Module>();

export function runtimeModule(simd: boolean): WebAssembly.Module {
  let module = modules.get(simd);
  if (module === undefined) {
    module = new WebAssembly.Module(
      readFileSync(new URL(`../../../build/${simd ? 'sqz' : 'sqz-scalar'}.wasm`, import.meta.url)),
    );
    modules.set(simd, module);
  }
  return module;
}

/** A fresh instance of the general build (SIMD or scalar), or of `module` (a tailored runtime) when given. */
export function newInstance(simd: boolean, module?: WebAssembly.Module): SqzWasmExports {
  return new WebAssembly.Instance(module ?? runtimeModule(simd), {}).exports as unknown as SqzWasmExports;
}

/** alloc + copy + load; returns the ERR_* code. */
export function loadRaw(exports: SqzWasmExports, bytes: Uint8Array, execMode = 0): number {
  const ptr = exports.alloc(bytes.length) >>> 0;
  if (ptr === 0) return exports.errorCode();
  new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
  return exports.load(ptr, bytes.length, execMode);
}

/** Writes one input (batch 1), runs, returns a copy of output 0. Throws on an error code. */
export function predictRaw(exports: SqzWasmExports, input: Float32Array): Float32Array {
  new Float32Array(exports.memory.buffer, exports.inputPtr(0) >>> 0, input.length).set(input);
  const code = exports.run(1);
  if (code !== 0) throw new Error(`run failed with code ${code}`);
  return new Float32Array(exports.memory.buffer, exports.outputPtr(0) >>> 0, exports.outputLength(0)).slice();
}

export function errorMessage(exports: SqzWasmExports): string {
  return Buffer.from(
    new Uint8Array(exports.memory.buffer, exports.errorMessagePtr() >>> 0, exports.errorMessageLength()),
  ).toString('latin1');
}
