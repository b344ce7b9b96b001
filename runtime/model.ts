// SqzModel: one WebAssembly instance per loaded .sqz model, driven through the raw-pointer ABI (no generated
// bindings: they would copy typed arrays on every call). Buffers are allocated once by the instance; views on its
// memory are re-created after every call that may grow it (alloc, load, plan, decodeTensor).

import {
  ERR_CHECKSUM,
  ERR_INPUT,
  ERR_MAGIC,
  ERR_MALFORMED,
  ERR_MEMORY,
  ERR_NONE,
  ERR_SHAPE,
  ERR_STATE,
  ERR_TRUNCATED,
  ERR_UNSUPPORTED,
  ERR_VERSION,
  EXEC_AUTO,
  EXEC_COMPRESSED,
  EXEC_DENSE,
} from '../formats/constants.js';
import { SqzError, SqzFormatError, SqzInputError, errorCodeName } from '../formats/errors.js';
import { missingFeatureHint } from './missing_feature.js';
import { SqzMemoryLimitError } from './errors.js';
import { type ModelInfo, readModelInfo, withMemoryFigures } from './info.js';
import { readFileMetadata } from './metadata.js';
import { type SqzWasmExports, type WasmError, lastWasmError } from './wasm_exports.js';
import { type ModelSource, readModelSource } from './source.js';
import { type WasmVariant, detectSimd, moduleFor, moduleFromBytes } from './wasm_module.js';

export type ExecChoice = 'auto' | 'dense' | 'compressed';

export interface LoadOptions {
  /** How weight layers run: 'auto' (compressed when sparse enough, the default), 'dense' or 'compressed'. */
  exec?: ExecChoice;
  /** Use the SIMD build; default: whatever this engine supports. */
  simd?: boolean;
  /** Bring your own runtime module bytes (sqz.wasm or sqz-scalar.wasm) instead of reading build/. */
  wasm?: Uint8Array | ArrayBuffer;
  /**
   * Cap on the instance's WebAssembly memory in bytes, as a device's budget (rounded down to whole 64 KiB pages;
   * at least 65536). A model, or later a predict batch, that would need more is refused with SqzMemoryLimitError
   * before memory grows. Default: no cap beyond the 4 GiB a wasm32 memory can address.
   */
  memoryLimit?: number;
}

export type { ModelSource };

const EXEC_MODES: Record<ExecChoice, number> = { auto: EXEC_AUTO, dense: EXEC_DENSE, compressed: EXEC_COMPRESSED };

/** What the user can do about each load failure, by ERR_* code. */
const LOAD_HINTS: Record<number, string> = {
  [ERR_TRUNCATED]: 'the file is incomplete: copy or download it again',
  [ERR_MAGIC]: 'this is not a .sqz file',
  [ERR_VERSION]: 'the file needs a newer sqz runtime',
  [ERR_CHECKSUM]: 'the file is corrupt: copy or download it again',
  [ERR_MALFORMED]: 'the file is damaged or was written by a faulty encoder: export it again',
  [ERR_UNSUPPORTED]: 'this runtime does not support it: upgrade sqz or export the model without it',
  [ERR_SHAPE]: 'the file is damaged or was written by a faulty encoder: export it again',
};

function describe(error: WasmError, hint?: string): string {
  const where = error.offset >= 0 ? ` at byte ${error.offset}` : '';
  const advice = hint !== undefined ? ` (${hint})` : '';
  return `sqz ${errorCodeName(error.code)}${where}: ${error.message}${advice}`;
}

/** The most a wasm32 memory can hold (65535 pages): the runtime's limit when none is set. */
const ADDRESS_SPACE_BYTES = 0xffff_0000;

const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;

/**
 * The error for ERR_MEMORY from alloc, load or plan: SqzMemoryLimitError when the runtime's pre-check refused (the
 * need it computed passes the limit), else SqzError (the engine would not grow memory).
 * @param what the subject of the message ("the model", "batch 64")
 * @param advice what to do about a refusal
 */
function memoryError(exports: SqzWasmExports, what: string, advice: string): SqzError {
  const error = lastWasmError(exports);
  const needed = typeof exports.memoryNeed === 'function' ? Number(exports.memoryNeed()) : 0;
  const limit = typeof exports.memoryLimit === 'function' ? exports.memoryLimit() >>> 0 : ADDRESS_SPACE_BYTES;
  if (needed <= limit) {
    return new SqzError(
      error.code,
      describe(error, `${what} needs more memory than the instance could get`),
      error.offset,
    );
  }
  const over =
    limit === ADDRESS_SPACE_BYTES
      ? 'more than a WebAssembly memory can hold (4 GiB)'
      : `more than memoryLimit allows (${limit} bytes, ${mib(limit)})`;
  return new SqzMemoryLimitError(
    `sqz out-of-memory: ${what} needs ${needed} bytes of WebAssembly memory (${mib(needed)}), ` + `${over}: ${advice}`,
    needed,
    limit,
  );
}

