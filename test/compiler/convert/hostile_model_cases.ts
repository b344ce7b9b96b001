// Malicious or inconsistent model.json files (issue 6, part 2), one table shared by hostile_model_json.test.ts
// (which checks each ModelFileError) and bench/bad_input.ts (which records the CLI's line for each in
// BENCHMARKS.md). Every case starts from a saved one-layer dense model, fc: kernel [3, 2], bias [2]; making one
// needs a tfjs backend (the callers set cpu).
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { saveLayersModel } from '../../fixtures/tfjs_models.js';

export interface HostileModel {
  /** model.json. */
  file: string;
  /** The file the error must name. */
  path: string;
  /** Parts of the error message (strings must appear as they are). */
  fragments: (string | RegExp)[];
}

export interface HostileModelCase {
  name: string;
  /** Writes the hostile model into the fresh folder `dir`. */
  make(dir: string): Promise<HostileModel>;
}

/** Parsed model.json, which the cases edit freely (any path, any type: that is what makes them hostile). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form JSON surgery; a type would only get in the way
type ModelJson = any;

/** The dense model saved in `dir`; returns model.json's path and its parsed JSON. */
export async function denseModel(dir: string): Promise<{ file: string; json: ModelJson }> {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, name: 'fc' })] });
  const file = await saveLayersModel(model, dir);
  model.dispose();
  return { file, json: JSON.parse(await readFile(file, 'utf8')) };
}

/** A case that edits model.json; `expected` gets the file's path. */
function jsonCase(
  name: string,
  edit: (json: ModelJson, dir: string) => void,
  expected: (file: string) => (string | RegExp)[],
): HostileModelCase {
  return {
    name,
    async make(dir) {
      const { file, json } = await denseModel(dir);
      edit(json, dir);
      await writeFile(file, JSON.stringify(json));
      return { file, path: file, fragments: expected(file) };
    },
  };
}

/** A case that rewrites the weights of weights.bin (kernel 0–5, bias 6–7). */
function weightsCase(
  name: string,
  edit: (values: Float32Array) => void,
  expected: (file: string) => (string | RegExp)[],
): HostileModelCase {
  return {
    name,
    async make(dir) {
      const { file } = await denseModel(dir);
      const shard = path.join(dir, 'weights.bin');
      const bytes = await readFile(shard);
      const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      edit(values);
      await writeFile(shard, new Uint8Array(values.buffer));
      return { file, path: file, fragments: expected(file) };
    },
  };
}

/** Shard paths that leave the model's folder; `outside` files with exactly the right byte count exist. */
const SHARD_PATHS: [string, (dir: string) => unknown, string][] = [
  ['".." to a sibling file', () => '../outside.bin', 'contains ".."'],
  ['".." after a subfolder', () => 'sub/../../outside.bin', 'contains ".."'],
  ['".." with backslashes', () => '..\\outside.bin', 'contains ".."'],
  ['an absolute path', (dir) => path.join(path.dirname(dir), 'outside.bin'), 'absolute path'],
  ['a drive path', () => 'C:\\models\\weights.bin', 'URL or a drive path'],
  ['a UNC path', () => '\\\\server\\share\\weights.bin', 'absolute path'],
  ['an https URL', () => 'https://example.com/weights.bin', 'URL'],
  ['a file URL', () => 'file:///etc/passwd', 'URL'],
  ['an empty name', () => '', 'not a file name'],
  ['a number', () => 42, 'not a file name'],
];

export const HOSTILE_MODEL_CASES: HostileModelCase[] = [
  ...SHARD_PATHS.map(([what, shardFor, why]) => ({
    name: `shard path: ${what}`,
    async make(dir: string): Promise<HostileModel> {
      const { file, json } = await denseModel(dir);
      // A file the traversal would reach with the right byte count: refusing it must not depend on a read failing.
      await copyFile(path.join(dir, 'weights.bin'), path.join(path.dirname(dir), 'outside.bin'));
      const shard = shardFor(dir);
      json.weightsManifest[0].paths = [shard];
      await writeFile(file, JSON.stringify(json));
      return {
        file,
        path: file,
        fragments: [`weight shard path ${JSON.stringify(shard)} in ${file} is refused`, why, 'folder of model.json'],
      };
    },
  })),
  {
    name: 'shards swap bytes between manifest groups (same total)',
    async make(dir) {
      const { file, json } = await denseModel(dir);
      const bytes = await readFile(path.join(dir, 'weights.bin'));
      // Two groups whose shards swap 4 bytes: the total still matches, but every weight would be read shifted.
      await writeFile(path.join(dir, 'k.bin'), bytes.subarray(0, 28));
      await writeFile(path.join(dir, 'b.bin'), bytes.subarray(28 - 4));
      const [kernel, bias] = json.weightsManifest[0].weights;
      json.weightsManifest = [
        { paths: ['k.bin'], weights: [kernel] },
        { paths: ['b.bin'], weights: [bias] },
      ];
      await writeFile(file, JSON.stringify(json));
      return {
        file,
        path: path.join(dir, 'k.bin'),
        fragments: [
          "weight shard 'k.bin'",
          'holds 28 bytes but its manifest describes 24 bytes',
          "(weights 'fc/kernel')",
        ],
      };
    },
  },
  // Same byte count, so only the topology can tell.
  jsonCase(
    'weight shape disagrees with the topology',
    (j) => {
      j.weightsManifest[0].weights[0].shape = [2, 3];
    },
    (file) => [`weight 'fc/kernel' in ${file} has shape [2, 3]`, "layer 'fc' (Dense) needs [3, 2]"],
  ),
  weightsCase(
    'a NaN kernel weight',
    (v) => {
      v[4] = NaN;
    },
    (file) => [`weight 'fc/kernel' in ${file} holds NaN at index 4 (of 6, shape [3, 2])`],
  ),
  weightsCase(
    'an -Infinity bias',
    (v) => {
      v[7] = -Infinity;
    },
    () => ["weight 'fc/bias'", 'holds -Infinity at index 1 (of 2'],
  ),
  jsonCase(
    'dtype float64',
    (j) => {
      j.weightsManifest[0].weights[1].dtype = 'float64';
    },
    (file) => [`weight 'fc/bias' in ${file} has unknown dtype "float64"; known: float32`],
  ),
  jsonCase(
    'dtype string',
    (j) => {
      j.weightsManifest[0].weights[0].dtype = 'string';
    },
    (file) => [`weight 'fc/kernel' in ${file} has unknown dtype "string"`],
  ),
  jsonCase(
    'quantization dtype int4',
    (j) => {
      j.weightsManifest[0].weights[0].quantization = { dtype: 'int4', scale: 1, min: 0 };
    },
    () => ['unknown quantization dtype "int4"; known: uint8'],
  ),
  jsonCase(
    'a negative dimension',
    (j) => {
      j.weightsManifest[0].weights[0].shape = [3, -2];
    },
    (file) => [`weight 'fc/kernel' in ${file} has shape [3,-2]`],
  ),
  jsonCase(
    'a shape that is a string',
    (j) => {
      j.weightsManifest[0].weights[0].shape = 'big';
    },
    () => ['has shape "big"'],
  ),
  jsonCase(
    'a weight without a name',
    (j) => {
      delete j.weightsManifest[0].weights[0].name;
    },
    () => ['a weight in "weightsManifest" has no "name"'],
  ),
];
