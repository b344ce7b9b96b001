// The runtime's own error class beside the shared ones of formats/errors.ts: a resource limit, not a bad file.

import { ERR_MEMORY } from '../formats/constants.js';
import { SqzError } from '../formats/errors.js';

/**
 * A model (at load) or a batch (at predict) needs more WebAssembly memory than `LoadOptions.memoryLimit` allows, or
 * more than a wasm32 memory can hold. The runtime refused it from the declared sizes, before memory grew: the
 * instance is unchanged, and a model that was loaded still runs its previous batches. `code` is ERR_MEMORY.
 */
export class SqzMemoryLimitError extends SqzError {
  /** Bytes of linear memory the load or batch needs (the runtime's heap top; memory grows in 64 KiB pages). */
  readonly neededBytes: number;
  /** The limit in force, in bytes: memoryLimit rounded down to whole 64 KiB pages (4294901760 when none is set). */
  readonly limitBytes: number;
  constructor(message: string, neededBytes: number, limitBytes: number) {
    super(ERR_MEMORY, message, -1);
    this.name = 'SqzMemoryLimitError';
    this.neededBytes = neededBytes;
    this.limitBytes = limitBytes;
  }
}
