// modelByteAccount on files the real exporter wrote, one layer per encoding (f32, f16, codebook, sparse bitmap,
// sparse Rice, all-zero): every part must equal what the file's wire bytes hold, found by a protobuf walk written
// here and sharing nothing with formats/message_size.ts, and the parts must add up to the file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportModelDetailed } from '../../compiler/export/index.js';
import type { Graph, IROp } from '../../compiler/ir/graph.js';
import {
  ENC_CODEBOOK,
  ENC_F16,
  ENC_F32,
  ENC_SPARSE_BITMAP,
  ENC_SPARSE_RICE,
  HEADER_BYTES,
  f16ToF32,
  f32ToF16,
  modelByteAccount,
  readSqz,
  tensorPartsTotal,
  wrapPayload,
} from '../../formats/index.js';
import { rng } from '../fixtures/random.js';

/** A field of a protobuf message as found in the bytes: number, and the byte span [start, end) of the whole field. */
interface WireField {
  field: number;
  start: number;
  end: number;
  payloadStart: number;
}

/** Top-level fields of `bytes[from, to)`: a plain varint walk (wire types 0, 2 and 5 are all sqz uses). */
function walk(bytes: Uint8Array, from: number, to: number): WireField[] {
  const fields: WireField[] = [];
  let pos = from;
  const varint = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
  };
  while (pos < to) {
    const start = pos;
    const tag = varint();
    const wire = tag & 7;
    if (wire === 0) varint();
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const length = varint();
      const payloadStart = pos;
      pos += length;
      fields.push({ field: tag >>> 3, start, end: pos, payloadStart });
      continue;
    } else throw new Error(`unexpected wire type ${wire} at ${start}`);
    fields.push({ field: tag >>> 3, start, end: pos, payloadStart: pos });
  }
  assert.equal(pos, to, 'the walk ends exactly at the end of the message');
  return fields;
}

const gaussian = (random: () => number) => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/** A chain of dense layers whose kernels the exporter stores in the six encodings, in this order. */
function sixEncodingGraph(): Graph {
  const random = rng(5);
  const widths = [16, 40, 40, 40, 64, 64, 10];
  const levels = [-0.5, -0.125, 0.25, 0.375, 0.75];
  const nonzeroLevel = () => levels[1 + Math.floor(random() * 4)]!;
  const kernels: ((j: number, n: number) => number)[] = [
    () => 0.1 * gaussian(random) + 1e-7 * random(), // f32: not f16-exact
    () => f16ToF32(f32ToF16(0.2 * gaussian(random))), // f16: exact halves, too many distinct for a codebook
    () => levels[Math.floor(random() * levels.length)]!, // codebook: 5 levels, no zeros
    // bitmap: 20% zero, 4 nonzero levels (5 with zero: 3 bits dense, 2 sparse); a nonzero last element makes
    // Rice(0) exactly as long as the bitmap, and ties go to the bitmap
    (j, n) => (j < n - 1 && random() < 0.2 ? 0 : nonzeroLevel()),
    () => (random() < 0.03 ? levels[Math.floor(random() * levels.length)]! : 0), // Rice: 3% nonzero
    () => 0, // all zero
  ];
  const values: Graph['values'] = widths.map((w, i) => ({ name: `v${i}`, shape: [w] }));
  const ops: IROp[] = kernels.map((fill, i) => {
    const n = widths[i]! * widths[i + 1]!;
    return {
      type: 'dense',
      name: `dense_${i}`,
      inputs: [i],
      output: i + 1,
      activation: i === kernels.length - 1 ? 'softmax' : 'relu',
      kernel: { shape: [widths[i]!, widths[i + 1]!], values: Float32Array.from({ length: n }, (_, j) => fill(j, n)) },
      bias: {
        shape: [widths[i + 1]!],
        values: Float32Array.from({ length: widths[i + 1]! }, () => f16ToF32(f32ToF16(0.1 * gaussian(random)))),
      },
    };
  });
  return { values, ops, inputs: [0], outputs: [widths.length - 1] };
}

