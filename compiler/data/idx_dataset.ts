// Datasets stored as IDX image/label pairs: Fashion-MNIST (four files with their own train/test split) and
// any other pair given as `idx:IMAGES,LABELS` (one pair, split by us).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import type { Dataset, Split } from './dataset.js';
import { splitByIndex } from './dataset.js';
import type { IdxArray } from './idx.js';
import { readIdxFile } from './idx.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const FASHION_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
};

/**
 * Turns an image file ([N, H, W] or [N, H, W, C]) and a label file ([N]) into a Split. u8 pixels are divided by
 * 255; float pixels must already lie in [0, 1]. Labels must be integers in [0, 255].
 * @returns the split, its per-sample shape and the number of classes (largest label + 1)
 */
function idxPairToSplit(
  images: IdxArray,
  labels: IdxArray,
  imagesName: string,
  labelsName: string,
): { split: Split; shape: [number, number, number]; numClasses: number } {
  const dims = images.dims;
  if (dims.length !== 3 && dims.length !== 4) {
    throw new DataError(`${imagesName}: images must have 3 or 4 dimensions [N, H, W(, C)], got [${dims.join(', ')}]`);
  }
  if (labels.dims.length !== 1) {
    throw new DataError(`${labelsName}: labels must have 1 dimension [N], got [${labels.dims.join(', ')}]`);
  }
  const n = dims[0];
  if (labels.dims[0] !== n) {
    throw new DataError(
      `IDX pair mismatch: ${imagesName} holds ${n} images but ${labelsName} holds ${labels.dims[0]} labels`,
    );
  }
  const shape: [number, number, number] = [dims[1], dims[2], dims.length === 4 ? dims[3] : 1];
  const pixels = new Float32Array(images.data.length);
  if (images.type === 'u8') {
    for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i] / 255;
  } else if (images.type === 'f32' || images.type === 'f64') {
    for (let i = 0; i < pixels.length; i++) {
      const v = images.data[i];
      if (!(v >= 0 && v <= 1)) {
        throw new DataError(`${imagesName}: float pixel ${v} at element ${i} is outside [0, 1]`);
      }
      pixels[i] = v;
    }
  } else {
    throw new DataError(`${imagesName}: image element type ${images.type} is not supported (use u8, f32 or f64)`);
  }
  const classes = new Uint8Array(n);
  let maxLabel = 0;
  for (let i = 0; i < n; i++) {
    const v = labels.data[i];
    if (!Number.isInteger(v) || v < 0 || v > 255) {
      throw new DataError(`${labelsName}: label ${v} at index ${i} is not an integer in [0, 255]`);
    }
    classes[i] = v;
    if (v > maxLabel) maxLabel = v;
  }
  return {
    split: { images: pixels, labels: classes, count: n, targets: Float32Array.from(classes) },
    shape,
    numClasses: maxLabel + 1,
  };
}

/** Fashion-MNIST from its four IDX .gz files in `dir`: 60,000 train and 10,000 test, as published. */
export function loadFashionMnist(dir = FASHION_MNIST_DIR): Dataset {
  const paths = Object.fromEntries(Object.entries(FASHION_FILES).map(([k, f]) => [k, join(dir, f)])) as Record<
    keyof typeof FASHION_FILES,
    string
  >;
  const missing = Object.values(paths).filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new DataError(
      `Fashion-MNIST not found at ${dir}: install Debian's dataset-fashion-mnist ` +
        `(apt-get install dataset-fashion-mnist) or pass fashion-mnist:DIR (missing: ${missing.join(', ')})`,
    );
  }
  const train = idxPairToSplit(
    readIdxFile(paths.trainImages),
    readIdxFile(paths.trainLabels),
    paths.trainImages,
    paths.trainLabels,
  );
  const test = idxPairToSplit(
    readIdxFile(paths.testImages),
    readIdxFile(paths.testLabels),
    paths.testImages,
    paths.testLabels,
  );
  if (train.shape.join() !== test.shape.join()) {
    throw new DataError(
      `Fashion-MNIST at ${dir}: train images are [${train.shape}] but test images are [${test.shape}]`,
    );
  }
  return {
    name: 'fashion-mnist',
    shape: train.shape,
    numClasses: Math.max(train.numClasses, test.numClasses),
    targetWidth: 1,
    train: train.split,
    test: test.split,
    description:
      `Fashion-MNIST, IDX files in ${dir}; the published split: ${train.split.count} train ` +
      `(${FASHION_FILES.trainImages}), ${test.split.count} test (${FASHION_FILES.testImages}).`,
  };
}

/**
 * Any IDX image/label pair. The files carry no test split, so we make one by index: sample i is test when
 * i % 6 == 5, train otherwise (one in six, interleaved so that files sorted by class still split evenly).
 */
export function loadIdxPair(imagesPath: string, labelsPath: string): Dataset {
  const { split, shape, numClasses } = idxPairToSplit(
    readIdxFile(imagesPath),
    readIdxFile(labelsPath),
    imagesPath,
    labelsPath,
  );
  const { train, test, rule } = splitByIndex(split);
  return {
    name: 'idx',
    shape,
    numClasses,
    targetWidth: 1,
    train,
    test,
    description: `IDX pair ${imagesPath} + ${labelsPath} (${split.count} samples). ${rule}`,
  };
}
