// The `images:DIR` spec: PNG and JPEG files, one subfolder per class (the layout of Keras'
// image_dataset_from_directory and Teachable Machine exports).
// - Classes are the subfolders' names sorted by code point, numbered from 0; files in a class are read in sorted
//   order; files with other extensions and nested folders are skipped.
// - Splits: DIR/train and DIR/test when both exist (the test folder's classes must be among train's); otherwise
//   every 6th image of each class (index % 6 == 5 in sorted order) is test.
// - Each image becomes the model's input: converted to its channel count (1: Rec. 601 luma, alpha darkening
//   towards black as `sqz run` reads a PNG; 3: RGB, alpha dropped; 4: RGBA), resized bilinearly (resize.ts) to
//   its height and width, and mapped from 0..255 to the input range (default [0, 1]).
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DataError, describeFsError } from '../errors.js';
import type { Dataset, Split } from './dataset.js';
import { readDataFile } from './files.js';
import { resizeBilinear } from './resize.js';

export interface ImageOptions {
  /** The model's per-sample input shape: [H, W, C], [H, W] (gray) or [n] (the images' own size, n = H·W·C). */
  inputShape?: readonly number[];
  /** What pixel values 0 and 255 map to (default [0, 1]). */
  inputRange?: readonly [number, number];
}

const EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
/** Decoder limits: a bigger image is refused instead of exhausting memory. */
const MAX_MEGAPIXELS = 100;
const MAX_CLASSES = 256;

/** An image decoded to 8-bit RGBA. */
interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The sorted names of `dir`'s subfolders. */
function subfolders(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new DataError(`cannot read image folder ${dir}: ${describeFsError(err)}`, { cause: err });
  }
  return names.filter((n) => !n.startsWith('.') && isDir(join(dir, n))).sort();
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The sorted image files of one class folder. @throws DataError when it holds none */
function imageFiles(dir: string): string[] {
  const files = readdirSync(dir)
    .filter((n) => !n.startsWith('.') && EXTENSIONS.has(extname(n).toLowerCase()) && !isDir(join(dir, n)))
    .sort();
  if (files.length === 0) {
    throw new DataError(`class folder ${dir} holds no PNG or JPEG images; remove it or add images`);
  }
  return files.map((n) => join(dir, n));
}

/** Decodes a PNG or JPEG (by its first bytes) to RGBA. `where` names the file and sample in errors. */
function decode(bytes: Uint8Array, where: string): Rgba {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let image: Rgba;
  try {
    if (bytes[0] === 0x89 && bytes[1] === 0x50) image = PNG.sync.read(buffer);
    else if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      image = jpeg.decode(buffer, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS });
    } else throw new Error('neither a PNG nor a JPEG signature');
  } catch (err) {
    throw new DataError(`${where}: not a readable image (${(err as Error).message})`, { cause: err });
  }
  if (!(image.width > 0 && image.height > 0) || image.data.length < image.width * image.height * 4) {
    throw new DataError(`${where}: the image is ${image.width}×${image.height}; it cannot be converted`);
  }
  return image;
}

/** RGBA bytes to `c` channels of 0..255 floats. */
function toChannels(image: Rgba, c: number): Float32Array {
  const pixels = image.width * image.height;
  const rgba = image.data;
  const out = new Float32Array(pixels * c);
  for (let i = 0; i < pixels; i++) {
    const r = rgba[4 * i]!;
    const g = rgba[4 * i + 1]!;
    const b = rgba[4 * i + 2]!;
    const a = rgba[4 * i + 3]!;
    if (c === 1) {
      const level = r === g && g === b ? r : 0.299 * r + 0.587 * g + 0.114 * b;
      out[i] = a === 255 ? level : (level * a) / 255;
    } else {
      out[i * c] = r;
      out[i * c + 1] = g;
      out[i * c + 2] = b;
      if (c === 4) out[i * c + 3] = a;
    }
  }
  return out;
}

