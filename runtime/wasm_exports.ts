// The sqz.wasm ABI as seen from TypeScript (documented in assembly/README.md). Pointers are byte addresses in the
// instance's memory; lengths are floats per sample unless named bytes.

export interface SqzWasmExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  load(ptr: number, length: number, execMode: number): number;
  plan(maxBatch: number): number;
  /** Caps linear memory at `bytes` (rounded down to 64 KiB pages; 0 = none). */
  setMemoryLimit(bytes: number): void;
  /** The cap in force, in bytes (4294901760 when none is set). */
  memoryLimit(): number;
  /** The heap top the last alloc / load / plan / decodeTensor needed, or would have needed when refused (i64). */
  memoryNeed(): bigint;
  run(batch: number): number;
  inputCount(): number;
  outputCount(): number;
  inputPtr(i: number): number;
  inputLength(i: number): number;
  outputPtr(i: number): number;
  outputLength(i: number): number;
  errorCode(): number;
  errorMessagePtr(): number;
  errorMessageLength(): number;
  errorOffset(): number;
  /** What the last load needed that this build leaves out: kind << 16 | code (1 op, 2 activation, 3 encoding, 4 path), or -1. */
  missingFeature(): number;
  /** What this build contains: bit c of each mask stands for code c (OP_*, ACT_*, ENC_*, PATH_*). */
  builtOps(): number;
  builtActivations(): number;
  builtEncodings(): number;
  builtPaths(): number;
  valueCount(): number;
  inputValue(i: number): number;
  outputValue(i: number): number;
  valueRank(v: number): number;
  valueDim(v: number, d: number): number;
  valueOffset(v: number): number;
  opCount(): number;
  opType(i: number): number;
  opActivation(i: number): number;
  opWeight(i: number): number;
  opBias(i: number): number;
  /** The execution paths op i's weight runs through after load: bit PATH_* (formats/exec_paths.ts). */
  opPaths(i: number): number;
  tensorCount(): number;
  tensorRank(t: number): number;
  tensorDim(t: number, d: number): number;
  tensorEncoding(t: number): number;
  tensorBits(t: number): number;
  tensorN(t: number): number;
  tensorNonzeros(t: number): number;
  tensorStoredBytes(t: number): number;
  tensorExec(t: number): number;
  fileBytes(): number;
  arenaBytes(): number;
  plannedBatchSize(): number;
  heapBase(): number;
  heapEnd(): number;
  /** Test hook of the general runtime (absent from a tailored one): 1 if two live arena buffers overlap. */
  planOverlaps?(): number;
  /** Test hook of the general runtime (absent from a tailored one): tensor t decoded to f32 in a fresh heap block. */
  decodeTensor?(t: number): number;
}

/** The last error of the instance: code (ERR_*), message and file offset (-1 when not about a position). */
export interface WasmError {
  code: number;
  message: string;
  offset: number;
}

export function lastWasmError(exports: SqzWasmExports): WasmError {
  const length = exports.errorMessageLength();
  const bytes = new Uint8Array(exports.memory.buffer, exports.errorMessagePtr(), length);
  let message = '';
  for (let i = 0; i < length; i++) message += String.fromCharCode(bytes[i]); // latin1
  return { code: exports.errorCode(), message, offset: exports.errorOffset() };
}
