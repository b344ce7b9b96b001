// Writes a file so that readers see either the old content or the complete new one, never a partial file.
// A writer killed half-way leaves only `<target>.tmp-<pid>`, which no reader takes for the real file;
// removeStaleTemps clears those once their writer is gone.
import { readdir, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { faultPoint, writeTempFile, type FaultFile } from './fault.js';

/** The temporary path writeFileAtomic uses for `target`: `<target>.tmp-<pid>` in the same folder. */
export function tempPathFor(target: string): string {
  return `${target}.tmp-${process.pid}`;
}

/**
 * Writes `data` to `<target>.tmp-<pid>` and renames it over `target` (atomic within one file system). If
 * `data` is a function it is awaited first, so a failure while producing the bytes never touches `target`.
 * On any failure the temporary file is removed, `target` is left as it was, and the error is rethrown.
 * `faults` names the file's fault points (util/fault.ts), for the interruption tests.
 */
export async function writeFileAtomic(
  target: string,
  data: Uint8Array | (() => Uint8Array | Promise<Uint8Array>),
  faults?: FaultFile,
): Promise<void> {
  const bytes = typeof data === 'function' ? await data() : data;
  const temp = tempPathFor(target);
  try {
    await writeTempFile(temp, bytes, faults);
    if (faults) faultPoint(`${faults}-temp`, temp);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  if (faults) faultPoint(`${faults}-renamed`, target);
}

/**
 * Removes the temporary files (`<name>.tmp-<pid>`) in `dir` of targets `isTarget(name)` accepts whose writer
 * process no longer runs: the leftovers of a killed run. Call it before this process writes those targets.
 * Returns the paths removed.
 */
export async function removeStaleTemps(dir: string, isTarget: (name: string) => boolean): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names
    .filter((name) => {
      const m = /^(.+)\.tmp-(\d+)$/.exec(name);
      if (m === null || !isTarget(m[1]!)) return false;
      const pid = Number(m[2]);
      return pid === process.pid || !processRuns(pid);
    })
    .map((name) => path.join(dir, name));
  await Promise.all(stale.map((file) => rm(file, { force: true })));
  return stale;
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // it runs, as another user
  }
}
