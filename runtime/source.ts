// Reading a model given as bytes, a URL or (in Node) a path. Shared by SqzModel.load and the tfjs IOHandler
// (tfjs/sqz_handler.ts), so both accept the same sources and report unreadable ones alike.

import { fetchBytes, isNode, readFileNode } from './wasm_module.js';

export type ModelSource = Uint8Array | ArrayBuffer | string | URL;

/**
 * The bytes of `source`. In Node, a string that is not an http(s), blob or data URL is a file path (or a file:
 * URL); in browsers every string is fetched.
 * @param caller names the API in error messages, e.g. 'SqzModel.load'
 * @throws TypeError for a source of another type; Error naming the source and the reason when it cannot be read
 */
export async function readModelSource(source: ModelSource, caller: string): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (!(source instanceof URL) && typeof source !== 'string') {
    throw new TypeError(`${caller}: source must be a Uint8Array, an ArrayBuffer, a URL or a path string`);
  }
  try {
    if (source instanceof URL) {
      return await (source.protocol === 'file:' && isNode() ? readFileNode(source) : fetchBytes(source));
    }
    if (/^(https?|blob|data):/i.test(source) || !isNode()) return await fetchBytes(source);
    return await readFileNode(source.startsWith('file:') ? new URL(source) : source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${caller}: cannot read the model from ${String(source)}: ${reason}`, { cause: error });
  }
}
