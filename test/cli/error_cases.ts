// The bad-input cases of the CLI, one table shared by errors.test.ts (which asserts each one's exit code and
// one-line message) and bench/bad_input.ts (which records the exact lines in BENCHMARKS.md): bad arguments and
// files, and damaged .sqz files read by `sqz inspect` (the TS reader) and `sqz run` (the wasm runtime).
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { crc32, HEADER_BYTES, readSqz, sqzProtoTypes, type ModelMessage } from '../../formats/index.js';
import { rng } from '../fixtures/random.js';
import { MLP_MODEL } from './helpers.js';

export interface ErrorCase {
  name: string;
  /** `sqz` arguments. */
  args: string[];
  code: number;
  message: RegExp;
}

/**
 * Bad arguments and bad files for every command. Writes its fixture files into `dir`; `sqz` is a valid .sqz of the
 * digit MLP (helpers.convertMlp).
 */
export async function argumentCases(dir: string, sqz: string): Promise<ErrorCase[]> {
  const out = path.join(dir, 'out.sqz');
  // A .sqz with one payload byte flipped: the header's CRC-32 no longer matches.
  const corrupt = path.join(dir, 'corrupt.sqz');
  await writeFile(corrupt, flipLastByte(await readFile(sqz)));
  // model.json that is not JSON.
  await mkdir(path.join(dir, 'bad'), { recursive: true });
  const badJson = path.join(dir, 'bad', 'model.json');
  await writeFile(badJson, '{ "modelTopology": ');
  // The digit MLP with a layer sqz does not convert (a Masking layer after the first dense).
  await mkdir(path.join(dir, 'masking'), { recursive: true });
  const unsupportedModel = path.join(dir, 'masking', 'model.json');
  const mlpJson = JSON.parse(await readFile(MLP_MODEL, 'utf8'));
  mlpJson.modelTopology.config.layers.splice(2, 0, {
    class_name: 'Masking',
    config: { name: 'masked', mask_value: 0 },
  });
  await writeFile(unsupportedModel, JSON.stringify(mlpJson));
  await copyFile(path.join(path.dirname(MLP_MODEL), 'weights.bin'), path.join(dir, 'masking', 'weights.bin'));
  // 700 numbers for a model that takes 784.
  const shortInput = path.join(dir, 'short.json');
  await writeFile(shortInput, JSON.stringify(new Array(700).fill(0.5)));
  const compress = (...args: string[]) => ['compress', MLP_MODEL, '-o', out, '--quiet', ...args];
  return [
    {
      name: 'missing file',
      args: ['inspect', path.join(dir, 'nope.sqz')],
      code: 3,
      message: /nope\.sqz: file not found/,
    },
    { name: 'a directory given as a file', args: ['inspect', dir], code: 3, message: /is a directory/ },
    {
      name: 'corrupt .sqz',
      args: ['inspect', corrupt],
      code: 3,
      message: /corrupt\.sqz: file is corrupt: header CRC-32/,
    },
    {
      name: 'bad model.json',
      args: ['eval', badJson, '--data', 'mnist'],
      code: 3,
      message: /model\.json is not valid JSON/,
    },
    {
      name: 'output folder missing',
      args: ['convert', MLP_MODEL, '-o', path.join(dir, 'no', 'x.sqz')],
      code: 3,
      message: /cannot write .*folder .* does not exist/,
    },
    {
      name: 'unknown data spec',
      args: compress('--data', 'cifar10', '--ratio', '10'),
      code: 2,
      message: /Unknown dataset spec 'cifar10'; valid specs: mnist/,
    },
    {
      name: 'zero target',
      args: compress('--data', 'mnist', '--target-size', '0'),
      code: 2,
      message: /less than one byte/,
    },
    {
      name: 'negative target',
      args: compress('--data', 'mnist', '--target-size', '-5'),
      code: 2,
      message: /cannot read size '-5'/,
    },
    {
      name: 'ratio below 1',
      args: compress('--data', 'mnist', '--ratio', '0.5'),
      code: 2,
      message: /--ratio must be at least 1.*got 0\.5/,
    },
    {
      name: 'unknown backend',
      args: compress('--data', 'mnist', '--ratio', '10', '--backend', 'gpu'),
      code: 2,
      message: /'gpu' is invalid\. Allowed choices are auto/,
    },
    {
      name: '--target-size with --ratio',
      args: compress('--data', 'mnist', '--target-size', '5000', '--ratio', '10'),
      code: 2,
      message: /'--target-size <size>' cannot be used with option '--ratio <R>'/,
    },
    {
      name: 'neither --target-size nor --ratio',
      args: compress('--data', 'mnist'),
      code: 2,
      message: /exactly one of --target-size and --ratio/,
    },
    {
      name: 'not a number',
      args: compress('--data', 'mnist', '--ratio', 'ten'),
      code: 2,
      message: /'--ratio <R>' argument 'ten' is invalid\. expects a number/,
    },
    {
      name: '--resume without --checkpoint',
      args: compress('--data', 'mnist', '--ratio', '10', '--resume'),
      code: 2,
      message: /--resume needs --checkpoint DIR/,
    },
    {
      name: 'unknown option',
      args: ['inspect', sqz, '--bogus'],
      code: 2,
      message: /unknown option '--bogus' \(see sqz inspect --help\)/,
    },
    { name: 'missing argument', args: ['inspect'], code: 2, message: /missing required argument 'model\.sqz'/ },
    {
      name: 'missing dataset',
      args: ['eval', sqz, '--data', `fashion-mnist:${path.join(dir, 'no-data')}`],
      code: 4,
      message: /Fashion-MNIST not found at .*no-data/,
    },
    {
      name: 'input of the wrong length',
      args: ['run', sqz, '--input', shortInput],
      code: 4,
      message: /short\.json holds 700 values; the model takes 784 values per sample .* = 784/,
    },
    {
      name: 'impossible budget',
      args: compress('--data', 'mnist', '--target-size', '10', '--backend', 'wasm'),
      code: 5,
      message: /target of 10 bytes is below the smallest file .*choose --target-size \d+ or more/,
    },
    {
      name: 'unsupported model',
      args: ['convert', unsupportedModel, '-o', out],
      code: 6,
      message: /layer 'masked' \(Masking\) is not supported/,
    },
  ];
}

