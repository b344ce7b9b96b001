// The loaded model as plain records in linear memory (no GC objects): arrays of Value, Tensor and Op records plus
// the model's input and output value lists. Parse fills them, prepare derives geometry and weight pointers,
// the planner fills Value.offset, and run only reads them.

export const MAX_RANK: u32 = 6;
export const MAX_VALUES: u32 = 8192;
export const MAX_OPS: u32 = 8192;
export const MAX_TENSORS: u32 = 65536;
export const MAX_OP_INPUTS: u32 = 1024;
/** Elements per sample of one activation value (2^26 floats = 256 MB). */
export const MAX_VALUE_ELEMENTS: u64 = 1 << 26;
/** Elements of one weight tensor (2^28 floats = 1 GB decoded). */
export const MAX_TENSOR_ELEMENTS: u64 = 1 << 28;

/** Producer of a value that is a model input / that nothing writes. */
export const PRODUCER_INPUT: i32 = -1;
export const PRODUCER_NONE: i32 = -2;

/** One activation tensor; shapes are per sample. */
@unmanaged export class Value {
  rank: u32;
  d0: u32; d1: u32; d2: u32; d3: u32; d4: u32; d5: u32;
  /** Elements per sample. */
  size: u32;
  /** Index of the op that writes it, PRODUCER_INPUT or PRODUCER_NONE. */
  producer: i32;
  /** Last op index that reads it (opCount for model outputs); -1 when nothing reads it. */
  lastUse: i32;
  /** Value whose buffer this one shares: itself, or the input of a reshape that aliases it. */
  alias: u32;
  /** Planned arena offset of its buffer, in floats per sample of the planned batch. */
  offset: u32;
  msgOffset: i32;
}

/** One weight tensor as stored in the file, plus what load derived from it. */
@unmanaged export class Tensor {
  rank: u32;
  d0: u32; d1: u32; d2: u32; d3: u32; d4: u32; d5: u32;
  n: u32;
  encoding: u32;
  bits: u32;
  codebookType: u32;
  riceK: u32;
  /** Stored codes of the sparse forms (the nnz field). */
  nnz: u32;
  /** Values that are not +0 or -0, counted at load (for info). */
  nonzeros: u32;
  /** Codebook entries. */
  entries: u32;
  data: usize;
  dataLength: u32;
  codebook: usize;
  codebookLength: u32;
  positions: usize;
  positionsLength: u32;
  /** f32 lookup table of the codebook (`entries` floats), 0 for ENC_F32 / ENC_F16. */
  table: usize;
  /** Dense f32 values [n] (decoded at load, or the file's own bytes for ENC_F32), 0 when not needed. */
  dense: usize;
  /** EXEC_DENSE or EXEC_COMPRESSED when an op uses it as a weight, else 0. */
  exec: u32;
  msgOffset: i32;
  /** Bytes of the whole field in the payload: tag, length prefix and message. */
  fieldBytes: u32;
}

