// Feeds one fuzz input to every reader and checks the hostile-input contract:
// - wasm runtime (raw ABI, one long-lived instance per build): load returns a known ERR_* code with a message, never
//   traps; memory grows no further than the bound the file's declared sizes justify (memoryBound); the memory
//   pre-check's need is the heap top a successful load or plan reaches; with a memory cap set, memory never grows
//   past it and every ERR_MEMORY is the pre-check's refusal; a loaded model plans and runs; after a failure the same
//   instance still loads a valid seed and gives its reference output;
// - SqzModel (every `modelEvery`-th input): resolves, or rejects with SqzError carrying a code and a message;
// - TS reader (readSqz): returns a model or throws SqzFormatError with a message.
// Anything else is a finding. Time per input is measured: wasm calls cannot be pre-empted in-process, so an endless
// loop would stop the run (the test's timeout catches that); an input slower than SLOW_MS (bench/fuzz.ts) is a finding too.
import {
  ERR_CHECKSUM,
  ERR_MAGIC,
  ERR_MALFORMED,
  ERR_MEMORY,
  ERR_NONE,
  ERR_SHAPE,
  ERR_TRUNCATED,
  ERR_UNSUPPORTED,
  ERR_VERSION,
  HEADER_BYTES,
  SqzError,
  SqzFormatError,
  errorCodeName,
  readSqz,
  sqzProtoTypes,
  type ModelMessage,
} from '../../formats/index.js';
import { SqzModel, type SqzWasmExports } from '../../runtime/index.js';
import { errorMessage, loadRaw, newInstance, predictRaw } from '../runtime/raw_instance.js';
import { rng } from '../fixtures/random.js';
import { runModelReference } from '../runtime/reference/run_model.js';
import type { FuzzInput } from './mutate.js';
import type { Seed } from './seeds.js';

/** Load codes a file may legitimately produce (ERR_INPUT / ERR_STATE are about host calls, not files). */
const FILE_CODES = new Set([
  ERR_NONE,
  ERR_TRUNCATED,
  ERR_MAGIC,
  ERR_VERSION,
  ERR_CHECKSUM,
  ERR_MALFORMED,
  ERR_UNSUPPORTED,
  ERR_SHAPE,
  ERR_MEMORY,
]);

export const SLOW_MS = 1000;
/** A long-lived instance whose memory passed this is replaced, so a run does not hold gigabytes of host memory. */
const RECYCLE_BYTES = 512 * 1024 * 1024;
const MAX_BATCH = 4;

export interface Finding {
  index: number;
  kind: string;
  target: string;
  problem: string;
  file: Uint8Array;
}

export interface FuzzStats {
  inputs: number;
  /** "wasm <code name>", "ts <code name>", "model <code name>" → count. */
  outcomes: Map<string, number>;
  /** Mutation kind → count. */
  kinds: Map<string, number>;
  findings: Finding[];
  slowestMs: number;
  /** Files the wasm runtime loaded but the stricter TS reader refused, and the reverse (information, not findings). */
  wasmOnly: number;
  tsOnly: number;
}

export function newStats(): FuzzStats {
  return { inputs: 0, outcomes: new Map(), kinds: new Map(), findings: [], slowestMs: 0, wasmOnly: 0, tsOnly: 0 };
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Largest linear memory a load of `file` may leave, in bytes. The runtime's bump heap holds, in order (assembly/README
 * "Memory layout"): the file (+16 B pad); one record per value, tensor and op (< 256 B each, with their index lists and
 * the planner's 16-byte buffer entries); codebook tables (≤ 256 floats), biases and dense weights (each tensor decoded
 * at most once: 4·n bytes; the Rice row index is 12 B per row ≤ 4·n again); then the arena for up to MAX_BATCH samples:
 * every value's buffer plus each op's scratch, which is at most its inputs and output padded by its kernel
 * (≤ 4·(inputs + output + weight n) floats) plus 16K floats of im2col tiles. Sizes are the file's declared ones, read
 * with protobufjs; a payload protobufjs cannot decode gives no declared sizes, and then only the file and its records
 * may be allocated. 1 MiB covers the stack, static data and page rounding.
 */
