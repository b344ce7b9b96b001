// Seeded mutations of valid .sqz files for the fuzz tests and bench/fuzz.ts. Every input is a pure function of
// (seed files, input index, run seed), so any finding replays from the index and seed alone.
// Most mutations rewrite the header's length and CRC after changing the payload: a file with a stale CRC stops at
// the checksum, and the point is to reach the protobuf reader, the graph and tensor checks and the kernels' prepare.
import { HEADER_BYTES, type ModelMessage, sqzProtoTypes, wrapPayload, writeSqz } from '../../formats/index.js';
import { rng } from '../fixtures/random.js';
import { geometryModel } from './geometry.js';
import type { Seed } from './seeds.js';

/** One fuzz input: the mutation that made it (for outcome counts and replays) and the file bytes. */
export interface FuzzInput {
  kind: string;
  file: Uint8Array;
  /** Set for generated valid models: the runtime must load them and match the reference interpreter. */
  model?: ModelMessage;
}

type Random = () => number;

const int = (random: Random, n: number): number => Math.floor(random() * n);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)]!;

/** Dimensions and counts that break size arithmetic: 0, powers of two at the runtime's limits, u32 extremes. */
const ABSURD = [
  0,
  1,
  3,
  255,
  65536,
  1 << 26,
  (1 << 26) + 1,
  1 << 28,
  (1 << 28) + 1,
  0x7fff_ffff,
  0x8000_0000,
  0xffff_ffff,
];

function encodeModel(model: ModelMessage): Uint8Array {
  return new Uint8Array(sqzProtoTypes().Model.encode(model).finish());
}

/** Protobuf varint of a value up to 2^64 − 1 (negative int32/int64 values are written as their 64-bit two's complement, 10 bytes). */
export function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v === 0n ? low : low | 0x80);
  } while (v !== 0n);
  return out;
}

/** Varints a reader must refuse or clamp: negative, above u32, above u63, and an over-long 11-byte encoding. */
const HOSTILE_VARINTS: number[][] = [
  varint(-1n),
  varint(-(2n ** 31n)),
  varint(2n ** 32n),
  varint(2n ** 32n + 5n),
  varint(2n ** 63n),
  varint(0xffff_ffffn),
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
];

function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function payloadOf(seed: Seed): Uint8Array {
  return seed.file.subarray(HEADER_BYTES);
}

// ---- field-level mutations: change the message, re-encode, valid CRC ----

function absurdShape(random: Random, model: ModelMessage): string {
  const holders = [...model.values, ...model.tensors];
  const holder = pick(random, holders);
  const roll = random();
  if (roll < 0.15) holder.shape = Array.from({ length: 7 + int(random, 20) }, () => 1 + int(random, 3));
  else if (roll < 0.25) holder.shape = [];
  else if (roll < 0.35) holder.shape = [pick(random, ABSURD), pick(random, ABSURD)];
  else if (holder.shape.length > 0) holder.shape[int(random, holder.shape.length)] = pick(random, ABSURD);
  else holder.shape = [pick(random, ABSURD)];
  return 'absurd-shape';
}

function tensorField(random: Random, model: ModelMessage): string {
  if (model.tensors.length === 0) return absurdShape(random, model);
  const t = pick(random, model.tensors);
  switch (int(random, 9)) {
    case 0:
      t.bits = pick(random, [0, 9, 16, 32, 255, 0xffff_ffff]);
      return 'bits-out-of-range';
    case 1:
      t.encoding = pick(random, [0, 1, 2, 3, 4, 5, 7, 0xffff_ffff]);
      return 'encoding-swapped';
    case 2:
      t.nnz = pick(random, ABSURD);
      return 'absurd-nnz';
    case 3:
      t.riceK = pick(random, [0, 1, 24, 25, 31, 32, 63, 0xffff_ffff]);
      return 'rice-k';
    case 4: // Rice gaps that run past the end: cut the stream, or make it all zero bits (an endless unary run)
      t.positions =
        random() < 0.5
          ? t.positions.slice(0, int(random, t.positions.length + 1))
          : new Uint8Array(t.positions.length || 1);
      return 'rice-gaps-past-end';
    case 5:
      t.data = t.data.slice(0, int(random, t.data.length + 1));
      return 'data-cut';
    case 6:
      t.data = concat(
        t.data,
        Array.from({ length: 1 + int(random, 9) }, () => int(random, 256)),
      );
      return 'data-extended';
    case 7:
      t.codebook = random() < 0.5 ? new Uint8Array(0) : new Uint8Array(int(random, 2000)).map(() => int(random, 256));
      return 'codebook-resized';
    default:
      t.codebookType = pick(random, [0, 1, 2, 0xffff_ffff]);
      return 'codebook-type';
  }
}

