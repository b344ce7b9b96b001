// Public API of sqz's format layer: the .sqz container, tensor encodings and their bit-level codecs.
export * from './constants.js';
export { SqzError, SqzFormatError, SqzInputError, errorCodeName } from './errors.js';
export {
  SQZ_PROTO_TEXT,
  sqzProtoTypes,
  newOp,
  type ModelMessage,
  type ValueMessage,
  type OpMessage,
  type TensorMessage,
  type SqzProtoTypes,
} from './schema.js';
export { readSqz, writeSqz, wrapPayload, sqzFileBytesForModel } from './container.js';
export { validateModel, type ModelOffsets } from './model_check.js';
export {
  OPS,
  opByCode,
  opByName,
  opByKerasClass,
  opName,
  formatShape,
  type OpName,
  type OpDescriptor,
  type OpAttribute,
  type OpShapeContext,
  type KerasLayer,
  type KerasWeight,
  type KerasContext,
} from './ops.js';
export {
  ACTIVATIONS,
  activationByCode,
  activationByName,
  activationByKeras,
  activationName,
  applyActivation,
  type ActivationName,
  type ActivationDescriptor,
} from './activations.js';
export { EXEC_PATHS, execPathName, type ExecPathDescriptor } from './exec_paths.js';
export {
  ENCODINGS,
  encodingByCode,
  encodingName,
  TENSOR_FIELDS,
  type EncodingName,
  type EncodingDescriptor,
  type TensorField,
} from './encodings.js';
export {
  encodeTensor,
  encodeTensorAs,
  riceKForSmallestTensor,
  MAX_CODEBOOK_ENTRIES,
  type EncodeOptions,
} from './tensor_codec.js';
export {
  decodeTensor,
  validateTensor,
  tensorStats,
  tensorElementCount,
  MAX_TENSOR_ELEMENTS,
  type TensorStats,
} from './tensor_decode.js';
export {
  modelByteAccount,
  tensorByteParts,
  tensorPartsTotal,
  type ModelByteAccount,
  type TensorByteParts,
  type LayerBytes,
  type LayerByteParts,
  type FileByteTotals,
} from './byte_account.js';
export {
  encodedTensorBytes,
  tensorBodyBytes,
  opBodyBytes,
  valueBodyBytes,
  modelBytes,
  varintBytes,
} from './message_size.js';
export { BitReader, BitWriter, packCodes, unpackCodes, packedByteLength, bitsForCount } from './bits.js';
export { riceEncode, riceDecode, riceBitLength, riceBitLengths, riceKForShortestStream, RICE_K_MAX } from './rice.js';
export { bitmapEncode, bitmapDecode, bitmapByteLength } from './bitmap.js';
export {
  f32ToF16,
  f16ToF32,
  f32BitsToF16Bits,
  f16BitsToF32Bits,
  isF16Exact,
  allF16Exact,
  encodeF16,
  decodeF16,
} from './f16.js';
export { crc32 } from './crc32.js';
