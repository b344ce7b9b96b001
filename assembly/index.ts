// The sqz runtime's C-like ABI (see assembly/README.md). Every entry point is checked; each call clears the
// previous error first, so errorCode() always describes the last call.

import {
  ENC_F16, ENC_F32, ERR_INPUT, ERR_NONE, ERR_STATE, ERR_UNSUPPORTED, EXEC_COMPRESSED, HEADER_BYTES,
} from '../formats/constants';
import {
  E_BATCH, E_EXEC_MODE, E_FILE_RANGE, E_NOT_LOADED, E_PLAN_BATCH, clearError, errCode, errLength,
  errMissing, errOffset, fail, gotExpected, messagePtr,
} from './errors';
import { BUILT_ACTIVATIONS, BUILT_ENCODINGS, BUILT_OPS, BUILT_PATHS } from './features';
import { checkGraph } from './graph';
import {
  allocBytes, heapBase as base, blockBytes, checkNeed, heapTop, memoryLimit as limit, memoryNeed as need, resetHeap,
  setMemoryLimitBytes,
} from './heap';
import {
  PRODUCER_NONE, dimOf, fileLength, inputCount as modelInputCount, loaded, modelInput, modelOutput, opAt, opCount as modelOpCount,
  outputCount as modelOutputCount, setFileLength, setLoaded, tensorAt, tensorCount as modelTensorCount, valueAt,
  valueCount as modelValueCount,
} from './model';
import { checkContainer, parseModel } from './parse';
import {
  arenaBytesFor, arenaFloats, arenaStart, forgetArena, planBuffers, plannedBatch, sizeArena, valuePointer,
} from './planner';
import { allocateWeights, loadHeapBytes, prepareOps } from './prepare';
import { runOps } from './run';
import { checkTensor } from './tensor';
import { registerKernels } from './kernels/index';

registerKernels();

/** Padding kept after the file so 8-byte reads at the end of a field stay inside the block. */
const FILE_PADDING: u32 = 16;

let fileBlock: usize = 0;
let fileBlockEnd: usize = 0;
/** Heap top right after the file block: load resets the heap to it. */
let fileMark: usize = 0;

function unload(): void {
  setLoaded(false);
  forgetArena();
}

/**
 * Caps the instance's linear memory at `bytes`, rounded down to whole 64 KiB pages (0 = no cap: the 4 GiB of a
 * wasm32 memory). From the next alloc / load / plan on, a call whose memory need passes the cap is refused with
 * ERR_MEMORY ("memory limit exceeded: needs N bytes, limit is M bytes") before memory grows. A loaded model stays.
 */
export function setMemoryLimit(bytes: u32): void {
  setMemoryLimitBytes(bytes);
}

/** The cap in force, in bytes (a whole number of pages; 4294901760 when none is set). */
export function memoryLimit(): u32 {
  return <u32>limit;
}

/**
 * The heap top, in bytes, that the last alloc / load / plan / decodeTensor computed it would reach: what it needs of
 * linear memory (rounded up to pages). When refused, what it would have needed (a load refused while parsing
 * counts only the model's records).
 */
export function memoryNeed(): u64 {
  return need;
}

/**
 * Reserves `bytes` bytes for a model file and returns their address (0 on ERR_MEMORY). Discards any loaded model:
 * the heap restarts at its base, so calling alloc again for the next model reuses the same memory.
 */
export function alloc(bytes: u32): usize {
  clearError();
  unload();
  resetHeap(base);
  fileBlock = 0;
  fileBlockEnd = 0;
  let blockSize = <u64>bytes + FILE_PADDING;
  if (checkNeed(<u64>base + blockBytes(blockSize)) != ERR_NONE) return 0;
  let ptr = allocBytes(blockSize);
  if (ptr == 0) return 0;
  fileBlock = ptr;
  fileBlockEnd = ptr + bytes;
  fileMark = heapTop;
  return ptr;
}

/**
 * The load: checks that read only the file (parse checks the records' memory need before allocating them), prepare
 * and plan (which allocate nothing), then the memory pre-check of everything left, then the allocations.
 */