/** One op: attributes from the file, then geometry and weight pointers from prepare. */
@unmanaged export class Op {
  type: u32;
  activation: u32;
  padding: u32;
  clipMax: f32;
  inputCount: u32;
  /** u32 value indices. */
  inputs: usize;
  outputCount: u32;
  output: u32;
  /** The file's reference to the tensor in the weight slot: tensor index + 1, 0 = none. */
  weightRef: u32;
  /** The file's reference to the tensor in the bias slot: tensor index + 1, 0 = none. */
  biasRef: u32;
  kernelCount: u32;
  kernelH: u32;
  kernelW: u32;
  strideCount: u32;
  strideH: u32;
  strideW: u32;
  msgOffset: i32;
  // ── Set by the graph check ──
  /** The op's entry in the kernel registry (registry.ts Kernel). */
  kernel: usize;
  // ── Set by prepare ──
  inH: i32; inW: i32; inC: i32;
  outH: i32; outW: i32; outC: i32;
  /** Window (conv: from the weight shape; pools: the kernel attribute). */
  windowH: i32; windowW: i32;
  padTop: i32; padLeft: i32;
  /** Depth multiplier D of depthwise conv. */
  depth: i32;
  /** Dense: input elements N per sample. Elementwise ops: elements per sample. */
  inSize: i32;
  /** Softmax axis length (last dim of the output). */
  lastAxis: i32;
  /** The weight as dense f32 in the kernel's layout, or 0 when the op runs from the compressed form. */
  denseWeight: usize;
  /** The Tensor record of the weight (what the compressed path walks), or 0. */
  weightRecord: usize;
  /** The bias slot's tensor as f32 (a bias [outC or M], or another per-channel vector), or 0. */
  denseBias: usize;
  /** The execution paths it runs through (its weight's, its pooling loop): bit PATH_* (formats/constants.ts), for opPaths. */
  paths: u32;
  /** The path eval takes where the kernel has several: compressed conv2d and depthwise (PATH_CONV_*), max pooling (PATH_POOL_*). */
  path: u32;
  /** Compressed conv2d on im2col tiles: output pixels per sample in one tile (whole output rows). */
  tilePixels: i32;
  /** A buffer the op's compressed kernel made at load (dense from Rice: the row index), 0 when there is none. */
  kernelBuffer: usize;
  /** Arena scratch the op asked for at prepare, in floats per sample (0 = none), and where the planner put it. */
  scratchFloats: u32;
  scratchOffset: u32;
  // ── From the file, last: only the ops that take params read them, and the fields above keep offsets < 128 (a
  // one-byte immediate in every load and store) ──
  /** The op's integer parameters (Op.params; formats/ops.ts says what they mean per op), at most MAX_RANK. */
  paramCount: u32;
  param0: u32; param1: u32; param2: u32; param3: u32; param4: u32; param5: u32;
}

// ── The model ────────────────────────────────────────────────────────────────
export let loaded = false;
export let fileLength: u32 = 0;
export let valueCount: u32 = 0;
export let values: usize = 0;
export let tensorCount: u32 = 0;
export let tensors: usize = 0;
export let opCount: u32 = 0;
export let ops: usize = 0;
export let inputCount: u32 = 0;
export let inputs: usize = 0;
export let outputCount: u32 = 0;
export let outputs: usize = 0;

export function setLoaded(state: bool): void {
  loaded = state;
}

export function setFileLength(length: u32): void {
  fileLength = length;
}

export function setTables(
  valueCount_: u32, values_: usize, tensorCount_: u32, tensors_: usize, opCount_: u32, ops_: usize,
  inputCount_: u32, inputs_: usize, outputCount_: u32, outputs_: usize,
): void {
  valueCount = valueCount_; values = values_;
  tensorCount = tensorCount_; tensors = tensors_;
  opCount = opCount_; ops = ops_;
  inputCount = inputCount_; inputs = inputs_;
  outputCount = outputCount_; outputs = outputs_;
}

@inline export function valueAt(index: u32): Value {
  return changetype<Value>(values + <usize>index * offsetof<Value>());
}

@inline export function tensorAt(index: u32): Tensor {
  return changetype<Tensor>(tensors + <usize>index * offsetof<Tensor>());
}

@inline export function opAt(index: u32): Op {
  return changetype<Op>(ops + <usize>index * offsetof<Op>());
}

@inline export function opInput(op: Op, index: u32): u32 {
  return load<u32>(op.inputs + (<usize>index << 2));
}

@inline export function modelInput(index: u32): u32 {
  return load<u32>(inputs + (<usize>index << 2));
}

@inline export function modelOutput(index: u32): u32 {
  return load<u32>(outputs + (<usize>index << 2));
}

/** Parameter `index` (< op.paramCount) of an op. */
@inline export function opParam(op: Op, index: u32): u32 {
  return load<u32>(changetype<usize>(op) + offsetof<Op>('param0') + (<usize>index << 2));
}

/** Dimension `index` of a Value or Tensor record (both start with rank, d0..d5). */
@inline export function dimOf(record: usize, index: u32): u32 {
  return load<u32>(record + 4 + (<usize>index << 2));
}