/** Checks LoadOptions.memoryLimit; returns the value for setMemoryLimit (0 = none). */
function memoryLimitArgument(limit: number): number {
  if (typeof limit !== 'number' || !(limit >= 65536) || (!Number.isInteger(limit) && limit !== Infinity)) {
    throw new RangeError(
      `SqzModel.load: options.memoryLimit must be a whole number of bytes, at least 65536 (one ` +
        `WebAssembly page), got ${String(limit)}`,
    );
  }
  return limit >= 2 ** 32 ? 0 : limit;
}

function checkFloats(value: unknown, what: string): Float32Array {
  if (!(value instanceof Float32Array)) {
    throw new SqzInputError(ERR_INPUT, `${what} must be a Float32Array`);
  }
  return value;
}

export class SqzModel {
  #exports: SqzWasmExports | undefined;
  readonly #staticInfo: ModelInfo;

  private constructor(exports: SqzWasmExports, variant: WasmVariant | 'custom', file: Uint8Array) {
    this.#exports = exports;
    this.#staticInfo = { ...readModelInfo(exports, variant), ...readFileMetadata(file) };
  }

  /**
   * Loads a .sqz model into a fresh runtime instance.
   * @param source the file's bytes, or a URL / path to read (in Node, a string that is not an http(s), blob or
   *   data URL is a file path)
   * @throws SqzFormatError when the file is not a valid .sqz model; SqzMemoryLimitError when it needs more memory
   *   than options.memoryLimit (or a wasm32 memory) allows; SqzError when the engine will not grow memory
   */
  static async load(source: ModelSource, options: LoadOptions = {}): Promise<SqzModel> {
    const exec = options.exec ?? 'auto';
    if (!(exec in EXEC_MODES)) {
      throw new TypeError(`SqzModel.load: options.exec must be 'auto', 'dense' or 'compressed', got ${String(exec)}`);
    }
    if (options.simd === true && options.wasm === undefined && !detectSimd()) {
      throw new Error(
        'SqzModel.load: this WebAssembly engine has no SIMD support; load with { simd: false } ' +
          '(or leave `simd` unset to choose automatically)',
      );
    }
    const limit = options.memoryLimit === undefined ? undefined : memoryLimitArgument(options.memoryLimit);
    const variant: WasmVariant = (options.simd ?? detectSimd()) ? 'simd' : 'scalar';
    const [bytes, module] = await Promise.all([
      readModelSource(source, 'SqzModel.load'),
      options.wasm !== undefined ? moduleFromBytes(options.wasm) : moduleFor(variant),
    ]);
    const instance = await WebAssembly.instantiate(module, {});
    const exports = instance.exports as unknown as SqzWasmExports;
    if (limit !== undefined) {
      if (typeof exports.setMemoryLimit !== 'function') {
        throw new Error('SqzModel.load: this runtime module has no setMemoryLimit export: use a newer sqz.wasm');
      }
      exports.setMemoryLimit(limit);
    }
    const raise = limit !== undefined ? 'raise memoryLimit' : '';
    const ptr = exports.alloc(bytes.length) >>> 0;
    if (ptr === 0) {
      throw memoryError(exports, `the ${bytes.length}-byte file`, raise || 'the file is too large for WebAssembly');
    }
    new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
    const code = exports.load(ptr, bytes.length, EXEC_MODES[exec]);
    if (code !== ERR_NONE) {
      if (code === ERR_MEMORY) {
        const compressed =
          exec === 'compressed'
            ? ''
            : "load with { exec: 'compressed' } (weights then run from their stored form instead of being decoded to f32)";
        throw memoryError(
          exports,
          'the model',
          [raise, compressed].filter((a) => a !== '').join(', or ') || 'the model is too large for WebAssembly',
        );
      }
      const error = lastWasmError(exports);
      throw new SqzFormatError(code, describe(error, missingFeatureHint(exports) ?? LOAD_HINTS[code]), error.offset);
    }
    return new SqzModel(exports, options.wasm !== undefined ? 'custom' : variant, bytes);
  }

