// Writing the files a command was asked to produce (the .sqz, reports, outputs): atomically, with a failure
// reported as a FileError that names the file and says why in words.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { describeFsError, FileError } from '../errors.js';
import { writeFileAtomic } from './atomic_write.js';

function describeWriteError(err: unknown, output: string): string {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `folder ${path.dirname(path.resolve(output))} does not exist`;
  return describeFsError(err);
}

/** writeFileAtomic, with errors as FileError ("cannot write FILE: why"). */
export async function writeOutputFile(output: string, data: Uint8Array | string): Promise<void> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  try {
    await writeFileAtomic(output, bytes);
  } catch (err) {
    throw new FileError(output, `cannot write ${output}: ${describeWriteError(err, output)}`, { cause: err });
  }
}

/**
 * Fails early, before a long run, when `output` could not be written at the end: its folder is missing or it
 * names a directory. (Permissions are left to the write itself.)
 */
export async function checkOutputPath(output: string): Promise<void> {
  const folder = path.dirname(path.resolve(output));
  const folderStat = await stat(folder).catch(() => undefined);
  if (!folderStat?.isDirectory()) throw new FileError(output, `cannot write ${output}: folder ${folder} does not exist`);
  const outputStat = await stat(output).catch(() => undefined);
  if (outputStat?.isDirectory()) throw new FileError(output, `cannot write ${output}: it is a directory, not a file`);
}
