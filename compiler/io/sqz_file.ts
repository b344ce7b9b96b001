// Opening a .sqz named on the command line: read errors and format errors both name the file, so the one-line
// error the CLI prints says which file is bad (the format layer's messages only know byte offsets).
import { SqzFormatError } from '../../formats/errors.js';
import { SqzModel } from '../../runtime/index.js';
import { readInputFile } from '../util/read_input.js';

/** `parse(bytes of file)`, with a SqzFormatError's message prefixed by the file's name. */
export async function withSqzFile<T>(file: string, parse: (bytes: Uint8Array) => T | Promise<T>): Promise<T> {
  const bytes = await readInputFile(file, 'model');
  try {
    return await parse(bytes);
  } catch (err) {
    if (err instanceof SqzFormatError) throw new SqzFormatError(err.code, `${file}: ${err.message}`, err.offset);
    throw err;
  }
}

/** The .sqz at `file`, loaded in the wasm runtime. */
export function loadSqzFile(file: string): Promise<SqzModel> {
  return withSqzFile(file, (bytes) => SqzModel.load(bytes));
}