function opField(random: Random, model: ModelMessage): string {
  const op = pick(random, model.ops);
  const huge = () => pick(random, ABSURD);
  switch (int(random, 8)) {
    case 0:
      op.kernel = [huge(), huge()];
      return 'absurd-kernel';
    case 1:
      op.strides = random() < 0.5 ? [huge(), 1 + int(random, 3)] : [huge()];
      return 'absurd-strides';
    case 2:
      op.inputs = Array.from({ length: int(random, 5) }, () =>
        random() < 0.5 ? int(random, model.values.length + 2) : huge(),
      );
      return 'op-inputs';
    case 3:
      op.outputs = [random() < 0.5 ? int(random, model.values.length + 2) : huge()];
      return 'op-outputs';
    case 4:
      op.weight = int(random, model.tensors.length + 3);
      op.bias = int(random, model.tensors.length + 3);
      return 'op-tensors';
    case 5:
      op.type = int(random, 14);
      return 'op-type';
    case 6:
      op.activation = int(random, 8);
      op.clipMax = pick(random, [0, -1, 6, NaN, Infinity]);
      return 'op-activation';
    default:
      op.padding = int(random, 4);
      return 'op-padding';
  }
}

function graphField(random: Random, model: ModelMessage): string {
  switch (int(random, 4)) {
    case 0:
      model.inputs = Array.from({ length: int(random, 4) }, () => int(random, model.values.length + 2));
      return 'model-inputs';
    case 1:
      model.outputs = Array.from({ length: int(random, 4) }, () => int(random, model.values.length + 2));
      return 'model-outputs';
    case 2:
      model.ops.splice(int(random, model.ops.length), 1);
      return 'op-removed';
    default: {
      // shuffle the op order (reads before writes)
      const i = int(random, model.ops.length);
      const j = int(random, model.ops.length);
      [model.ops[i], model.ops[j]] = [model.ops[j]!, model.ops[i]!];
      return 'ops-reordered';
    }
  }
}

// ---- byte-level mutations of the payload, CRC recomputed ----

function bitFlips(random: Random, payload: Uint8Array): Uint8Array {
  const out = payload.slice();
  for (let f = 1 + int(random, 4); f > 0; f--) out[int(random, out.length)] ^= 1 << int(random, 8);
  return out;
}

function interestingBytes(random: Random, payload: Uint8Array): Uint8Array {
  const out = payload.slice();
  for (let f = 1 + int(random, 3); f > 0; f--)
    out[int(random, out.length)] = pick(random, [0, 1, 0x7f, 0x80, 0xff, int(random, 256)]);
  return out;
}

/** A copy of a random span of another (or the same) seed's payload over or into this one: fields from elsewhere. */
function splice(random: Random, payload: Uint8Array, donor: Uint8Array): Uint8Array {
  const from = int(random, donor.length);
  const piece = donor.subarray(from, from + 1 + int(random, 40));
  const at = int(random, payload.length + 1);
  const cut = random() < 0.5 ? piece.length : 0; // overwrite or insert
  return concat(payload.subarray(0, at), piece, payload.subarray(Math.min(payload.length, at + cut)));
}

function deleteSpan(random: Random, payload: Uint8Array): Uint8Array {
  const at = int(random, payload.length);
  return concat(payload.subarray(0, at), payload.subarray(at + 1 + int(random, 16)));
}

