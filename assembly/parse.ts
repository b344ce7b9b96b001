// Parses a .sqz file: the 14-byte header (checked in the order formats/README.md gives), then the sqz.Model payload
// into the records of model.ts. Two passes over the payload: the first counts values, tensors, ops, model
// inputs/outputs and op inputs so the records can be sized (and their memory checked against the limit before they
// are allocated); the second fills them. Unknown fields are skipped by wire type.
// Byte fields (tensor data, codebook, positions) stay in the file: records point at them.

import {
  ERR_CHECKSUM, ERR_MAGIC, ERR_MALFORMED, ERR_NONE, ERR_TRUNCATED, ERR_UNSUPPORTED, ERR_VERSION, FORMAT_VERSION,
  HEADER_BYTES, MAGIC_0, MAGIC_1, MAGIC_2, MAGIC_3,
} from '../formats/constants';
import { crc32 } from './crc32';
import { paramsBuilt } from './features';
import {
  E_ATTR_COUNT, E_CRC, E_PARAMS, E_HEADER_SHORT, E_MAGIC, E_OP_ARITY, E_PAYLOAD_SHORT, E_RANK, E_TOO_MANY, E_TRAILING,
  E_VERSION, errCode, fail, gotExpected,
} from './errors';
import { allocZeroed, blockBytes, checkNeed, heapTop } from './heap';
import {
  MAX_OP_INPUTS, MAX_OPS, MAX_RANK, MAX_TENSORS, MAX_VALUES, Op, Tensor, Value, opAt, setTables, tensorAt, valueAt,
} from './model';
import { allocatePlanTable, planTableBytes } from './planner';
import {
  WIRE_FIXED32, WIRE_LEN, WIRE_VARINT, end, enter, fieldNumber, leave, offsetOf, pos, readFixed32,
  readLengthDelimited, readRepeatedU32, readTag, readVarint32, seek, setReader, skipField, tagStart, wireType,
  wrongWireType,
} from './wire';

/**
 * Checks the header (magic, version, payload length), the CRC and that no bytes follow the payload; returns ERR_NONE
 * or the error. The payload is then [file + HEADER_BYTES, file + length): the caller passes that range to parseModel.
 */
export function checkContainer(file: usize, length: u32): i32 {
  if (length < <u32>HEADER_BYTES) {
    fail(ERR_TRUNCATED, E_HEADER_SHORT, 0);
    return gotExpected(length, HEADER_BYTES);
  }
  if (load<u8>(file) != MAGIC_0 || load<u8>(file, 1) != MAGIC_1 || load<u8>(file, 2) != MAGIC_2 ||
      load<u8>(file, 3) != MAGIC_3) {
    return fail(ERR_MAGIC, E_MAGIC, 0);
  }
  let version = <u32>load<u16>(file, 4);
  if (version != FORMAT_VERSION) {
    fail(ERR_VERSION, E_VERSION, 4);
    return gotExpected(version, FORMAT_VERSION);
  }
  let payloadLength = load<u32>(file, 6);
  let present = length - <u32>HEADER_BYTES;
  if (payloadLength > present) {
    fail(ERR_TRUNCATED, E_PAYLOAD_SHORT, 6);
    return gotExpected(present, payloadLength);
  }
  let payload = file + <usize>HEADER_BYTES;
  if (crc32(payload, payloadLength) != load<u32>(file, 10)) return fail(ERR_CHECKSUM, E_CRC, 10);
  if (payloadLength < present) {
    fail(ERR_MALFORMED, E_TRAILING, HEADER_BYTES + <i32>payloadLength);
    return gotExpected(present, payloadLength);
  }
  return ERR_NONE;
}

/** A varint field's value, or records a wrong wire type. */
function varintField(): u32 {
  if (wireType != WIRE_VARINT) {
    wrongWireType();
    return 0;
  }
  return readVarint32();
}

/** A length-delimited field: returns the end of its payload (which starts at `pos`), or 0 on error. */
function bytesField(): usize {
  if (wireType != WIRE_LEN) {
    wrongWireType();
    return 0;
  }
  return readLengthDelimited();
}

function parseValue(value: Value, messageEnd: usize): void {
  value.msgOffset = offsetOf(pos);
  let saved = enter(messageEnd);
  while (readTag()) {
    if (fieldNumber == 1) {
      value.rank = readRepeatedU32(changetype<usize>(value) + 4, value.rank, MAX_RANK, ERR_UNSUPPORTED, E_RANK);
    } else {
      skipField();
    }
  }
  leave(saved);
}

