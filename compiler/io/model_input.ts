// Reading the samples for `sqz run` from a file: a PNG (grayscale, [0, 1]), a JSON array (flat or nested) or raw
// little-endian f32 (.bin). Each reader checks the count against what the model takes and says both numbers.
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { DataError, FileError, UsageError } from '../errors.js';
import { readInputFile } from '../util/read_input.js';

const INPUT_FORMATS = ['.png', '.json', '.bin'] as const;

/** What the model expects: values per sample, the per-sample shape (for messages) and the batch. */
export interface InputSpec {
  perSample: number;
  shape: readonly number[];
  batch: number;
}

const int = (n: number) => n.toLocaleString('en-US');

function expected(spec: InputSpec): string {
  return (
    `the model takes ${int(spec.perSample)} values per sample (shape [${spec.shape.join(', ')}]) × batch ${spec.batch} = ` +
    `${int(spec.perSample * spec.batch)}`
  );
}

/** The samples in `file` as batch × perSample floats. @throws UsageError, FileError, DataError */
export async function readModelInput(file: string, spec: InputSpec): Promise<Float32Array> {
  const ext = path.extname(file).toLowerCase();
  if (!(INPUT_FORMATS as readonly string[]).includes(ext)) {
    throw new UsageError(
      `cannot tell the format of input ${file}: name it .png (an image), .json (numbers) or .bin (raw f32)`,
    );
  }
  const bytes = await readInputFile(file, 'input');
  const values =
    ext === '.png' ? pngGray(file, bytes, spec) : ext === '.json' ? jsonNumbers(file, bytes) : f32Values(file, bytes);
  if (values.length !== spec.perSample * spec.batch) {
    throw new DataError(`${file} holds ${int(values.length)} values; ${expected(spec)}`);
  }
  return values;
}

/**
 * Pixels as gray levels in [0, 1], row-major. Gray pixels (R = G = B) are taken as they are, colour is converted
 * with the Rec. 601 luma weights, and alpha darkens towards black (the background of MNIST-like data).
 * A batch of N images is one PNG of the N images stacked vertically.
 */
function pngGray(file: string, bytes: Uint8Array, spec: InputSpec): Float32Array {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw new FileError(file, `${file} is not a readable PNG image (${(err as Error).message})`);
  }
  const pixels = png.width * png.height;
  const wanted = spec.perSample * spec.batch;
  if (pixels !== wanted) {
    const side = Math.sqrt(spec.perSample);
    const hint = Number.isInteger(side)
      ? ` (a ${side}×${side} grayscale image${spec.batch > 1 ? ` per sample, ${spec.batch} stacked vertically` : ''})`
      : '';
    throw new DataError(`${file} is ${png.width}×${png.height} = ${int(pixels)} pixels; ${expected(spec)}${hint}`);
  }
  const rgba = png.data; // 8 bits per channel after decoding, whatever the file's bit depth
  const out = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const r = rgba[4 * i]!;
    const g = rgba[4 * i + 1]!;
    const b = rgba[4 * i + 2]!;
    const level = r === g && g === b ? r : 0.299 * r + 0.587 * g + 0.114 * b;
    const alpha = rgba[4 * i + 3]!;
    out[i] = alpha === 255 ? level / 255 : (level * alpha) / (255 * 255);
  }
  return out;
}

function jsonNumbers(file: string, bytes: Uint8Array): Float32Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new FileError(file, `${file} is not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed))
    throw new FileError(file, `${file} must hold an array of numbers (flat or nested), not ${typeof parsed}`);
  const flat = (parsed as unknown[]).flat(Infinity);
  const bad = flat.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0)
    throw new FileError(
      file,
      `${file}: value ${bad} (in reading order) is ${JSON.stringify(flat[bad])}, not a finite number`,
    );
  return Float32Array.from(flat as number[]);
}

function f32Values(file: string, bytes: Uint8Array): Float32Array {
  if (bytes.length % 4 !== 0)
    throw new DataError(`${file} has ${int(bytes.length)} bytes, not a whole number of 4-byte f32 values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** `values` as raw little-endian f32 bytes (the .bin output of `sqz run`). */
export function f32Bytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
}
