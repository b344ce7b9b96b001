// npy:, npz: against NumPy itself: python3 (Debian's python3-numpy) writes the files with np.save, np.savez and
// np.savez_compressed, and the values read back must equal what NumPy wrote, split as documented. Hostile or
// unsupported files (pickled object arrays, Fortran order, float16, structured dtypes, truncation) are refused
// with a DataError naming the file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadDataset } from '../../../compiler/data/load.js';
import { DataError } from '../../../compiler/errors.js';

/** Debian's python3, where python3-numpy and python3-sklearn install (scripts/system-deps.sh). */
const PYTHON = '/usr/bin/python3';
const tmp = mkdtempSync(join(tmpdir(), 'sqz-npy-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs a numpy script in `tmp` (np is imported, the cwd is tmp). */
function numpy(script: string): void {
  execFileSync(PYTHON, ['-c', `import numpy as np\n${script}`], { cwd: tmp, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A deterministic reference array written by numpy as text (repr of every element, full precision). */
function numpyValues(expr: string): number[] {
  const out = execFileSync(
    'python3',
    ['-c', `import numpy as np\nimport json\nprint(json.dumps([float(v) for v in (${expr}).ravel()]))`],
    { cwd: tmp },
  );
  return JSON.parse(out.toString()) as number[];
}

async function dataError(spec: string, pattern: RegExp): Promise<void> {
  await assert.rejects(loadDataset(spec), (err: unknown) => err instanceof DataError && pattern.test(err.message));
}

describe('npy: and npz: read what NumPy writes', () => {
  before(() => {
    numpy(`
rng = np.random.default_rng(7)
x = rng.integers(0, 256, size=(30, 4, 5), dtype=np.uint8)
y = (np.arange(30) % 3).astype(np.int64)
np.save('x.npy', x); np.save('y.npy', y); np.save('y5.npy', y[:5]); np.save('y_onehot.npy', np.eye(3, dtype=np.float32)[y])
xf = rng.standard_normal((30, 6)).astype('>f8')
np.save('xf_be.npy', xf)
yr = rng.standard_normal((30, 2)).astype(np.float32)
np.save('yr.npy', yr)
np.savez('plain.npz', x_train=x[:24], y_train=y[:24], x_test=x[24:], y_test=y[24:])
np.savez_compressed('deflated.npz', x_train=x[:24], y_train=y[:24], x_test=x[24:], y_test=y[24:])
np.savez_compressed('nolabels.npz', x_train=xf[:20].astype(np.float32), x_test=xf[20:].astype(np.float32))
np.save('obj.npy', np.array([{'a': 1}, None], dtype=object), allow_pickle=True)
np.save('fortran.npy', np.asfortranarray(rng.standard_normal((3, 4)).astype(np.float32)))
np.save('half.npy', np.zeros((3, 2), dtype=np.float16))
np.save('rec.npy', np.zeros(3, dtype=[('a', '<f4'), ('b', '<i4')]))
np.save('nan.npy', np.array([[1.0, np.nan], [0.5, 0.25]], dtype=np.float32))
np.savez('nox.npz', a=x)
`);
  });

  it('npy:X,Y scales integer x by 1/255, keeps integer y as class labels, and tests every 6th sample', async () => {
    const d = await loadDataset(`npy:${join(tmp, 'x.npy')},${join(tmp, 'y.npy')}`);
    const x = numpyValues("np.load('x.npy')");
    assert.deepEqual(d.shape, [4, 5]);
    assert.equal(d.numClasses, 3);
    assert.equal(d.targetWidth, 1);
    assert.equal(d.train.count, 25);
    assert.equal(d.test.count, 5);
    // test sample k is sample 6k + 5
    for (let k = 0; k < 5; k++) {
      const i = 6 * k + 5;
      assert.deepEqual(
        Array.from(d.test.images.subarray(k * 20, (k + 1) * 20)),
        x.slice(i * 20, (i + 1) * 20).map((v) => Math.fround(v / 255)),
      );
      assert.equal(d.test.labels[k], i % 3);
    }
    assert.match(d.description, /i % 6 == 5/);
  });

  it('npy: a one-hot y (Keras to_categorical) gives the same class labels as the integer y', async () => {
    const ints = await loadDataset(`npy:${join(tmp, 'x.npy')},${join(tmp, 'y.npy')}`);
    const hot = await loadDataset(`npy:${join(tmp, 'x.npy')},${join(tmp, 'y_onehot.npy')}`);
    assert.equal(hot.numClasses, 3);
    assert.equal(hot.targetWidth, 3);
    assert.deepEqual(hot.train.labels, ints.train.labels);
    assert.deepEqual(hot.test.labels, ints.test.labels);
  });

  it('npy: big-endian float64 x is used as it is; a float y of width 2 gives regression targets', async () => {
    const d = await loadDataset(`npy:${join(tmp, 'xf_be.npy')},${join(tmp, 'yr.npy')}`);
    const x = numpyValues("np.load('xf_be.npy')");
    const y = numpyValues("np.load('yr.npy')");
    assert.equal(d.numClasses, 0);
    assert.equal(d.targetWidth, 2);
    assert.deepEqual(Array.from(d.train.images.subarray(0, 6)), x.slice(0, 6).map(Math.fround));
    assert.deepEqual(Array.from(d.test.targets!.subarray(0, 2)), y.slice(10, 12).map(Math.fround));
  });

  for (const file of ['plain.npz', 'deflated.npz']) {
    it(`npz: ${file} (${file === 'plain.npz' ? 'np.savez, stored' : 'np.savez_compressed, deflated'}) keeps its split`, async () => {
      const d = await loadDataset(`npz:${join(tmp, file)}`);
      const x = numpyValues("np.load('x.npy')");
      assert.equal(d.train.count, 24);
      assert.equal(d.test.count, 6);
      assert.equal(d.numClasses, 3);
      assert.deepEqual(
        Array.from(d.test.images),
        x.slice(24 * 20).map((v) => Math.fround(v / 255)),
      );
      assert.deepEqual(
        Array.from(d.train.labels),
        Array.from({ length: 24 }, (_, i) => i % 3),
      );
    });
  }

  it('npz: without y keys is a dataset without targets (reconstruction data)', async () => {
    const d = await loadDataset(`npz:${join(tmp, 'nolabels.npz')}`);
    assert.equal(d.targetWidth, 0);
    assert.equal(d.numClasses, 0);
    assert.equal(d.train.targets, undefined);
    assert.deepEqual(d.shape, [6]);
  });

  it('refuses pickled object arrays, Fortran order, float16, structured dtypes and NaN, naming the file', async () => {
    await dataError(`npy:${join(tmp, 'obj.npy')}`, /obj\.npy: dtype '\|O' is an object array.*never unpickles/);
    await dataError(`npy:${join(tmp, 'fortran.npy')}`, /fortran\.npy: .*Fortran order/);
    await dataError(`npy:${join(tmp, 'half.npy')}`, /half\.npy: dtype '<f2' is not supported/);
    await dataError(`npy:${join(tmp, 'rec.npy')}`, /rec\.npy: structured dtypes/);
    await dataError(`npy:${join(tmp, 'nan.npy')}`, /nan\.npy: sample 0 holds NaN/);
    await dataError(`npy:${join(tmp, 'x.npy')},${join(tmp, 'y5.npy')}`, /y5\.npy holds 5 samples .*x\.npy holds 30/);
    await dataError(`npz:${join(tmp, 'nox.npz')}`, /nox\.npz has no x_train or x_test \(it holds a\.npy\)/);
    await dataError(`npy:${join(tmp, 'missing.npy')}`, /cannot read data file .*missing\.npy: file not found/);
  });

  it('refuses truncated and corrupt files with the file named', async () => {
    const npy = readFileSync(join(tmp, 'x.npy'));
    writeFileSync(join(tmp, 'short.npy'), npy.subarray(0, npy.length - 7));
    await dataError(`npy:${join(tmp, 'short.npy')}`, /short\.npy: truncated/);
    const npz = readFileSync(join(tmp, 'deflated.npz'));
    writeFileSync(join(tmp, 'cut.npz'), npz.subarray(0, npz.length - 30));
    await dataError(`npz:${join(tmp, 'cut.npz')}`, /cut\.npz: not a readable \.npz/);
    const flipped = Buffer.from(npz);
    flipped[80] ^= 0xff; // inside the first entry's deflate stream
    writeFileSync(join(tmp, 'flipped.npz'), flipped);
    await dataError(
      `npz:${join(tmp, 'flipped.npz')}`,
      /flipped\.npz: entry x_train\.npy: (corrupt deflate|CRC-32|\d+ bytes after)/,
    );
  });
});