function loadSteps(ptr: usize, length: u32, execMode: u32): i32 {
  let code = checkContainer(ptr, length);
  if (code == ERR_NONE) code = parseModel(ptr, ptr + HEADER_BYTES, length - HEADER_BYTES);
  if (code == ERR_NONE) code = checkGraph();
  for (let i: u32 = 0; code == ERR_NONE && i < modelTensorCount; i++) code = checkTensor(i);
  if (code == ERR_NONE) code = prepareOps(execMode);
  if (code == ERR_NONE) code = planBuffers();
  if (code == ERR_NONE) code = checkNeed(<u64>heapTop + loadHeapBytes() + arenaBytesFor(1));
  if (code == ERR_NONE) code = allocateWeights();
  if (code == ERR_NONE) code = sizeArena(heapTop, 1);
  return code;
}

/**
 * Parses and validates the .sqz file at [ptr, ptr + length) (inside the block from the last alloc), prepares
 * weights per `execMode` (EXEC_AUTO / EXEC_DENSE / EXEC_COMPRESSED) and plans the arena for batch 1.
 * Returns ERR_NONE or an ERR_* code; after a failure the instance is ready for the next load.
 */
export function load(ptr: usize, length: u32, execMode: u32): i32 {
  clearError();
  unload();
  if (fileBlock == 0 || ptr < fileBlock || <u64>ptr + length > <u64>fileBlockEnd) {
    return fail(ERR_STATE, E_FILE_RANGE, -1);
  }
  if (execMode > <u32>EXEC_COMPRESSED) {
    fail(ERR_UNSUPPORTED, E_EXEC_MODE, -1);
    return gotExpected(execMode, EXEC_COMPRESSED);
  }
  resetHeap(fileMark);
  let code = loadSteps(ptr, length, execMode);
  if (code != ERR_NONE) {
    unload();
    resetHeap(fileMark);
    return code;
  }
  setFileLength(length);
  setLoaded(true);
  return ERR_NONE;
}

/**
 * Sizes the arena for up to `maxBatch` samples per run. Input/output pointers move: read them again after. A batch
 * whose arena would pass the memory limit is refused before memory grows; on any failure the previous plan stays.
 */
export function plan(maxBatch: u32): i32 {
  clearError();
  if (!loaded) return fail(ERR_STATE, E_NOT_LOADED, -1);
  if (maxBatch == 0) return fail(ERR_INPUT, E_PLAN_BATCH, -1);
  let code = checkNeed(<u64>arenaStart + arenaBytesFor(maxBatch));
  if (code != ERR_NONE) return code;
  let previous = plannedBatch;
  let mark = arenaStart;
  code = sizeArena(mark, maxBatch);
  if (code != ERR_NONE) sizeArena(mark, previous);
  return code;
}

/** Runs the model on `batch` samples already written at inputPtr(i). */
export function run(batch: u32): i32 {
  clearError();
  if (!loaded) return fail(ERR_STATE, E_NOT_LOADED, -1);
  if (batch == 0 || batch > plannedBatch) {
    fail(ERR_INPUT, E_BATCH, -1);
    return gotExpected(batch, plannedBatch);
  }
  runOps(batch);
  return ERR_NONE;
}

// ── Inputs and outputs ───────────────────────────────────────────────────────

export function inputCount(): u32 {
  return loaded ? modelInputCount : 0;
}

export function outputCount(): u32 {
  return loaded ? modelOutputCount : 0;
}

/** Address of input `i` (batch × inputLength(i) floats), 0 if none. */
export function inputPtr(i: u32): usize {
  return loaded && i < modelInputCount ? valuePointer(modelInput(i)) : 0;
}

/** Floats per sample of input `i`. */
export function inputLength(i: u32): u32 {
  return loaded && i < modelInputCount ? valueAt(modelInput(i)).size : 0;
}

export function outputPtr(i: u32): usize {
  return loaded && i < modelOutputCount ? valuePointer(modelOutput(i)) : 0;
}

export function outputLength(i: u32): u32 {
  return loaded && i < modelOutputCount ? valueAt(modelOutput(i)).size : 0;
}

// ── Errors ───────────────────────────────────────────────────────────────────

export function errorCode(): i32 {
  return errCode;
}

export function errorMessagePtr(): usize {
  return messagePtr();
}

export function errorMessageLength(): i32 {
  return errLength;
}

/** Byte offset in the file of the problem, or -1. */
export function errorOffset(): i32 {
  return errOffset;
}

/**
 * What the last load needed that this build leaves out (a tailored runtime from `sqz runtime`): kind << 16 | code,
 * kind 1 = op (OP_*), 2 = activation (ACT_*), 3 = encoding (ENC_*), 4 = execution path (PATH_*); -1 when the
 * error was something else.
 */
export function missingFeature(): i32 {
  return errMissing;
}

