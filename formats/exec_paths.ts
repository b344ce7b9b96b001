// The execution paths an op can run through in the wasm runtime (PATH_* in formats/constants.ts): its weight's, or its
// pooling loop's. By name: what `sqz runtime` reports it builds in, and what a tailored runtime that lacks one says.
// The runtime chooses the path at load (assembly/prepare.ts, assembly/kernels/conv_compressed.ts,
// assembly/kernels/pool2d.ts) and reports it per op (opPaths).
import {
  PATH_CONV_IM2COL,
  PATH_CONV_PLANAR,
  PATH_CONV_SHIFTED,
  PATH_DECODED,
  PATH_DENSE_COMPRESSED,
  PATH_POOL_2X2,
  PATH_POOL_CELLS,
  PATH_POOL_WINDOW,
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
  { code: PATH_POOL_2X2, name: 'pool-2x2', display: 'max pooling 2×2 with stride 2, 4 channels or more' },
  { code: PATH_POOL_WINDOW, name: 'pool-window', display: 'max pooling over other windows, 4 channels or more' },
  {
    code: PATH_POOL_CELLS,
    name: 'pool-cells',
    display: 'pooling one window cell at a time (fewer than 4 channels, average)',
  },
];

/** The name of PATH_* `code`, or "path <code>". */
export function execPathName(code: number): string {
  return EXEC_PATHS[code]?.name ?? `path ${code}`;
}
