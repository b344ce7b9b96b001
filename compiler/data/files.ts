// Reading a data file named in a dataset spec: a missing or unreadable file is a DataError naming it.
import { readFileSync } from 'node:fs';
import { DataError, describeFsError } from '../errors.js';

/** The bytes of `path`. @throws DataError naming the file and why it cannot be read */
export function readDataFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new DataError(`cannot read data file ${path}: ${describeFsError(err)}`, { cause: err });
  }
}
