// The `npy:X.npy[,Y.npy]` and `npz:FILE` specs: NumPy arrays as a dataset (value rules in arrays.ts).
// - npy: one x (and optionally one y) with no split of its own: split by index like idx: (every 6th sample is test).
// - npz: Keras' mnist.npz convention, what numpy.savez / savez_compressed write: x_train, x_test and optionally
//   y_train, y_test. The archive's own split is used.
import { DataError } from '../errors.js';
import { arraySplit, type ArraySplit } from './arrays.js';
import { splitByIndex, type Dataset } from './dataset.js';
import { readDataFile } from './files.js';
import { parseNpy, type NpyArray } from './npy.js';
import { listZip, readZipEntry } from './zip.js';

/** `npy:X.npy[,Y.npy]`. */
export function loadNpy(xPath: string, yPath?: string): Dataset {
  const x = parseNpy(readDataFile(xPath), xPath);
  const y = yPath === undefined ? undefined : parseNpy(readDataFile(yPath), yPath);
  const all = arraySplit(x, y, xPath, yPath ?? '');
  const { train, test, rule } = splitByIndex(all.split);
  return {
    name: `npy:${xPath}`,
    shape: all.shape,
    numClasses: all.numClasses,
    targetWidth: all.targetWidth,
    train,
    test,
    description: `NumPy x ${xPath} [${x.shape.join(', ')}] ${x.descr}${y ? `, y ${yPath} [${y.shape.join(', ')}] ${y.descr}` : ', no y'}. ${rule}`,
  };
}

const NPZ_KEYS = ['x_train', 'y_train', 'x_test', 'y_test'] as const;

/** `npz:FILE` with x_train, x_test and optional y_train, y_test. */
export function loadNpz(file: string): Dataset {
  const bytes = readDataFile(file);
  const entries = listZip(bytes, file);
  const arrays: Partial<Record<(typeof NPZ_KEYS)[number], NpyArray>> = {};
  for (const key of NPZ_KEYS) {
    const entry = entries.find((e) => e.name === `${key}.npy` || e.name === key);
    if (entry) arrays[key] = parseNpy(readZipEntry(bytes, entry, file), `${file}:${entry.name}`);
  }
  const missing = (['x_train', 'x_test'] as const).filter((k) => !arrays[k]);
  if (missing.length > 0) {
    throw new DataError(
      `${file} has no ${missing.join(' or ')} (it holds ${entries.map((e) => e.name).join(', ') || 'nothing'}); ` +
        'an npz dataset needs x_train and x_test, and optionally y_train and y_test (numpy.savez(file, x_train=..., ...))',
    );
  }
  if (!arrays.y_train !== !arrays.y_test) {
    throw new DataError(
      `${file} has ${arrays.y_train ? 'y_train but no y_test' : 'y_test but no y_train'}; give both or neither`,
    );
  }
  const train = arraySplit(arrays.x_train!, arrays.y_train, `${file}:x_train`, `${file}:y_train`);
  const test = arraySplit(arrays.x_test!, arrays.y_test, `${file}:x_test`, `${file}:y_test`);
  checkSameShape(train, test, file);
  return {
    name: `npz:${file}`,
    shape: train.shape,
    numClasses: train.numClasses > 0 && test.numClasses > 0 ? Math.max(train.numClasses, test.numClasses) : 0,
    targetWidth: train.targetWidth,
    train: train.split,
    test: test.split,
    description:
      `NumPy archive ${file}: x_train [${arrays.x_train!.shape.join(', ')}] ${arrays.x_train!.descr}, ` +
      `x_test [${arrays.x_test!.shape.join(', ')}]${arrays.y_train ? ', with y_train and y_test' : ', no y'}; ` +
      `its own split (${train.split.count} train, ${test.split.count} test).`,
  };
}

function checkSameShape(train: ArraySplit, test: ArraySplit, file: string): void {
  if (train.shape.join() !== test.shape.join() || train.targetWidth !== test.targetWidth) {
    throw new DataError(
      `${file}: train samples are [${train.shape.join(', ')}] with ${train.targetWidth} y values but test samples are ` +
        `[${test.shape.join(', ')}] with ${test.targetWidth}; both splits must have the same shapes`,
    );
  }
}