export function memoryBound(heapBase: number, file: Uint8Array): number {
  const fixed = heapBase + 2 * file.length + 256 * file.length + (1 << 20);
  let model: ModelMessage;
  try {
    model = sqzProtoTypes().Model.decode(file.subarray(HEADER_BYTES)) as unknown as ModelMessage;
  } catch {
    return fixed;
  }
  const valueFloats = (v: number): number => (model.values[v] ? product(model.values[v]!.shape) : 0);
  const tensorN = (t: number): number => (t > 0 && model.tensors[t - 1] ? product(model.tensors[t - 1]!.shape) : 0);
  let weights = 0;
  for (const t of model.tensors) weights += 4 * 2 * product(t.shape) + 4 * 256;
  let arenaFloats = 0;
  for (const v of model.values) arenaFloats += product(v.shape);
  for (const op of model.ops) {
    const io = op.inputs.reduce((a, v) => a + valueFloats(v), 0) + op.outputs.reduce((a, v) => a + valueFloats(v), 0);
    arenaFloats += 4 * (io + tensorN(op.weight)) + 16384;
  }
  return fixed + weights + 4 * MAX_BATCH * arenaFloats;
}

/** A runtime module other than the general build: a tailored one (`sqz runtime`), by name. */
export interface RuntimeModule {
  name: string;
  bytes: Uint8Array;
}

/**
 * One build's long-lived raw instance, as an embedded host would keep it, with an optional memory cap (bytes): the
 * general runtime (SIMD or scalar), or `runtime` (a tailored one, which may refuse a file as needing something it was
 * built without: then only seeds it loads are reloaded, and a valid generated model may be refused that way).
 */
export class RawTarget {
  readonly name: string;
  exports!: SqzWasmExports;
  readonly #module: WebAssembly.Module | undefined;
  #loadable: readonly Seed[] | undefined;
  constructor(
    readonly simd: boolean,
    readonly memoryLimit = 0,
    readonly runtime?: RuntimeModule,
  ) {
    this.name =
      runtime !== undefined
        ? `wasm-${runtime.name}`
        : (simd ? 'wasm-simd' : 'wasm-scalar') + (memoryLimit > 0 ? '-capped' : '');
    this.#module = runtime === undefined ? undefined : new WebAssembly.Module(runtime.bytes as Uint8Array<ArrayBuffer>);
    this.renew();
  }
  renew(): void {
    this.exports = newInstance(this.simd, this.#module);
    this.exports.setMemoryLimit(this.memoryLimit);
  }
  /** Whether the last load failed only because this build lacks a feature the file needs (a tailored runtime). */
  refusedAsNotBuilt(): boolean {
    return this.runtime !== undefined && this.exports.missingFeature() >= 0;
  }
  /** The seeds this build loads in every exec mode (all of them for the general runtime), found once. */
  loadableSeeds(seeds: readonly Seed[]): readonly Seed[] {
    if (this.#loadable === undefined) {
      const probe = newInstance(this.simd, this.#module);
      this.#loadable = seeds.filter((seed) => [0, 1, 2].every((exec) => loadRaw(probe, seed.file, exec) === ERR_NONE));
    }
    return this.#loadable;
  }
  recycleIfLarge(): void {
    if (this.exports.memory.buffer.byteLength > RECYCLE_BYTES) this.renew();
  }
}

/** The memory pre-check's message (assembly/errors.ts E_MEMORY_LIMIT): a refusal made before anything grew. */
const PRE_CHECK = /^memory limit exceeded: needs \d+ bytes, limit is \d+ bytes$/;

/** The pre-check's need must be the heap top a successful load or plan reached. */
function checkNeed(exports: SqzWasmExports, what: string, report: (problem: string) => void): void {
  const need = Number(exports.memoryNeed()),
    top = exports.heapEnd() >>> 0;
  if (need !== top) report(`${what}: the memory pre-check computed ${need} bytes, the heap top is ${top}`);
}

function close(actual: Float32Array, expected: Float32Array): boolean {
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= 1e-4 * Math.max(1, Math.abs(expected[i]!)))) return false;
  }
  return true;
}

