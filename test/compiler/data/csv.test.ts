// csv: on real data: scikit-learn's diabetes (regression) and wine (3 classes) datasets, as Debian's python3-sklearn
// ships them, written with a header row by numpy.savetxt. The values read must equal sklearn's arrays, split like idx:.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadDataset } from '../../../compiler/data/load.js';
import { DataError } from '../../../compiler/errors.js';

/** Debian's python3, where python3-numpy and python3-sklearn install (scripts/system-deps.sh). */
const PYTHON = '/usr/bin/python3';
const tmp = mkdtempSync(join(tmpdir(), 'sqz-csv-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function python(script: string): string {
  return execFileSync(PYTHON, ['-c', script], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

describe('csv: reads scikit-learn datasets written by numpy.savetxt', () => {
  let diabetes: { x: number[][]; y: number[]; names: string[] };
  before(() => {
    diabetes = JSON.parse(
      python(`
import json, numpy as np
from sklearn.datasets import load_diabetes, load_wine
d = load_diabetes()
np.savetxt('diabetes.csv', np.column_stack([d.data, d.target]), delimiter=',', header=','.join(d.feature_names + ['target']), comments='')
w = load_wine()
np.savetxt('wine.csv', np.column_stack([w.target, w.data]), delimiter=',', fmt='%.10g', header=','.join(['cultivar'] + w.feature_names), comments='')
print(json.dumps({'x': d.data.tolist(), 'y': d.target.tolist(), 'names': d.feature_names}))
`),
    ) as typeof diabetes;
  });

  it('diabetes: 10 features, y = the last column (targets, no classes), every 6th row test', async () => {
    const d = await loadDataset(`csv:${join(tmp, 'diabetes.csv')}`);
    assert.equal(diabetes.x.length, 442);
    assert.deepEqual(d.shape, [10]);
    assert.equal(d.targetWidth, 1);
    assert.equal(d.numClasses, 0, 'targets up to 346 are not u8 class labels');
    assert.equal(d.train.count + d.test.count, 442);
    assert.equal(d.test.count, 73);
    for (let k = 0; k < d.test.count; k++) {
      const i = 6 * k + 5;
      assert.deepEqual(Array.from(d.test.images.subarray(10 * k, 10 * k + 10)), diabetes.x[i]!.map(Math.fround));
      assert.equal(d.test.targets![k], Math.fround(diabetes.y[i]!));
    }
  });

  it('wine: --label-column picks the first column; integer labels become 3 classes', async () => {
    const d = await loadDataset(`csv:${join(tmp, 'wine.csv')}`, { labelColumn: 'cultivar' });
    assert.deepEqual(d.shape, [13]);
    assert.equal(d.numClasses, 3);
    const counts = [0, 0, 0];
    for (const l of [...d.train.labels, ...d.test.labels]) counts[l]++;
    assert.deepEqual(counts, [59, 71, 48]);
  });

  it('refuses NaN, empty fields, a missing label column and ragged rows, naming line and column', async () => {
    const reject = (text: string, pattern: RegExp, labelColumn?: string) => {
      const file = join(tmp, 'bad.csv');
      writeFileSync(file, text);
      return assert.rejects(
        loadDataset(`csv:${file}`, labelColumn ? { labelColumn } : {}),
        (err: unknown) => err instanceof DataError && err.message.includes(file) && pattern.test(err.message),
      );
    };
    await reject(
      'a,b,y\n1,2,0\n3,nan,1\n',
      /line 3 \(sample 1\), column 'b': 'nan' is not a number \(NaN and Infinity/,
    );
    await reject('a,b,y\n1,,0\n', /line 2 \(sample 0\), column 'b': empty field/);
    await reject('a,b,y\n1,2,0\n', /no column named 'label'/, 'label');
    await reject('a,b,y\n1,2,0\n1,2\n', /line 3 \(sample 1\) has 2 fields, the header has 3/);
  });
});