  /** The live exports, or a clear error after dispose. */
  #live(): SqzWasmExports {
    if (this.#exports === undefined) {
      throw new SqzError(ERR_STATE, 'sqz bad-state: this model was disposed; load it again to use it');
    }
    return this.#exports;
  }

  /** What the model is and what it costs (see ModelInfo). */
  get info(): ModelInfo {
    return withMemoryFigures(this.#staticInfo, this.#live());
  }

  /**
   * Runs the model's first output for `batch` samples.
   * @param input the samples, concatenated: batch × (floats per sample) values; an array with one entry per model
   *   input for multi-input models
   * @returns a copy of the first output: batch × (its floats per sample)
   * @throws SqzInputError on a wrong input count or length; SqzMemoryLimitError when a batch larger than any before
   *   needs more memory than memoryLimit allows (the model stays usable in both cases)
   */
  predict(input: Float32Array | Float32Array[], batch = 1): Float32Array {
    return this.#run(input, batch, false)[0];
  }

  /** Like predict, returning every model output (copies), in the model's output order. */
  predictAll(input: Float32Array | Float32Array[], batch = 1): Float32Array[] {
    return this.#run(input, batch, true);
  }

  #run(input: Float32Array | Float32Array[], batch: number, all: boolean): Float32Array[] {
    const exports = this.#live();
    const inputs = Array.isArray(input) ? input : [input];
    const inputCount = exports.inputCount();
    if (inputs.length !== inputCount) {
      throw new SqzInputError(ERR_INPUT, `the model takes ${inputCount} input(s), got ${inputs.length}`);
    }
    if (!Number.isInteger(batch) || batch < 1 || batch > 0xffff_ffff) {
      throw new SqzInputError(ERR_INPUT, `batch must be a positive integer, got ${String(batch)}`);
    }
    for (let i = 0; i < inputCount; i++) {
      const floats = checkFloats(inputs[i], inputCount === 1 ? 'input' : `input ${i}`);
      const perSample = exports.inputLength(i);
      if (floats.length !== perSample * batch) {
        const which = inputCount === 1 ? 'input' : `input ${i}`;
        throw new SqzInputError(
          ERR_INPUT,
          `${which} has ${floats.length} floats; the model takes ${perSample} per ` +
            `sample × batch ${batch} = ${perSample * batch}`,
        );
      }
    }
    if (batch > exports.plannedBatchSize()) {
      const code = exports.plan(batch);
      if (code !== ERR_NONE) {
        throw memoryError(
          exports,
          `batch ${batch}`,
          `use smaller batches (up to ${exports.plannedBatchSize()} already fit)` +
            (exports.memoryLimit?.() >>> 0 === ADDRESS_SPACE_BYTES ? '' : ', or raise memoryLimit'),
        );
      }
    }
    const buffer = exports.memory.buffer; // valid until the next call that can grow memory
    for (let i = 0; i < inputCount; i++) {
      new Float32Array(buffer, exports.inputPtr(i) >>> 0, inputs[i].length).set(inputs[i]);
    }
    const code = exports.run(batch);
    if (code !== ERR_NONE) {
      const error = lastWasmError(exports);
      throw code === ERR_INPUT ? new SqzInputError(code, describe(error)) : new SqzError(code, describe(error));
    }
    const outputs: Float32Array[] = [];
    const count = all ? exports.outputCount() : 1;
    for (let i = 0; i < count; i++) {
      const length = exports.outputLength(i) * batch;
      outputs.push(new Float32Array(exports.memory.buffer, exports.outputPtr(i) >>> 0, length).slice());
    }
    return outputs;
  }

  /**
   * Test and tooling hook: tensor `index` decoded by the wasm runtime to dense f32 (a copy). Allocates in the
   * instance until the next re-plan; not used by predict. The general runtime only: a tailored one throws SqzError.
   */
  decodeTensor(index: number): Float32Array {
    const exports = this.#live();
    if (exports.decodeTensor === undefined) {
      throw new SqzError(
        ERR_STATE,
        'sqz bad-state: decodeTensor is a test hook of the general runtime, which this runtime module ' +
          '(a tailored one, from sqz runtime) leaves out: load without options.wasm to use it',
      );
    }
    const n = exports.tensorN(index) >>> 0;
    const ptr = exports.decodeTensor(index) >>> 0;
    if (ptr === 0) {
      const error = lastWasmError(exports);
      throw new SqzError(error.code, describe(error));
    }
    return new Float32Array(exports.memory.buffer, ptr, n).slice();
  }

  /** The raw instance exports, for tests and tools that inspect the plan (valueOffset, planOverlaps, ...). */
  get wasmExports(): SqzWasmExports {
    return this.#live();
  }

  /** Drops the instance; any later call throws SqzError (ERR_STATE). */
  dispose(): void {
    this.#exports = undefined;
  }
}
