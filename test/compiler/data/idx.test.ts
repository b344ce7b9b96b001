// The IDX reader on hand-built files (written here byte by byte, big-endian) and on clear errors for missing,
// truncated, corrupt and mismatched files.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseIdx, readIdxFile } from '../../../compiler/data/idx.js';
import { loadDataset } from '../../../compiler/data/load.js';

/** IDX bytes: magic 0 0 type rank, big-endian u32 dims, then elements written big-endian by `write`. */
function idxBytes(
  type: number,
  dims: number[],
  elementBytes: number,
  write: (v: DataView, at: number, i: number) => void,
): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(4 + 4 * dims.length + count * elementBytes);
  const view = new DataView(bytes.buffer);
  bytes[2] = type;
  bytes[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const start = 4 + 4 * dims.length;
  for (let i = 0; i < count; i++) write(view, start + i * elementBytes, i);
  return bytes;
}

const tmp = mkdtempSync(join(tmpdir(), 'sqz-idx-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('parseIdx', () => {
  it('reads every element type, big-endian, raw and gzip', () => {
    const i16 = idxBytes(0x0b, [2, 3], 2, (v, at, i) => v.setInt16(at, (i - 3) * 1000, false));
    const f32 = idxBytes(0x0d, [4], 4, (v, at, i) => v.setFloat32(at, i / 8, false));
    const i32 = idxBytes(0x0c, [3], 4, (v, at, i) => v.setInt32(at, -70000 * (i + 1), false));
    const f64 = idxBytes(0x0e, [2], 8, (v, at, i) => v.setFloat64(at, Math.PI * i, false));
    const u8 = idxBytes(0x08, [2, 2, 2], 1, (v, at, i) => v.setUint8(at, 250 + i - 4));
    const i8 = idxBytes(0x09, [3], 1, (v, at, i) => v.setInt8(at, -i));
    for (const wrap of [(b: Uint8Array) => b, (b: Uint8Array) => gzipSync(b)]) {
      const a = parseIdx(wrap(i16));
      assert.equal(a.type, 'i16');
      assert.deepEqual(a.dims, [2, 3]);
      assert.deepEqual(Array.from(a.data), [-3000, -2000, -1000, 0, 1000, 2000]);
      assert.deepEqual(Array.from(parseIdx(wrap(f32)).data), [0, 0.125, 0.25, 0.375]);
      assert.deepEqual(Array.from(parseIdx(wrap(i32)).data), [-70000, -140000, -210000]);
      assert.deepEqual(Array.from(parseIdx(wrap(f64)).data), [0, Math.PI]);
      assert.deepEqual(Array.from(parseIdx(wrap(u8)).data), [246, 247, 248, 249, 250, 251, 252, 253]);
      assert.deepEqual(Array.from(parseIdx(wrap(i8)).data), [0, -1, -2]);
    }
  });

  it('rejects bad magic, unknown types, truncated headers and data, trailing bytes and broken gzip', () => {
    const good = idxBytes(0x08, [4, 2], 1, (v, at, i) => v.setUint8(at, i));
    assert.throws(
      () => parseIdx(Uint8Array.from([0, 1, 8, 1, 0, 0, 0, 1, 5]), 'x.idx'),
      /x\.idx: not an IDX file \(first bytes 0x00 0x01/,
    );
    assert.throws(() => parseIdx(Uint8Array.from([0, 0, 0x0a, 1, 0, 0, 0, 1, 5])), /unknown IDX element type 0x0A/);
    assert.throws(() => parseIdx(good.subarray(0, 3)), /truncated IDX header \(3 bytes/);
    assert.throws(() => parseIdx(good.subarray(0, 10)), /truncated IDX header \(10 bytes, the 2 dimensions need 12\)/);
    assert.throws(
      () => parseIdx(good.subarray(0, good.length - 1)),
      /truncated IDX data \(dimensions \[4, 2\] need 20 bytes, file has 19\)/,
    );
    assert.throws(
      () => parseIdx(Uint8Array.from([...good, 0])),
      /corrupt IDX file \(dimensions \[4, 2\] need 20 bytes, file has 21\)/,
    );
    const gz = gzipSync(good);
    assert.throws(() => parseIdx(gz.subarray(0, gz.length - 6), 'y.gz'), /y\.gz: corrupt or truncated gzip data/);
    assert.throws(() => readIdxFile(join(tmp, 'nope.idx')), /IDX file not found: .*nope\.idx/);
  });
});

describe("loadDataset('idx:IMAGES,LABELS')", () => {
  const n = 20;
  const images = idxBytes(0x08, [n, 3, 2], 1, (v, at, i) => v.setUint8(at, (i * 7) % 256));
  const labels = idxBytes(0x08, [n], 1, (v, at, i) => v.setUint8(at, i % 4));
  const imagesPath = join(tmp, 'images.idx.gz');
  const labelsPath = join(tmp, 'labels.idx');
  writeFileSync(imagesPath, gzipSync(images));
  writeFileSync(labelsPath, labels);

  it('loads a pair, scales pixels to [0, 1] and splits every 6th sample (i % 6 == 5) into test', async () => {
    const d = await loadDataset(`idx:${imagesPath},${labelsPath}`);
    assert.deepEqual(d.shape, [3, 2, 1]);
    assert.equal(d.numClasses, 4);
    const testIx = [5, 11, 17];
    const trainIx = Array.from({ length: n }, (_, i) => i).filter((i) => !testIx.includes(i));
    assert.equal(d.test.count, 3);
    assert.equal(d.train.count, 17);
    assert.deepEqual(
      Array.from(d.test.labels),
      testIx.map((i) => i % 4),
    );
    assert.deepEqual(
      Array.from(d.train.labels),
      trainIx.map((i) => i % 4),
    );
    for (const [k, i] of testIx.entries()) {
      for (let j = 0; j < 6; j++) assert.equal(d.test.images[k * 6 + j], Math.fround((((i * 6 + j) * 7) % 256) / 255));
    }
    assert.match(d.description, /i % 6 == 5/);
  });

  it('reports mismatched counts, wrong ranks and missing files', async () => {
    const fewer = join(tmp, 'fewer.idx');
    writeFileSync(
      fewer,
      idxBytes(0x08, [n - 1], 1, (v, at) => v.setUint8(at, 0)),
    );
    await assert.rejects(loadDataset(`idx:${imagesPath},${fewer}`), /holds 20 images but .*fewer\.idx holds 19 labels/);
    await assert.rejects(loadDataset(`idx:${labelsPath},${labelsPath}`), /images must have 3 or 4 dimensions/);
    await assert.rejects(
      loadDataset(`idx:${imagesPath},${join(tmp, 'missing.idx')}`),
      /IDX file not found: .*missing\.idx/,
    );
    await assert.rejects(loadDataset(`idx:${imagesPath}`), /expected idx:IMAGES,LABELS/);
    const corrupt = join(tmp, 'corrupt.idx.gz');
    writeFileSync(corrupt, gzipSync(images).subarray(0, 30));
    await assert.rejects(
      loadDataset(`idx:${corrupt},${labelsPath}`),
      /corrupt\.idx\.gz: corrupt or truncated gzip data/,
    );
  });
});