/** A top-level field appended with a hostile varint (negative, overflowing, over-long) or a huge declared length. */
function hostileTopLevelField(random: Random, payload: Uint8Array): [string, Uint8Array] {
  const field = 1 + int(random, 6);
  if (random() < 0.5)
    return [
      'huge-length',
      concat(payload, [(field << 3) | 2], varint(BigInt(pick(random, ABSURD.slice(4)))), [1, 2, 3]),
    ];
  return ['hostile-varint', concat(payload, [(field << 3) | 0], pick(random, HOSTILE_VARINTS))];
}

/** A value, op or tensor message with one hostile varint or huge length field inside, appended to the model. */
function hostileNestedField(random: Random, payload: Uint8Array, seed: Seed): [string, Uint8Array] {
  const types = sqzProtoTypes();
  const modelField = 1 + int(random, 3); // 1 values, 2 tensors, 3 ops
  const base =
    modelField === 1
      ? types.Value.encode(pick(random, seed.model.values)).finish()
      : modelField === 2
        ? types.Tensor.encode(pick(random, seed.model.tensors)).finish()
        : types.Op.encode(pick(random, seed.model.ops)).finish();
  const inner = 1 + int(random, 10);
  const extra =
    random() < 0.7
      ? [(inner << 3) | 0, ...pick(random, HOSTILE_VARINTS)]
      : [(inner << 3) | 2, ...varint(BigInt(pick(random, ABSURD.slice(3))))];
  const message = concat(base, extra);
  return ['nested-hostile-field', concat(payload, [(modelField << 3) | 2], varint(BigInt(message.length)), message)];
}

/** Random bytes: either a whole random file, or a random payload behind a valid header and CRC. */
function randomBytes(random: Random): FuzzInput {
  const bytes = new Uint8Array(int(random, 300)).map(() => int(random, 256));
  if (random() < 0.3) return { kind: 'random-file', file: bytes };
  return { kind: 'random-payload', file: wrapPayload(bytes) };
}

/** A byte-level change that leaves the CRC stale or cuts the file: exercises the header checks. */
function rawFileDamage(random: Random, file: Uint8Array): FuzzInput {
  if (random() < 0.5) return { kind: 'truncated-file', file: file.slice(0, int(random, file.length)) };
  return { kind: 'raw-bit-flip', file: bitFlips(random, file) };
}

/** Input number `index` of the run with `runSeed`. */
export function fuzzInput(seeds: readonly Seed[], runSeed: number, index: number): FuzzInput {
  const random = rng((Math.imul(runSeed, 0x9e3779b1) ^ Math.imul(index, 0x85ebca6b)) >>> 0);
  const seed = pick(random, seeds);
  const payload = payloadOf(seed);
  const roll = random();
  if (roll >= 0.94) {
    const model = geometryModel(random);
    if (model !== undefined) return { kind: 'geometry', file: writeSqz(model), model };
  }
  if (roll < 0.03) return randomBytes(random);
  if (roll < 0.06) return rawFileDamage(random, seed.file);
  if (roll < 0.45) {
    const model = structuredClone(seed.model);
    let kind = '';
    for (let m = 1 + int(random, 2); m > 0; m--) {
      kind = pick(random, [absurdShape, tensorField, tensorField, opField, graphField])(random, model);
    }
    let bytes = encodeModel(model);
    if (random() < 0.2) {
      bytes = bitFlips(random, bytes);
      kind += '+flip';
    }
    return { kind, file: wrapPayload(bytes) };
  }
  if (roll < 0.6) return { kind: 'bit-flip', file: wrapPayload(bitFlips(random, payload)) };
  if (roll < 0.68) return { kind: 'interesting-byte', file: wrapPayload(interestingBytes(random, payload)) };
  if (roll < 0.76) return { kind: 'payload-cut', file: wrapPayload(payload.slice(0, int(random, payload.length))) };
  if (roll < 0.84)
    return { kind: 'splice', file: wrapPayload(splice(random, payload, payloadOf(pick(random, seeds)))) };
  if (roll < 0.88) return { kind: 'span-deleted', file: wrapPayload(deleteSpan(random, payload)) };
  const [kind, bytes] =
    random() < 0.4 ? hostileTopLevelField(random, payload) : hostileNestedField(random, payload, seed);
  return { kind, file: wrapPayload(bytes) };
}