function flipLastByte(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  out[out.length - 1]! ^= 0xff;
  return out;
}

/** A damaged .sqz: its bytes from the valid file and what `inspect` and `run` must say. */
interface BadSqz {
  name: string;
  bytes: (good: Uint8Array) => Uint8Array;
  inspect: RegExp;
  run: RegExp;
}

/** Header + payload with a correct CRC (so the payload's own checks are reached). */
function wrap(good: Uint8Array, payload: Uint8Array): Uint8Array {
  const file = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(file.buffer);
  file.set(good.subarray(0, 6)); // magic and version
  view.setUint32(6, payload.length, true);
  view.setUint32(10, crc32(payload), true);
  file.set(payload, HEADER_BYTES);
  return file;
}

/** The valid file's model, edited, re-encoded with a correct CRC. */
function edited(good: Uint8Array, edit: (m: ModelMessage) => void): Uint8Array {
  const model = structuredClone(readSqz(good));
  edit(model);
  return wrap(good, new Uint8Array(sqzProtoTypes().Model.encode(model).finish()));
}

function withHeader(good: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  const out = good.slice();
  edit(new DataView(out.buffer, out.byteOffset, out.byteLength));
  return out;
}

const randomBytes = (seed: number, n: number) => {
  const random = rng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
};

const BAD_SQZ: BadSqz[] = [
  {
    name: 'empty file',
    bytes: () => new Uint8Array(0),
    inspect: /file has 0 bytes, less than the 14-byte header/,
    run: /truncated at byte 0: .*got 0, expected 14/,
  },
  {
    name: 'cut inside the header',
    bytes: (g) => g.slice(0, 10),
    inspect: /file has 10 bytes, less than the 14-byte header/,
    run: /truncated at byte 0: .*got 10, expected 14/,
  },
  {
    name: 'header only',
    bytes: (g) => g.slice(0, HEADER_BYTES),
    inspect: /file is truncated: the header promises \d+ payload bytes/,
    run: /truncated at byte 6: .*got 0, expected \d+/,
  },
  {
    name: 'cut in half',
    bytes: (g) => g.slice(0, g.length >> 1),
    inspect: /file is truncated: .* only \d+ are present/,
    run: /truncated at byte 6: file ends before the payload length/,
  },
  {
    name: 'wrong magic',
    bytes: (g) => withHeader(g, (v) => v.setUint8(0, 0xac)),
    inspect: /not a \.sqz file: starts with ac 51 5a 1a, expected 53 51 5a 1a/,
    run: /bad-magic at byte 0/,
  },
  {
    name: 'format version 99',
    bytes: (g) => withHeader(g, (v) => v.setUint16(4, 99, true)),
    inspect: /format version 99 is not supported/,
    run: /unsupported-version at byte 4: .*got 99, expected 1/,
  },
  {
    name: 'payload byte flipped (CRC mismatch)',
    bytes: flipLastByte,
    inspect: /file is corrupt: header CRC-32 is 0x[0-9a-f]+, payload CRC-32 is/,
    run: /checksum-mismatch at byte 10/,
  },
  {
    name: 'bytes after the payload',
    bytes: (g) => new Uint8Array([...g, 1, 2, 3]),
    inspect: /3 bytes follow the \d+-byte payload/,
    run: /malformed at byte \d+: bytes after the payload/,
  },
  {
    name: 'payload length 2^32 − 1',
    bytes: (g) => withHeader(g, (v) => v.setUint32(6, 0xffffffff, true)),
    inspect: /header promises 4294967295 payload bytes/,
    run: /truncated at byte 6: .*expected 4294967295/,
  },
  {
    name: '1,000 random bytes',
    bytes: () => randomBytes(5, 1000),
    inspect: /not a \.sqz file: starts with/,
    run: /bad-magic at byte 0/,
  },
  {
    name: 'random payload, valid CRC',
    bytes: (g) => wrap(g, randomBytes(6, 500)),
    inspect: /payload is not a valid sqz\.Model: .* at file offset \d+/,
    run: /malformed at byte \d+/,
  },
  {
    name: 'payload cut in half, valid CRC',
    bytes: (g) => wrap(g, g.slice(HEADER_BYTES, HEADER_BYTES + ((g.length - HEADER_BYTES) >> 1))),
    inspect: /payload is not a valid sqz\.Model: field runs past the end of its message/,
    run: /malformed at byte \d+: field runs past the end of its message/,
  },
  {
    name: 'op reads a tensor that does not exist',
    bytes: (g) =>
      edited(g, (m) => {
        m.ops[0]!.weight = 9;
      }),
    inspect: /op 0 \(dense\): weight 9 refers past the 4 tensors/,
    run: /malformed at byte \d+: tensor index out of range/,
  },
  {
    name: 'tensor shape disagrees with its data',
    bytes: (g) =>
      edited(g, (m) => {
        m.tensors[0]!.shape = [784, 65];
      }),
    inspect: /tensor 0: ENC_F32 data needs 203840 bytes for 50960 values, got 200704/,
    run: /malformed at byte \d+: data length does not match/,
  },
  {
    name: 'unknown op type',
    bytes: (g) =>
      edited(g, (m) => {
        m.ops[0]!.type = 77;
      }),
    inspect: /op 0 \(type 77\): unknown op type 77/,
    run: /unsupported at byte \d+: unknown op type: got 77/,
  },
  {
    name: 'input shape disagrees with the first weight',
    bytes: (g) =>
      edited(g, (m) => {
        m.values[0]!.shape = [100];
      }),
    inspect: /op 0 \(dense\): weight shape \[784, 64\] should be \[100, M\]/,
    run: /shape-mismatch at byte \d+: weight shape does not fit the input/,
  },
];

/**
 * Damaged .sqz files, each through `sqz inspect` (the TS reader) and `sqz run` (the wasm runtime): exit 3 with
 * a line naming the file and the problem. Writes the files into `dir`; `sqz` is the valid file they derive from.
 */
export async function badSqzCases(dir: string, sqz: string): Promise<ErrorCase[]> {
  const good = new Uint8Array(await readFile(sqz));
  const input = path.join(dir, 'digit.json');
  await writeFile(input, JSON.stringify(new Array(784).fill(0.5)));
  const cases: ErrorCase[] = [];
  for (const [i, bad] of BAD_SQZ.entries()) {
    const file = path.join(dir, `bad-${i}.sqz`);
    await writeFile(file, bad.bytes(good));
    const named = (pattern: RegExp) => new RegExp(`bad-${i}\\.sqz: .*${pattern.source}`);
    cases.push({ name: `${bad.name} (inspect)`, args: ['inspect', file], code: 3, message: named(bad.inspect) });
    cases.push({ name: `${bad.name} (run)`, args: ['run', file, '--input', input], code: 3, message: named(bad.run) });
  }
  return cases;
}