function parseTensor(tensor: Tensor, fieldStart: usize, messageEnd: usize): void {
  tensor.msgOffset = offsetOf(pos);
  tensor.fieldBytes = <u32>(messageEnd - fieldStart);
  let saved = enter(messageEnd);
  while (readTag()) {
    let field = fieldNumber;
    if (field == 1) {
      tensor.rank = readRepeatedU32(changetype<usize>(tensor) + 4, tensor.rank, MAX_RANK, ERR_UNSUPPORTED, E_RANK);
    } else if (field == 3 || field == 5 || field == 7) {
      let bytesEnd = bytesField();
      if (errCode != ERR_NONE) break;
      let start = pos;
      let length = <u32>(bytesEnd - start);
      if (field == 3) { tensor.data = start; tensor.dataLength = length; }
      else if (field == 5) { tensor.codebook = start; tensor.codebookLength = length; }
      else { tensor.positions = start; tensor.positionsLength = length; }
      seek(bytesEnd);
    } else if (field == 2) tensor.encoding = varintField();
    else if (field == 4) tensor.bits = varintField();
    else if (field == 6) tensor.codebookType = varintField();
    else if (field == 8) tensor.riceK = varintField();
    else if (field == 9) tensor.nnz = varintField();
    else skipField();
  }
  leave(saved);
}

/** Pass 1 of an Op message: counts its inputs, so one block can hold every op's input list. */
function countOpInputs(messageEnd: usize): void {
  let saved = enter(messageEnd);
  let inputCount: u32 = 0;
  while (readTag()) {
    if (fieldNumber == 2) inputCount = readRepeatedU32(0, inputCount, MAX_OP_INPUTS, ERR_UNSUPPORTED, E_TOO_MANY);
    else skipField();
  }
  leave(saved);
  countedOpInputs += inputCount;
}

/** Pass 2 of an Op message: its input list goes to the next free entries of the op input block. */
function parseOp(op: Op, messageEnd: usize): void {
  op.msgOffset = offsetOf(pos);
  op.inputs = opInputLists + (<usize>opInputsUsed << 2);
  let saved = enter(messageEnd);
  while (readTag()) {
    let field = fieldNumber;
    if (field == 2) {
      // Pass 1 counted the same bytes, so the op's inputs fit in what is left of the block.
      op.inputCount = readRepeatedU32(op.inputs, op.inputCount, countedOpInputs - opInputsUsed, ERR_MALFORMED, E_TOO_MANY);
    } else if (field == 3) {
      op.outputCount = readRepeatedU32(changetype<usize>(op) + offsetof<Op>('output'), op.outputCount, 1,
        ERR_MALFORMED, E_OP_ARITY);
    } else if (field == 6) {
      op.kernelCount = readRepeatedU32(changetype<usize>(op) + offsetof<Op>('kernelH'), op.kernelCount, 2,
        ERR_MALFORMED, E_ATTR_COUNT);
    } else if (field == 7) {
      op.strideCount = readRepeatedU32(changetype<usize>(op) + offsetof<Op>('strideH'), op.strideCount, 2,
        ERR_MALFORMED, E_ATTR_COUNT);
    } else if (field == 11 && paramsBuilt()) {
      op.paramCount = readRepeatedU32(changetype<usize>(op) + offsetof<Op>('param0'), op.paramCount, MAX_RANK,
        ERR_MALFORMED, E_PARAMS);
    } else if (field == 10) {
      if (wireType != WIRE_FIXED32) wrongWireType();
      else op.clipMax = reinterpret<f32>(readFixed32());
    } else if (field == 1) op.type = varintField();
    else if (field == 4) op.weightRef = varintField();
    else if (field == 5) op.biasRef = varintField();
    else if (field == 8) op.padding = varintField();
    else if (field == 9) op.activation = varintField();
    else skipField();
  }
  leave(saved);
  opInputsUsed += op.inputCount;
}