/** Differential check of a generated valid model: the runtime's output equals the reference interpreter's. */
function compareWithReference(
  exports: SqzWasmExports,
  model: ModelMessage,
  index: number,
  report: (problem: string) => void,
): void {
  const random = rng(index);
  const x = Float32Array.from({ length: exports.inputLength(0) }, () => random() * 2 - 1);
  const actual = predictRaw(exports, x);
  const [expected] = runModelReference(model, [x], 1);
  if (!close(actual, expected!)) {
    const i = actual.findIndex((v, j) => !(Math.abs(v - expected![j]!) <= 1e-4 * Math.max(1, Math.abs(expected![j]!))));
    report(`output differs from the reference at ${i}: ${actual[i]} vs ${expected![i]} (exec mode ${index % 3})`);
  }
}

/** Raw ABI: load, check the code, message and memory; run a loaded model; reload a seed after a failure. */
function checkRaw(
  target: RawTarget,
  input: FuzzInput,
  index: number,
  seeds: readonly Seed[],
  report: (problem: string) => void,
): [string, string] {
  const exports = target.exports;
  const before = exports.memory.buffer.byteLength;
  let code: number;
  try {
    code = loadRaw(exports, input.file, index % 3);
  } catch (error) {
    report(`load threw ${String(error)}`);
    target.renew();
    return ['threw', ''];
  }
  const message = code === ERR_NONE ? '' : errorMessage(exports);
  const after = exports.memory.buffer.byteLength;
  const bound = memoryBound(exports.heapBase() >>> 0, input.file);
  if (after > before && after > bound) report(`memory grew to ${after} bytes, above the declared-size bound ${bound}`);
  if (target.memoryLimit > 0 && after > Math.max(before, target.memoryLimit))
    report(`memory grew to ${after} bytes, past the cap ${target.memoryLimit}`);
  if (target.memoryLimit > 0 && code === ERR_MEMORY && !PRE_CHECK.test(message))
    report(`ERR_MEMORY under a cap without the pre-check's refusal: ${message}`);
  if (code === ERR_NONE) checkNeed(exports, 'load', report);
  if (!FILE_CODES.has(code)) report(`load returned code ${code}`);
  const notBuilt = code === ERR_UNSUPPORTED && target.refusedAsNotBuilt();
  if (input.model !== undefined && code !== ERR_NONE && !notBuilt)
    report(`a valid generated model was refused: ${errorMessage(exports)}`);
  else if (code !== ERR_NONE && errorMessage(exports).length < 10)
    report(`code ${code} with message "${errorMessage(exports)}"`);
  try {
    if (code === ERR_NONE) {
      const batch = 1 + (index % MAX_BATCH);
      const planned = exports.plan(batch);
      if (planned === ERR_NONE) {
        checkNeed(exports, `plan(${batch})`, report);
        for (let i = 0; i < exports.inputCount(); i++) {
          new Float32Array(exports.memory.buffer, exports.inputPtr(i) >>> 0, exports.inputLength(i) * batch).fill(0.25);
        }
        const ran = exports.run(batch);
        if (ran !== ERR_NONE) report(`run(${batch}) of a loaded model returned ${ran}`);
        if (input.model !== undefined) compareWithReference(exports, input.model, index, report);
      } else if (planned !== ERR_MEMORY) report(`plan(${batch}) of a loaded model returned ${planned}`);
    } else {
      const loadable = target.loadableSeeds(seeds);
      if (loadable.length === 0) throw new Error(`${target.name} loads none of the seeds`);
      const seed = loadable[index % loadable.length]!;
      const reloaded = loadRaw(exports, seed.file, index % 3);
      if (reloaded !== ERR_NONE)
        report(`after the failure the valid seed ${seed.name} gives code ${reloaded}: ${errorMessage(exports)}`);
      else if (!close(predictRaw(exports, seed.input), seed.expected))
        report(`after the failure seed ${seed.name} gives a wrong output`);
    }
  } catch (error) {
    report(`plan/run threw ${String(error)}`);
    target.renew();
  }
  target.recycleIfLarge();
  return [notBuilt ? 'not-built' : errorCodeName(code), message];
}

