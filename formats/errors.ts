// Error classes shared by formats/ (TS reader/writer), runtime/ (wasm host) and compiler/.
// No imports beyond the constants, so the browser runtime can use this file as is.
import {
  ERR_CHECKSUM,
  ERR_INPUT,
  ERR_MAGIC,
  ERR_MALFORMED,
  ERR_MEMORY,
  ERR_NONE,
  ERR_SHAPE,
  ERR_STATE,
  ERR_TRUNCATED,
  ERR_UNSUPPORTED,
  ERR_VERSION,
} from './constants.js';

const CODE_NAMES: Record<number, string> = {
  [ERR_NONE]: 'none',
  [ERR_TRUNCATED]: 'truncated',
  [ERR_MAGIC]: 'bad-magic',
  [ERR_VERSION]: 'unsupported-version',
  [ERR_CHECKSUM]: 'checksum-mismatch',
  [ERR_MALFORMED]: 'malformed',
  [ERR_UNSUPPORTED]: 'unsupported',
  [ERR_SHAPE]: 'shape-mismatch',
  [ERR_INPUT]: 'bad-input',
  [ERR_STATE]: 'bad-state',
  [ERR_MEMORY]: 'out-of-memory',
};

/** Name of an ERR_* code, for messages and `SqzError.codeName`. */
export function errorCodeName(code: number): string {
  return CODE_NAMES[code] ?? `error-${code}`;
}

/** Any failure reported by sqz's format readers or the runtime. `code` is an ERR_* constant. */
export class SqzError extends Error {
  readonly code: number;
  /** Byte offset in the .sqz file where the problem was found, or -1 when not about a file position. */
  readonly offset: number;
  constructor(code: number, message: string, offset = -1) {
    super(message);
    this.name = 'SqzError';
    this.code = code;
    this.offset = offset;
  }
  get codeName(): string {
    return errorCodeName(this.code);
  }
}

/** The bytes given are not a valid .sqz file (truncated, corrupt, wrong magic or version, inconsistent). */
export class SqzFormatError extends SqzError {
  constructor(code: number, message: string, offset = -1) {
    super(code, message, offset);
    this.name = 'SqzFormatError';
  }
}

/** The caller passed an input of the wrong length or batch, or called in the wrong order. */
export class SqzInputError extends SqzError {
  constructor(code: number, message: string) {
    super(code, message, -1);
    this.name = 'SqzInputError';
  }
}
