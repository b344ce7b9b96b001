// Parses a .sqz file: the 14-byte header (checked in the order formats/README.md gives), then the sqz.Model payload
// into the records of model.ts. Two passes over the payload: the first counts values, tensors, ops and model
// inputs/outputs so the record arrays can be sized; the second fills them. Unknown fields are skipped by wire type.
// Byte fields (tensor data, codebook, positions) stay in the file: records point at them.

import {
  ERR_CHECKSUM, ERR_MAGIC, ERR_MALFORMED, ERR_NONE, ERR_TRUNCATED, ERR_UNSUPPORTED, ERR_VERSION, FORMAT_VERSION,
  HEADER_BYTES, MAGIC_0, MAGIC_1, MAGIC_2, MAGIC_3,
} from '../formats/constants';
import { crc32 } from './crc32';
import {
  E_ATTR_COUNT, E_CRC, E_HEADER_SHORT, E_MAGIC, E_OP_ARITY, E_PAYLOAD_SHORT, E_RANK, E_TOO_MANY, E_TRAILING,
  E_VERSION, errCode, fail, gotExpected,
} from './errors';
import { allocZeroed } from './heap';
import {
  MAX_OP_INPUTS, MAX_OPS, MAX_RANK, MAX_TENSORS, MAX_VALUES, Op, Tensor, Value, opAt, setTables, tensorAt, valueAt,
} from './model';
import {
  WIRE_FIXED32, WIRE_LEN, WIRE_VARINT, end, enter, fieldNumber, leave, offsetOf, pos, readFixed32,
  readLengthDelimited, readRepeatedU32, readTag, readVarint32, seek, setReader, skipField, tagStart, wireType,
  wrongWireType,
} from './wire';

/** Checks the header and CRC; returns ERR_NONE and leaves the payload range in payloadStart/payloadEnd. */
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

/** Parses one Op message; the first scan only counts its inputs so the input list can be sized. */
function parseOp(op: Op, messageEnd: usize): void {
  let start = pos;
  op.msgOffset = offsetOf(start);
  let saved = enter(messageEnd);
  let inputCount: u32 = 0;
  while (readTag()) {
    if (fieldNumber == 2) inputCount = readRepeatedU32(0, inputCount, MAX_OP_INPUTS, ERR_UNSUPPORTED, E_TOO_MANY);
    else skipField();
  }
  if (errCode == ERR_NONE) {
    op.inputs = allocZeroed(<u64>inputCount << 2);
    seek(start);
  }
  while (readTag()) {
    let field = fieldNumber;
    if (field == 2) {
      op.inputCount = readRepeatedU32(op.inputs, op.inputCount, inputCount, ERR_MALFORMED, E_TOO_MANY);
    } else if (field == 3) {
      op.outputCount = readRepeatedU32(changetype<usize>(op) + offsetof<Op>('output'), op.outputCount, 1,
        ERR_MALFORMED, E_OP_ARITY);
    } else if (field == 6) {
      op.kernelCount = readRepeatedU32(changetype<usize>(op) + offsetof<Op>('kernelH'), op.kernelCount, 2,
        ERR_MALFORMED, E_ATTR_COUNT);
    } else if (field == 7) {
      op.strideCount = readRepeatedU32(changetype<usize>(op) + offsetof<Op>('strideH'), op.strideCount, 2,
        ERR_MALFORMED, E_ATTR_COUNT);
    } else if (field == 10) {
      if (wireType != WIRE_FIXED32) wrongWireType();
      else op.clipMax = reinterpret<f32>(readFixed32());
    } else if (field == 1) op.type = varintField();
    else if (field == 4) op.weight = varintField();
    else if (field == 5) op.bias = varintField();
    else if (field == 8) op.padding = varintField();
    else if (field == 9) op.activation = varintField();
    else skipField();
  }
  leave(saved);
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
        opIndex++;
      }
      seek(messageEnd);
    } else if (field == 4) {
      inputIndex = readRepeatedU32(fill ? modelLists : 0, inputIndex, MAX_VALUES, ERR_UNSUPPORTED, E_TOO_MANY);
    } else if (field == 5) {
      outputIndex = readRepeatedU32(fill ? modelLists + (<usize>countedInputs << 2) : 0, outputIndex, MAX_VALUES,
        ERR_UNSUPPORTED, E_TOO_MANY);
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
let modelLists: usize = 0;

/** Parses the payload [start, start + length) of the file at `file` into fresh records. */
export function parseModel(file: usize, start: usize, length: u32): i32 {
  let payloadEnd = start + <usize>length;
  walkModel(file, start, payloadEnd, false);
  if (errCode != ERR_NONE) return errCode;
  let values = allocZeroed(<u64>countedValues * offsetof<Value>());
  let tensors = allocZeroed(<u64>countedTensors * offsetof<Tensor>());
  let ops = allocZeroed(<u64>countedOps * offsetof<Op>());
  modelLists = allocZeroed(<u64>(countedInputs + countedOutputs) << 2);
  if (errCode != ERR_NONE) return errCode;
  setTables(countedValues, values, countedTensors, tensors, countedOps, ops,
    countedInputs, modelLists, countedOutputs, modelLists + (<usize>countedInputs << 2));
  walkModel(file, start, payloadEnd, true);
  return errCode;
}