function checkTs(input: FuzzInput, report: (problem: string) => void): [string, string] {
  try {
    readSqz(input.file);
    return ['none', ''];
  } catch (error) {
    if (!(error instanceof SqzFormatError)) {
      report(`readSqz threw ${error instanceof Error ? error.name : typeof error}: ${String(error)}`);
      return ['threw', ''];
    }
    if (error.message.length < 10) report(`readSqz error without a message: "${error.message}"`);
    return [error.codeName, error.message];
  }
}

async function checkModel(input: FuzzInput, simd: boolean, report: (problem: string) => void): Promise<string> {
  let model: SqzModel;
  try {
    model = await SqzModel.load(input.file, { simd });
  } catch (error) {
    if (!(error instanceof SqzError) || error.message.length < 10) {
      report(`SqzModel.load threw ${error instanceof Error ? error.name : typeof error}: ${String(error)}`);
      return 'threw';
    }
    return error.codeName;
  }
  try {
    const info = model.info;
    model.predict(info.inputs.map((input) => new Float32Array(product(input.shape))));
  } catch (error) {
    report(`predict on a loaded model threw ${String(error)}`);
  } finally {
    model.dispose();
  }
  return 'none';
}

/** The runtime's wire reader messages (assembly/errors.ts), which formats/wire_check.ts repeats. */
const WIRE_ERRORS =
  /field runs past the end of its message|varint longer than 10 bytes|varint too large for a uint32 field|bad wire type|wrong wire type for a known field|field number 0/;

function isWireError(message: string): boolean {
  return WIRE_ERRORS.test(message);
}

export interface FuzzTargets {
  raw: RawTarget[];
  /** Also load through SqzModel every this many inputs (0 = never). */
  modelEvery: number;
  /** An input slower than this is a finding (default SLOW_MS). */
  slowMs?: number;
}

/** Runs one input through every target, updating `stats`. */
export async function checkInput(
  targets: FuzzTargets,
  seeds: readonly Seed[],
  input: FuzzInput,
  index: number,
  stats: FuzzStats,
): Promise<void> {
  const start = performance.now();
  stats.inputs++;
  count(stats.kinds, input.kind);
  const reporter = (target: string) => (problem: string) => {
    stats.findings.push({ index, kind: input.kind, target, problem, file: input.file });
  };
  let wasmOk = false;
  let wasmMessage = '';
  for (const target of targets.raw) {
    const [outcome, message] = checkRaw(target, input, index, seeds, reporter(target.name));
    count(stats.outcomes, `${target.name} ${outcome}`);
    wasmOk = outcome === 'none';
    wasmMessage = message;
  }
  const [ts, tsMessage] = checkTs(input, reporter('formats'));
  count(stats.outcomes, `ts ${ts}`);
  if (input.model !== undefined && ts !== 'none')
    reporter('formats')(`a valid generated model was refused: ${tsMessage}`);
  // Where the bytes are not valid protobuf for sqz.Model, both readers must refuse: otherwise the TS tools would
  // see a different model than the runtime (protobufjs alone reads 2^32 + 5 in a uint32 field as 5). The runtime may
  // stop at a limit (rank, arity) met while parsing before it reaches the wire error the TS reader reports first.
  if ((isWireError(wasmMessage) && !isWireError(tsMessage)) || (wasmOk && isWireError(tsMessage))) {
    reporter('formats')(
      `wire-level disagreement: runtime "${wasmMessage || 'loaded'}", TS reader "${tsMessage || 'loaded'}"`,
    );
  }
  if (wasmOk && ts !== 'none') stats.wasmOnly++;
  if (!wasmOk && ts === 'none') stats.tsOnly++;
  if (targets.modelEvery > 0 && index % targets.modelEvery === 0) {
    const simd = (index / targets.modelEvery) % 2 === 0;
    count(
      stats.outcomes,
      `SqzModel ${await checkModel(input, simd, reporter(simd ? 'SqzModel-simd' : 'SqzModel-scalar'))}`,
    );
  }
  const elapsed = performance.now() - start;
  stats.slowestMs = Math.max(stats.slowestMs, elapsed);
  if (elapsed > (targets.slowMs ?? SLOW_MS)) reporter('all')(`took ${elapsed.toFixed(0)} ms`);
}
