// What this build of the runtime contains. Bit c of each mask stands for code c of formats/constants.ts:
//   SQZ_OPS          OP_*   (kernels/index.ts registers the kernel of each op whose bit is set)
//   SQZ_ACTIVATIONS  ACT_*  (kernels/activation.ts)
//   SQZ_ENCODINGS    ENC_*  (tensor.ts, walk.ts and the compressed kernels)
//   SQZ_PATHS        PATH_* (the execution paths of weights: decoded f32, compressed dense, the compressed conv paths)
// They are global constants given on the asc command line (`--use SQZ_OPS=4094`): asconfig.json's targets set every
// bit (the general runtime, build/sqz.wasm); `sqz runtime` sets the bits its models use (compiler/runtime_build/), and
// the compiler then leaves out every kernel, activation and decoder whose bit is clear. A file that needs a code
// whose bit is clear is refused at load with ERR_UNSUPPORTED and a message naming it (graph.ts, tensor.ts).

import { OP_CONCAT, OP_CROP2D, OP_TRANSPOSE, OP_UP_SAMPLING2D, OP_ZERO_PAD2D } from '../formats/constants';

@inline export function opBuilt(code: u32): bool {
  return code < 32 && ((<u32>SQZ_OPS >>> code) & 1) != 0;
}

@inline export function activationBuilt(code: u32): bool {
  return code < 32 && ((<u32>SQZ_ACTIVATIONS >>> code) & 1) != 0;
}

@inline export function encodingBuilt(code: u32): bool {
  return code < 32 && ((<u32>SQZ_ENCODINGS >>> code) & 1) != 0;
}

@inline export function pathBuilt(code: u32): bool {
  return code < 32 && ((<u32>SQZ_PATHS >>> code) & 1) != 0;
}

/** The ops that read Op.params: those whose entry in formats/ops.ts lists the attribute 'params' (a test checks). */
const PARAM_OPS: u32 = (1 << OP_ZERO_PAD2D) | (1 << OP_CROP2D) | (1 << OP_UP_SAMPLING2D) | (1 << OP_CONCAT) | (1 << OP_TRANSPOSE);

/**
 * Some op of this build reads params. In a build without one the parser skips the field like any field it does not
 * know (its bytes are still checked as wire format): no kernel would read the values, so there is nothing to check.
 */
@inline export function paramsBuilt(): bool {
  return ((<u32>SQZ_OPS) & PARAM_OPS) != 0;
}

/** The masks, for the host (index.ts exports them as builtOps / builtActivations / builtEncodings / builtPaths). */
export const BUILT_OPS: u32 = <u32>SQZ_OPS;
export const BUILT_ACTIVATIONS: u32 = <u32>SQZ_ACTIVATIONS;
export const BUILT_ENCODINGS: u32 = <u32>SQZ_ENCODINGS;
export const BUILT_PATHS: u32 = <u32>SQZ_PATHS;