// ── What this build contains (features.ts): bit c stands for code c ─────────

export function builtOps(): u32 {
  return BUILT_OPS;
}

export function builtActivations(): u32 {
  return BUILT_ACTIVATIONS;
}

export function builtEncodings(): u32 {
  return BUILT_ENCODINGS;
}

export function builtPaths(): u32 {
  return BUILT_PATHS;
}

// ── Introspection (for info, tests and hosts) ────────────────────────────────

export function valueCount(): u32 {
  return loaded ? modelValueCount : 0;
}

export function inputValue(i: u32): i32 {
  return loaded && i < modelInputCount ? <i32>modelInput(i) : -1;
}

export function outputValue(i: u32): i32 {
  return loaded && i < modelOutputCount ? <i32>modelOutput(i) : -1;
}

export function valueRank(v: u32): u32 {
  return loaded && v < modelValueCount ? valueAt(v).rank : 0;
}

export function valueDim(v: u32, d: u32): u32 {
  return loaded && v < modelValueCount && d < valueAt(v).rank ? dimOf(changetype<usize>(valueAt(v)), d) : 0;
}

/** Byte offset of value v's buffer in the arena for the planned batch, or -1 if it has none. */
export function valueOffset(v: u32): i32 {
  if (!loaded || v >= modelValueCount || valueAt(v).producer == PRODUCER_NONE) return -1;
  return <i32>(valuePointer(v) - arenaStart);
}

export function opCount(): u32 {
  return loaded ? modelOpCount : 0;
}

export function opType(i: u32): u32 {
  return loaded && i < modelOpCount ? opAt(i).type : 0;
}

export function opActivation(i: u32): u32 {
  return loaded && i < modelOpCount ? opAt(i).activation : 0;
}

/** Weight tensor index of op i, or -1. */
export function opWeight(i: u32): i32 {
  return loaded && i < modelOpCount ? <i32>opAt(i).weightRef - 1 : -1;
}

/** The execution paths op i's weight runs through: bit PATH_* (0 for ops without a weight). */
export function opPaths(i: u32): u32 {
  return loaded && i < modelOpCount ? opAt(i).paths : 0;
}

export function opBias(i: u32): i32 {
  return loaded && i < modelOpCount ? <i32>opAt(i).biasRef - 1 : -1;
}

export function tensorCount(): u32 {
  return loaded ? modelTensorCount : 0;
}

export function tensorRank(t: u32): u32 {
  return loaded && t < modelTensorCount ? tensorAt(t).rank : 0;
}

export function tensorDim(t: u32, d: u32): u32 {
  return loaded && t < modelTensorCount && d < tensorAt(t).rank ? dimOf(changetype<usize>(tensorAt(t)), d) : 0;
}

export function tensorEncoding(t: u32): u32 {
  return loaded && t < modelTensorCount ? tensorAt(t).encoding : 0;
}

/** Bits per stored value: 32 for ENC_F32, 16 for ENC_F16, else the code width. */
export function tensorBits(t: u32): u32 {
  if (!loaded || t >= modelTensorCount) return 0;
  let tensor = tensorAt(t);
  return tensor.encoding == ENC_F32 ? 32 : tensor.encoding == ENC_F16 ? 16 : tensor.bits;
}

export function tensorN(t: u32): u32 {
  return loaded && t < modelTensorCount ? tensorAt(t).n : 0;
}

/** Values that are not ±0. */
export function tensorNonzeros(t: u32): u32 {
  return loaded && t < modelTensorCount ? tensorAt(t).nonzeros : 0;
}

/** Bytes of the tensor's field in the payload (tag, length prefix and message). */
export function tensorStoredBytes(t: u32): u32 {
  return loaded && t < modelTensorCount ? tensorAt(t).fieldBytes : 0;
}

/** EXEC_DENSE or EXEC_COMPRESSED for weights, 0 for tensors no op uses as a weight. */
export function tensorExec(t: u32): u32 {
  return loaded && t < modelTensorCount ? tensorAt(t).exec : 0;
}

export function fileBytes(): u32 {
  return loaded ? fileLength : 0;
}

/** Arena bytes for the planned batch. */
export function arenaBytes(): u32 {
  return loaded ? arenaFloats * plannedBatch * 4 : 0;
}

export function plannedBatchSize(): u32 {
  return loaded ? plannedBatch : 0;
}

export function heapBase(): usize {
  return base;
}

export function heapEnd(): usize {
  return heapTop;
}
