// `sqz inspect` on a real .sqz (the digit MLP, converted): its figures must agree with the file on disk and with
// the wasm runtime, which decodes the file with its own reader (assembly/), independent of formats/.
import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import { test } from 'node:test';
import { SqzModel } from '../../runtime/index.js';
import { convertMlp, runCli, tempDir } from './helpers.js';

const dir = await tempDir('inspect');
test.after(() => rm(dir, { recursive: true, force: true }));
const sqz = await convertMlp(dir);

interface Summary {
  fileBytes: number;
  ops: { type: string; tensors: { index: number; role: string; shape: number[]; n: number; nonzeros: number; density: number; bits: number; encoding: string; bytes: number }[] }[];
  totals: { fileBytes: number; parameters: number; nonzeros: number; nonzeroBits: number; tensorBytes: number; headerBytes: number };
}

test('inspect --json: totals match the file on disk and the runtime', { timeout: 60_000 }, async () => {
  const r = await runCli(['inspect', sqz, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Summary;
  assert.equal(s.totals.fileBytes, (await stat(sqz)).size);

  const model = await SqzModel.load(await readFile(sqz));
  const info = model.info;
  assert.equal(s.totals.fileBytes, info.fileBytes);
  assert.equal(s.totals.parameters, info.parameters);
  const tensors = s.ops.flatMap((op) => op.tensors);
  assert.equal(tensors.length, info.tensors.length);
  let nonzeros = 0;
  let nonzeroBits = 0;
  for (const t of tensors) {
    const expected = info.tensors[t.index]!;
    assert.deepEqual(t.shape, expected.shape);
    assert.equal(t.n, expected.n);
    assert.equal(t.bits, expected.bits);
    assert.equal(t.bytes, expected.bytes);
    assert.equal(t.encoding, expected.encoding);
    // Nonzeros counted on the runtime's own decode of the tensor.
    const decoded = model.decodeTensor(t.index);
    const nnz = decoded.reduce((count, v) => count + (v !== 0 ? 1 : 0), 0);
    assert.equal(t.nonzeros, nnz);
    assert.equal(t.density, nnz / t.n);
    nonzeros += nnz;
    nonzeroBits += nnz * expected.bits;
  }
  model.dispose();
  assert.equal(s.totals.nonzeros, nonzeros);
  assert.equal(s.totals.nonzeroBits, nonzeroBits);
  assert.ok(s.totals.tensorBytes + s.totals.headerBytes < s.totals.fileBytes, 'the graph takes some bytes too');
  assert.deepEqual(s.ops.map((op) => op.type), ['dense', 'dense']);
});

test('inspect prints a table with every tensor and the totals', { timeout: 60_000 }, async () => {
  const r = await runCli(['inspect', sqz]);
  assert.equal(r.code, 0, r.stderr);
  const size = (await stat(sqz)).size.toLocaleString('en-US');
  assert.match(r.stdout, new RegExp(`^file bytes +${size} `, 'm'));
  assert.match(r.stdout, /^parameters +50,890$/m);
  assert.match(r.stdout, /^0 +dense +relu +\[64\] +weight +\[784×64\] +50,176 /m);
  assert.match(r.stdout, /^1 +dense +softmax +\[10\] +bias +\[10\] +10 /m);
  assert.match(r.stdout, /^Σ nnz·bits +1,628,480 bits/m); // 50,890 f32 values
});
