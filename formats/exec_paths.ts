// The execution paths a weight can run through in the wasm runtime (PATH_* in formats/constants.ts), by name: what
// `sqz runtime` reports it builds in, and what a tailored runtime that lacks one says. The runtime chooses the path
// at load (assembly/prepare.ts, assembly/kernels/conv_compressed.ts) and reports it per op (opPaths).
import {
  PATH_CONV_IM2COL, PATH_CONV_PLANAR, PATH_CONV_SHIFTED, PATH_DECODED, PATH_DENSE_COMPRESSED,
} from './constants.js';

export interface ExecPathDescriptor {
  /** PATH_* */
  readonly code: number;
  readonly name: string;
  /** Plain words for messages. */
  readonly display: string;
}

/** Every path, in PATH_* order. */
export const EXEC_PATHS: readonly ExecPathDescriptor[] = [
  { code: PATH_DECODED, name: 'decoded', display: 'weights decoded to f32 (exec dense, and every f32 weight)' },
  { code: PATH_DENSE_COMPRESSED, name: 'dense-compressed', display: 'dense layers from the compressed weight' },
  { code: PATH_CONV_SHIFTED, name: 'conv-shifted', display: 'compressed convolutions with stride 1 (shifted planes)' },
  { code: PATH_CONV_IM2COL, name: 'conv-im2col', display: 'compressed strided conv2d (im2col tiles)' },
  { code: PATH_CONV_PLANAR, name: 'conv-planar', display: 'compressed convolutions on planar rows' },
];

/** The name of PATH_* `code`, or "path <code>". */
export function execPathName(code: number): string {
  return EXEC_PATHS[code]?.name ?? `path ${code}`;
}
