// Writes a file so that readers see either the old content or the complete new one, never a partial file.
import { rename, rm, writeFile } from 'node:fs/promises';

/** The temporary path writeFileAtomic uses for `target`: `<target>.tmp-<pid>` in the same folder. */
export function tempPathFor(target: string): string {
  return `${target}.tmp-${process.pid}`;
}

/**
 * Writes `data` to `<target>.tmp-<pid>` and renames it over `target` (atomic within one file system). If
 * `data` is a function it is awaited first, so a failure while producing the bytes never touches `target`.
 * On any failure the temporary file is removed, `target` is left as it was, and the error is rethrown.
 */
export async function writeFileAtomic(target: string, data: Uint8Array | (() => Uint8Array | Promise<Uint8Array>)): Promise<void> {
  const bytes = typeof data === 'function' ? await data() : data;
  const temp = tempPathFor(target);
  try {
    await writeFile(temp, bytes);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}
