// Writing the files a command was asked to produce (the .sqz, reports, outputs, checkpoints): atomically, with a
// failure reported as a FileError that names the file, says why in words and, for a full disk or a folder that
// cannot be written, what to do.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { describeFsError, FileError } from '../errors.js';
import { writeFileAtomic } from './atomic_write.js';
import type { FaultFile } from './fault.js';

export interface OutputOptions {
  /** What the file is, before its path in the message ("checkpoint"). */
  what?: string;
  /** The option that chose the file's folder (-o, --report, --checkpoint), named in the advice. */
  option?: string;
  /** Follows "free some space" in the advice on a full disk, e.g. " and rerun with --resume". */
  then?: string;
  /** The file's fault points (util/fault.ts). */
  faults?: FaultFile;
}

/** Why writing `output` failed, in words, with what to do for a full disk or an unwritable folder. */
export function describeWriteError(err: unknown, output: string, options: OutputOptions): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `folder ${path.dirname(path.resolve(output))} does not exist`;
  const where = options.option ? ` with ${options.option}` : '';
  const why = describeFsError(err);
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return `${why}; free some space${options.then ?? ''}, or choose another folder${where}`;
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return `${why}; choose another folder${where}`;
  return why;
}

/** writeFileAtomic, with errors as FileError ("cannot write [WHAT ]FILE: why[; what to do]"). */
export async function writeOutputFile(
  output: string,
  data: Uint8Array | string,
  options: OutputOptions = {},
): Promise<void> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  try {
    await writeFileAtomic(output, bytes, options.faults);
  } catch (err) {
    const what = options.what ? `${options.what} ` : '';
    throw new FileError(output, `cannot write ${what}${output}: ${describeWriteError(err, output, options)}`, {
      cause: err,
    });
  }
}

/**
 * Fails early, before a long run, when `output` could not be written at the end: its folder is missing or it
 * names a directory. (Permissions are left to the write itself.)
 */
export async function checkOutputPath(output: string): Promise<void> {
  const folder = path.dirname(path.resolve(output));
  const folderStat = await stat(folder).catch(() => undefined);
  if (!folderStat?.isDirectory())
    throw new FileError(output, `cannot write ${output}: folder ${folder} does not exist`);
  const outputStat = await stat(output).catch(() => undefined);
  if (outputStat?.isDirectory()) throw new FileError(output, `cannot write ${output}: it is a directory, not a file`);
}