/** Counts (pass 1) or fills (pass 2) the model's records from the payload [start, payloadEnd). */
function walkModel(file: usize, start: usize, payloadEnd: usize, fill: bool): void {
  setReader(file, start, payloadEnd);
  let valueIndex: u32 = 0, tensorIndex: u32 = 0, opIndex: u32 = 0, inputIndex: u32 = 0, outputIndex: u32 = 0;
  while (readTag()) {
    let field = fieldNumber;
    if (field >= 1 && field <= 3) {
      let fieldStart = tagStart;
      let messageEnd = bytesField();
      if (errCode != ERR_NONE) break;
      if (field == 1) {
        if (valueIndex >= MAX_VALUES) { fail(ERR_UNSUPPORTED, E_TOO_MANY, offsetOf(fieldStart)); break; }
        if (fill) parseValue(valueAt(valueIndex), messageEnd);
        valueIndex++;
      } else if (field == 2) {
        if (tensorIndex >= MAX_TENSORS) { fail(ERR_UNSUPPORTED, E_TOO_MANY, offsetOf(fieldStart)); break; }
        if (fill) parseTensor(tensorAt(tensorIndex), fieldStart, messageEnd);
        tensorIndex++;
      } else {
        if (opIndex >= MAX_OPS) { fail(ERR_UNSUPPORTED, E_TOO_MANY, offsetOf(fieldStart)); break; }
        if (fill) parseOp(opAt(opIndex), messageEnd);
        else countOpInputs(messageEnd);
        opIndex++;
      }
      seek(messageEnd);
    } else if (field == 4) {
      inputIndex = readRepeatedU32(fill ? modelLists : 0, inputIndex, MAX_VALUES, ERR_UNSUPPORTED, E_TOO_MANY);
    } else if (field == 5) {
      outputIndex = readRepeatedU32(fill ? modelLists + (<usize>countedInputs << 2) : 0, outputIndex, MAX_VALUES,
        ERR_UNSUPPORTED, E_TOO_MANY);
    } else if (field == 6 || field == 7) {
      // class_names, input_range: for hosts, not inference; only their wire type is checked, as the TS reader does
      let fieldEnd = bytesField();
      if (errCode != ERR_NONE) break;
      seek(fieldEnd);
    } else {
      skipField();
    }
  }
  if (!fill) {
    countedValues = valueIndex;
    countedTensors = tensorIndex;
    countedOps = opIndex;
    countedInputs = inputIndex;
    countedOutputs = outputIndex;
  }
}

let countedValues: u32 = 0;
let countedTensors: u32 = 0;
let countedOps: u32 = 0;
let countedInputs: u32 = 0;
let countedOutputs: u32 = 0;
let countedOpInputs: u32 = 0;
let opInputsUsed: u32 = 0;
/** The model's input and output lists, then every op's input list: one block. */
let modelLists: usize = 0;
let opInputLists: usize = 0;

/**
 * Parses the payload [start, start + length) of the file at `file` into fresh records. Pass 1 counts them; the
 * memory pre-check then covers the records and the planner's table before either is allocated.
 */
export function parseModel(file: usize, start: usize, length: u32): i32 {
  let payloadEnd = start + <usize>length;
  countedOpInputs = 0;
  opInputsUsed = 0;
  walkModel(file, start, payloadEnd, false);
  if (errCode != ERR_NONE) return errCode;
  // One zeroed block: values, tensors, ops, then the model's input and output lists and every op's input list.
  let valueBytes = blockBytes(<u64>countedValues * offsetof<Value>());
  let tensorBytes = blockBytes(<u64>countedTensors * offsetof<Tensor>());
  let opBytes = blockBytes(<u64>countedOps * offsetof<Op>());
  let recordBytes = valueBytes + tensorBytes + opBytes + (<u64>(countedInputs + countedOutputs + countedOpInputs) << 2);
  let planCount = countedValues + countedOps;
  if (checkNeed(<u64>heapTop + blockBytes(recordBytes) + planTableBytes(planCount)) != ERR_NONE) return errCode;
  let values = allocZeroed(recordBytes);
  if (values == 0 || !allocatePlanTable(planCount)) return errCode;
  let tensors = values + <usize>valueBytes;
  let ops = tensors + <usize>tensorBytes;
  modelLists = ops + <usize>opBytes;
  opInputLists = modelLists + (<usize>(countedInputs + countedOutputs) << 2);
  setTables(countedValues, values, countedTensors, tensors, countedOps, ops,
    countedInputs, modelLists, countedOutputs, modelLists + (<usize>countedInputs << 2));
  walkModel(file, start, payloadEnd, true);
  return errCode;
}
