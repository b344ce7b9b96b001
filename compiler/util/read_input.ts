// Reading a file named on the command line, with the failure as a FileError that names the file and says why
// (missing, a directory, permission denied) instead of an errno stack.
import { readFile } from 'node:fs/promises';
import { describeFsError, FileError } from '../errors.js';

/** The bytes of `file`. `what` names it in the message, e.g. "model" → "cannot read model x.sqz: file not found". */
export async function readInputFile(file: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new FileError(file, `cannot read ${what} ${file}: ${describeFsError(err)}`, { cause: err });
  }
}