/** [H, W, C] the images become, from the model's input shape (or the first image when it does not say). */
function targetLayout(first: Rgba, options: ImageOptions, where: string): [number, number, number] {
  const shape = options.inputShape;
  if (shape && shape.length === 3) {
    if (![1, 3, 4].includes(shape[2]!)) {
      throw new DataError(
        `the model's input [${shape.join(', ')}] has ${shape[2]} channels; images convert to 1, 3 or 4`,
      );
    }
    return [shape[0]!, shape[1]!, shape[2]!];
  }
  if (shape && shape.length === 2) return [shape[0]!, shape[1]!, 1];
  const pixels = first.width * first.height;
  if (!shape) return [first.height, first.width, 1];
  if (shape.length === 1 && [1, 3].some((c) => pixels * c === shape[0])) {
    return [first.height, first.width, pixels === shape[0] ? 1 : 3];
  }
  throw new DataError(
    `${where} is ${first.width}×${first.height}; the model's input [${shape.join(', ')}] gives no height and width ` +
      'to resize to, and the image does not fill it as gray or RGB',
  );
}

/** Reads one class-per-subfolder tree: every image, its class and where it came from. */
function readTree(
  dir: string,
  classes: readonly string[],
  layout: { value?: [number, number, number] },
  options: ImageOptions,
  pick: (index: number) => boolean,
): { split: Split; picked: number } {
  const [lo, hi] = options.inputRange ?? [0, 1];
  const samples: Float32Array[] = [];
  const labels: number[] = [];
  for (let k = 0; k < classes.length; k++) {
    const folder = join(dir, classes[k]!);
    if (!isDir(folder)) continue;
    imageFiles(folder).forEach((file, i) => {
      if (!pick(i)) return;
      const where = `${file} (image ${i} of class '${classes[k]}')`;
      const image = decode(readDataFile(file), where);
      layout.value ??= targetLayout(image, options, where);
      const [h, w, c] = layout.value;
      const pixels = resizeBilinear(toChannels(image, c), image.height, image.width, c, h, w);
      for (let j = 0; j < pixels.length; j++) pixels[j] = lo + (pixels[j]! / 255) * (hi - lo);
      samples.push(pixels);
      labels.push(k);
    });
  }
  const size = samples[0]?.length ?? 0;
  const images = new Float32Array(samples.length * size);
  samples.forEach((s, i) => images.set(s, i * size));
  const u8 = Uint8Array.from(labels);
  return {
    split: { images, labels: u8, count: samples.length, targets: Float32Array.from(u8) },
    picked: samples.length,
  };
}

/** `images:DIR`. */
export function loadImageFolder(dir: string, options: ImageOptions = {}): Dataset {
  const presplit = isDir(join(dir, 'train')) && isDir(join(dir, 'test'));
  const root = presplit ? join(dir, 'train') : dir;
  const classes = subfolders(root);
  if (classes.length === 0) {
    throw new DataError(
      `${root} has no class subfolders; put each class's images in a folder named after it (${root}/CLASS/*.png)`,
    );
  }
  if (classes.length > MAX_CLASSES)
    throw new DataError(`${root} has ${classes.length} class folders; sqz handles up to ${MAX_CLASSES}`);
  if (presplit) {
    const extra = subfolders(join(dir, 'test')).filter((c) => !classes.includes(c));
    if (extra.length > 0)
      throw new DataError(`${dir}/test has class folders that ${dir}/train lacks: ${extra.join(', ')}`);
  }
  const layout: { value?: [number, number, number] } = {};
  const isTest = (i: number) => i % 6 === 5;
  const train = presplit
    ? readTree(root, classes, layout, options, () => true)
    : readTree(root, classes, layout, options, (i) => !isTest(i));
  const test = presplit
    ? readTree(join(dir, 'test'), classes, layout, options, () => true)
    : readTree(root, classes, layout, options, isTest);
  const [lo, hi] = options.inputRange ?? [0, 1];
  return {
    name: `images:${dir}`,
    shape: [...layout.value!],
    numClasses: classes.length,
    targetWidth: 1,
    classNames: classes,
    train: train.split,
    test: test.split,
    description:
      `images in ${dir}: ${classes.length} classes (${classes.join(', ')}), ${train.picked} train / ${test.picked} test ` +
      (presplit ? `(its train/ and test/ folders)` : '(every 6th image of each class, in sorted order, is test)') +
      `, resized to [${layout.value!.join(', ')}], pixels mapped to [${lo}, ${hi}].`,
  };
}
