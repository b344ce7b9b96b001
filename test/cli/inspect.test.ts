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

interface Parts {
  values: number;
  positions: number;
  codebook: number;
  framing: number;
}
interface Summary {
  fileBytes: number;
  ops: {
    type: string;
    tensors: {
      index: number;
      role: string;
      shape: number[];
      n: number;
      nonzeros: number;
      density: number;
      bits: number;
      encoding: string;
      bytes: number;
      parts: Parts;
    }[];
  }[];
  layers: { op: number; type: string; weightTensor: number; biasTensor: number; bytes: Parts & { bias: number } }[];
  totals: {
    fileBytes: number;
    parameters: number;
    nonzeros: number;
    nonzeroBits: number;
    tensorBytes: number;
    headerBytes: number;
    bytes: Parts & { file: number; header: number; graph: number; bias: number; other: number };
  };
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
    // The split adds up to the runtime's byte count; raw f32 tensors are all values and framing.
    assert.equal(t.parts.values + t.parts.positions + t.parts.codebook + t.parts.framing, expected.bytes);
    assert.equal(t.parts.values, 4 * t.n, 'f32 data');
    assert.equal(t.parts.positions + t.parts.codebook, 0);
  }
  model.dispose();
  // Per layer: the kernel's parts and the bias tensor's bytes.
  assert.deepEqual(
    s.layers.map((l) => [l.op, l.weightTensor, l.biasTensor]),
    [
      [0, 0, 1],
      [1, 2, 3],
    ],
  );
  for (const l of s.layers) {
    const [kernel, bias] = s.ops[l.op]!.tensors;
    assert.deepEqual({ ...l.bytes, bias: undefined }, { ...kernel!.parts, bias: undefined });
    assert.equal(l.bytes.bias, bias!.bytes);
  }
  const b = s.totals.bytes;
  assert.equal(b.file, s.totals.fileBytes);
  assert.equal(
    b.header + b.graph + b.values + b.positions + b.codebook + b.framing + b.bias + b.other,
    s.totals.fileBytes,
  );
  assert.equal(b.graph, s.totals.fileBytes - s.totals.tensorBytes - s.totals.headerBytes);
  assert.equal(b.other, 0);
  assert.equal(s.totals.nonzeros, nonzeros);
  assert.equal(s.totals.nonzeroBits, nonzeroBits);
  assert.ok(s.totals.tensorBytes + s.totals.headerBytes < s.totals.fileBytes, 'the graph takes some bytes too');
  assert.deepEqual(
    s.ops.map((op) => op.type),
    ['dense', 'dense'],
  );
});

test('inspect prints a table with every tensor and the totals', { timeout: 60_000 }, async () => {
  const r = await runCli(['inspect', sqz]);
  assert.equal(r.code, 0, r.stderr);
  const size = (await stat(sqz)).size.toLocaleString('en-US');
  assert.match(r.stdout, new RegExp(`^file bytes +${size} `, 'm'));
  assert.match(r.stdout, /^parameters +50,890$/m);
  // f32 kernel: 200,704 bytes of values; framing 13 = tag + 3-byte length, shape field (tag, length, 2 + 1 bytes
  // of varints), data tag + 3-byte length (encoding 0 is not written).
  assert.match(
    r.stdout,
    /^0 +dense +relu +\[64\] +weight +\[784×64\] +50,176 +50,176 +100\.00% +32 +f32 +200,717 +200,704 +0 +0 +13$/m,
  );
  assert.match(r.stdout, /^1 +dense +softmax +\[10\] +bias +\[10\] +10 /m);
  assert.match(r.stdout, /^Σ nnz·bits +1,628,480 bits/m); // 50,890 f32 values
  assert.match(
    r.stdout,
    /^kernel bytes +values 203,264 \(\d+\.\d%\), positions 0 \(0\.0%\), codebooks 0 \(0\.0%\), framing \d+ /m,
  );
  assert.match(r.stdout, /^other bytes +biases \d+ \(\d+\.\d%\), graph \d+ \(\d+\.\d%\), header 14 \(0\.0%\)$/m);
});
