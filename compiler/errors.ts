// The compiler's error classes by what the user must fix. The CLI maps each class to one exit code
// (compiler/cli.ts, EXIT_CODES), so a script can tell a typo from a missing file from a too-small target.
// Errors with their own home stay there and join this family by subclassing or by the CLI's table:
// ModelFileError (import/errors.ts) is a FileError; UnsupportedModelError, ImpossibleTargetError,
// TrainingDivergedError and formats' SqzFormatError / SqzInputError are mapped directly.

/** An argument or option has a bad value, or options conflict (fix the command line). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A file named on the command line cannot be used: missing, a directory, unreadable, not what it claims to be,
 * or an output that cannot be written. `path` is the file concerned.
 */
export class FileError extends Error {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FileError';
    this.path = path;
  }
}

/** The data does not fit: a dataset missing or malformed, or samples whose shape the model does not take. */
export class DataError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataError';
  }
}

/** Why a file system call failed, in words, from its errno code. */
export function describeFsError(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'file not found';
    case 'EISDIR':
      return 'it is a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOTDIR':
      return 'a folder in the path is a file';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
