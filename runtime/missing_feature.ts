// The hint for a load a tailored runtime refused: it names the op, activation, encoding or execution path (for an exec
// mode it was not built for) the model needs and the runtime was built without (`sqz runtime` builds one per set of models), and says how to get one that has it.

import { activationName } from '../formats/activations.js';
import { encodingName } from '../formats/encodings.js';
import { execPathName } from '../formats/exec_paths.js';
import { opName } from '../formats/ops.js';
import type { SqzWasmExports } from './wasm_exports.js';

const KINDS: Record<number, { what: string; name: (code: number) => string }> = {
  1: { what: 'op', name: opName },
  2: { what: 'activation', name: activationName },
  3: { what: 'encoding', name: encodingName },
  4: { what: 'execution path', name: execPathName },
};

/** The hint for the last load's failure when it was a feature the module lacks, else undefined. */
export function missingFeatureHint(exports: SqzWasmExports): string | undefined {
  const missing = typeof exports.missingFeature === 'function' ? exports.missingFeature() : -1;
  const kind = KINDS[missing >>> 16];
  if (missing < 0 || kind === undefined) return undefined;
  return (
    `this runtime module was built without the ${kind.what} '${kind.name(missing & 0xffff)}' the model needs: ` +
    'rebuild it with `sqz runtime model.sqz [more.sqz …] -o runtime.wasm` listing every model it must run, ' +
    'or load without options.wasm to use the general runtime'
  );
}
