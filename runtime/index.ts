// sqz runtime: load a .sqz model into WebAssembly and run it, in browsers and Node.
//
//   const model = await SqzModel.load('model.sqz');        // or bytes, or a URL; { memoryLimit: bytes } caps memory
//   const scores = model.predict(new Float32Array(784));  // batch 1
//   console.log(model.info.tensors);
//   model.dispose();

export { SqzModel, type ExecChoice, type LoadOptions, type ModelSource } from './model.js';
export type { ActivationName, EncodingName, ExecName, ModelInfo, OpInfo, OpTypeName, TensorInfo } from './info.js';
export { detectSimd, type WasmVariant } from './wasm_module.js';
export type { SqzWasmExports } from './wasm_exports.js';
export { SqzError, SqzFormatError, SqzInputError, errorCodeName } from '../formats/errors.js';
export { SqzMemoryLimitError } from './errors.js';