test('every tensor part equals its field in the wire bytes, for all six encodings', () => {
  const { bytes } = exportModelDetailed(sixEncodingGraph(), { weights: 'exact' });
  const model = readSqz(bytes);
  assert.deepEqual(
    model.tensors.filter((_, i) => i % 2 === 0).map((t) => t.encoding),
    [ENC_F32, ENC_F16, ENC_CODEBOOK, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE, ENC_SPARSE_RICE],
  );
  assert.equal(model.tensors[10]!.nnz, 0, 'the last kernel is the all-zero form');

  const account = modelByteAccount(model, bytes.length);
  const top = walk(bytes, HEADER_BYTES, bytes.length);
  const tensorFields = top.filter((f) => f.field === 2);
  assert.equal(tensorFields.length, model.tensors.length);
  tensorFields.forEach((tf, i) => {
    const inner = walk(bytes, tf.payloadStart, tf.end);
    const payload = (field: number) =>
      inner.filter((f) => f.field === field).reduce((s, f) => s + f.end - f.payloadStart, 0);
    const parts = account.tensors[i]!;
    assert.equal(parts.values, payload(3), `tensor ${i} values`);
    assert.equal(parts.codebook, payload(5), `tensor ${i} codebook`);
    assert.equal(parts.positions, payload(7), `tensor ${i} positions`);
    assert.equal(tensorPartsTotal(parts), tf.end - tf.start, `tensor ${i} total`);
    assert.ok(parts.framing >= 2, `tensor ${i} framing ${parts.framing}`);
  });

  // Layers: kernel parts plus the bias tensor's whole field.
  assert.equal(account.layers.length, 6);
  account.layers.forEach((l, i) => {
    assert.equal(l.op, i);
    assert.equal(l.weight, 2 * i);
    assert.equal(l.biasTensor, 2 * i + 1);
    const biasField = tensorFields[2 * i + 1]!;
    assert.equal(l.bias, biasField.end - biasField.start);
    assert.deepEqual(
      { values: l.values, positions: l.positions, codebook: l.codebook, framing: l.framing },
      account.tensors[2 * i],
    );
  });

  // The file: header + graph fields + kernels + biases, nothing else.
  const t = account.totals;
  const graph = top.filter((f) => f.field !== 2).reduce((s, f) => s + f.end - f.start, 0);
  assert.equal(t.header, HEADER_BYTES);
  assert.equal(t.graph, graph);
  assert.equal(t.other, 0);
  assert.equal(t.file, bytes.length);
  assert.equal(t.header + t.graph + t.values + t.positions + t.codebook + t.framing + t.bias + t.other, bytes.length);
  assert.equal(
    t.bias,
    account.layers.reduce((s, l) => s + l.bias, 0),
  );
  assert.equal(t.positions, account.tensors[6]!.positions + account.tensors[8]!.positions);
  assert.equal(
    t.codebook,
    [4, 6, 8].reduce((s, i) => s + account.tensors[i]!.codebook, 0),
  );
});

test('bytes the reader skips (an unknown field) and unread tensors count as other', () => {
  const { bytes } = exportModelDetailed(sixEncodingGraph(), { weights: 'exact' });
  const payload = bytes.subarray(HEADER_BYTES);
  const unknown = Uint8Array.from([(15 << 3) | 2, 3, 1, 2, 3]); // field 15, 3 bytes: 5 bytes in all
  const extended = wrapPayload(Uint8Array.from([...payload, ...unknown]));
  const model = readSqz(extended);
  const account = modelByteAccount(model, extended.length);
  assert.equal(account.totals.other, unknown.length);

  // Drop the last op's bias reference: its tensor is then read by nothing and moves from bias to other (the file
  // length is left to the account: the op message is 2 bytes shorter now).
  const last = model.ops[model.ops.length - 1]!;
  const biasBytes = account.layers[account.layers.length - 1]!.bias;
  last.bias = 0;
  const unread = modelByteAccount(model);
  assert.equal(unread.totals.other, biasBytes);
  assert.equal(unread.totals.graph, account.totals.graph - 2);
  assert.equal(unread.totals.bias, account.totals.bias - biasBytes);
  assert.equal(unread.layers[unread.layers.length - 1]!.bias, 0);
});
