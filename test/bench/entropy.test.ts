// bench/entropy/: each size is checked against an independent computation on small hand-made inputs: entropies
// of known distributions, the adaptive coder's closed form against its step-by-step probabilities, Huffman on a
// textbook case, per-row Rice against a real bit-level encode/decode and an exhaustive search over k values,
// live rows/cols against a naive matrix walk; then the per-tensor figures on a file the real exporter wrote.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adaptiveCodeBits,
  entropyBits,
  huffmanDataBits,
  huffmanLengths,
  huffmanTableBits,
} from '../../bench/entropy/code_costs.js';
import { kernelEntropies } from '../../bench/entropy/kernel_entropy.js';
import {
  adaptiveGapBits,
  bestRice,
  gapEntropyBits,
  gapsOf,
  liveRowsCols,
  perRowRice,
  riceGapBits,
  subsetBits,
} from '../../bench/entropy/position_costs.js';
import { exportModelDetailed } from '../../compiler/export/index.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { ENC_CODEBOOK, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE, readSqz, riceEncode } from '../../formats/index.js';
import { rng } from '../fixtures/random.js';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} vs ${b}`);

/** Sorted distinct positions in 0..n−1, each kept with probability `density`. */
function randomPositions(random: () => number, n: number, density: number): number[] {
  const out: number[] = [];
  for (let p = 0; p < n; p++) if (random() < density) out.push(p);
  return out;
}

test('entropy of known distributions', () => {
  close(entropyBits([8, 4, 2, 2]), 16 * 1.75, 'dyadic'); // p = 1/2, 1/4, 1/8, 1/8: 1.75 bits each
  close(entropyBits([5, 5, 5, 5]), 20 * 2, 'uniform over 4');
  close(entropyBits([0, 7, 0]), 0, 'one symbol');
  close(entropyBits([1, 2]), 3 * (-(1 / 3) * Math.log2(1 / 3) - (2 / 3) * Math.log2(2 / 3)), 'thirds');
  close(gapEntropyBits([0, 0, 3, 3, 0, 0, 7, 7]), 8 * 1.5, 'gaps: p = 1/2, 1/4, 1/4');
  close(subsetBits(5, 2), Math.log2(10), 'C(5, 2)');
  close(subsetBits(10, 3), Math.log2(120), 'C(10, 3)');
  close(subsetBits(64, 0), 0, 'C(64, 0)');
  close(subsetBits(64, 64), 0, 'C(64, 64)');
  // An arithmetic-coded bitmap with exact counts, P(1) = ones left / positions left, spends exactly log2 C(n, nnz).
  const random = rng(2);
  const bitmap = Array.from({ length: 500 }, () => (random() < 0.07 ? 1 : 0));
  let ones = bitmap.reduce<number>((a, b) => a + b, 0);
  const nnz = ones;
  let bits = 0;
  bitmap.forEach((bit, i) => {
    const left = bitmap.length - i;
    bits -= Math.log2(bit ? ones / left : (left - ones) / left);
    ones -= bit;
  });
  close(subsetBits(bitmap.length, nnz), bits, 'count-down coder');
});

test('adaptive arithmetic coding: the closed form equals the product of its step-by-step probabilities', () => {
  const random = rng(3);
  for (const alphabet of [1, 2, 5, 40]) {
    const sequence = Array.from({ length: 300 }, () => Math.floor(random() ** 2 * alphabet));
    const counts = new Array<number>(alphabet).fill(0);
    let bits = 0;
    sequence.forEach((s, i) => {
      bits -= Math.log2((counts[s]! + 1) / (i + alphabet)); // Laplace: every count starts at 1
      counts[s]!++;
    });
    close(adaptiveCodeBits(counts, alphabet), bits, `alphabet ${alphabet}`);
    assert.ok(adaptiveCodeBits(counts, alphabet) >= entropyBits(counts) - 1e-9, 'never below the entropy');
  }
});

test('Huffman: the textbook case, a prefix code, a lone symbol', () => {
  const counts = [45, 13, 12, 16, 9, 5]; // CLRS 16.3: a 224-bit code, lengths 1 3 3 3 4 4
  const lengths = huffmanLengths(counts);
  assert.deepEqual(lengths, [1, 3, 3, 3, 4, 4]);
  assert.equal(huffmanDataBits(counts, lengths), 224);
  assert.equal(huffmanLengths([0, 9, 0]).join(), '0,0,0');
  const random = rng(8);
  for (let trial = 0; trial < 20; trial++) {
    const c = Array.from({ length: 2 + Math.floor(random() * 30) }, () => Math.floor(random() * 50));
    const l = huffmanLengths(c);
    const used = c.filter((x) => x > 0).length;
    if (used >= 2)
      close(
        c.reduce((s, x, i) => s + (x > 0 ? 2 ** -l[i]! : 0), 0),
        1,
        'Kraft sum of a full code',
      );
    assert.ok(
      huffmanDataBits(c, l) >= entropyBits(c) - 1e-9 &&
        huffmanDataBits(c, l) < entropyBits(c) + c.reduce((a, b) => a + b, 0) + 1e-9,
    );
  }
  assert.equal(huffmanTableBits([1, 3, 3, 3, 4, 4], 8), 1 + 8 * 4);
  assert.equal(huffmanTableBits([16, 1], 2), 1 + 2 * 5);
});

test('single-k Rice matches the format encoder', () => {
  const random = rng(11);
  for (const density of [0.01, 0.1, 0.5]) {
    const positions = randomPositions(random, 3000, density);
    const { k, bits } = bestRice(gapsOf(positions));
    assert.equal(Math.ceil(bits / 8), riceEncode(Uint32Array.from(positions), k).length, `density ${density}`);
    for (let other = 0; other <= 24; other++) {
      assert.ok(Math.ceil(bits / 8) <= riceEncode(Uint32Array.from(positions), other).length, `k ${k} beats ${other}`);
    }
  }
});

/** Rice bits of one gap, the obvious way: a unary quotient written one bit at a time, a stop bit, k bits. */
function naiveGapBits(gap: number, k: number): number[] {
  const out: number[] = [];
  for (let q = Math.floor(gap / 2 ** k); q > 0; q--) out.push(0);
  out.push(1);
  for (let i = 0; i < k; i++) out.push(Math.floor(gap / 2 ** i) % 2);
  return out;
}

test('per-row Rice: the stream decodes with the row rule, and no k assignment beats it', () => {
  const random = rng(21);
  const cols = 7;
  const rows = 3;
  const n = rows * cols;
  for (let trial = 0; trial < 6; trial++) {
    // Rows of very different densities, so different ks pay.
    const positions = [
      ...randomPositions(random, cols, 0.9),
      ...randomPositions(random, cols, 0.1).map((p) => p + cols),
      ...randomPositions(random, cols, 0.4).map((p) => p + 2 * cols),
    ];
    const result = perRowRice(positions, n, cols);

    // Encode bit by bit with the chosen ks, then decode by the same rule.
    const stream: number[] = [];
    let prev = -1;
    for (const p of positions) {
      stream.push(...naiveGapBits(p - prev - 1, result.ks[Math.floor((prev + 1) / cols)]!));
      prev = p;
    }
    const decoded: number[] = [];
    let at = 0;
    prev = -1;
    while (at < stream.length) {
      const k = result.ks[Math.floor((prev + 1) / cols)]!;
      let q = 0;
      while (stream[at++] === 0) q++;
      let low = 0;
      for (let i = 0; i < k; i++) low += stream[at++]! * 2 ** i;
      prev += q * 2 ** k + low + 1;
      decoded.push(prev);
    }
    assert.deepEqual(decoded, positions);
    const lo = Math.min(...result.ks);
    const hi = Math.max(...result.ks);
    assert.equal(result.bits, stream.length + 8 + rows * Math.ceil(Math.log2(hi - lo + 1)));

    // Exhaustive: every assignment of k in 0..24 to the three rows, side information from its own range.
    let best = Infinity;
    for (let k0 = 0; k0 <= 24; k0++)
      for (let k1 = 0; k1 <= 24; k1++)
        for (let k2 = 0; k2 <= 24; k2++) {
          const ks = [k0, k1, k2];
          let bits = 8 + rows * Math.ceil(Math.log2(Math.max(...ks) - Math.min(...ks) + 1));
          let q = -1;
          for (const p of positions) {
            bits += naiveGapBits(p - q - 1, ks[Math.floor((q + 1) / cols)]!).length;
            q = p;
          }
          best = Math.min(best, bits);
        }
    assert.equal(result.bits, best, `trial ${trial}`);
  }
});

test('live rows/cols: the hand-made case and a naive matrix walk', () => {
  // 4 × 5, rows 1 and 3 empty, column 2 empty: the live sub-matrix is 2 × 4.
  //   row 0: x . . x .      sub-matrix row 0: x . x .   → inner positions 0, 2, 5, 7
  //   row 2: . x . x x      sub-matrix row 1: . x x x     (and 6): 0 2 5 6 7
  const positions = [0, 3, 11, 13, 14];
  const live = liveRowsCols(positions, 20, 5);
  assert.deepEqual([live.liveRows, live.liveCols], [2, 4]);
  // Inner gaps 0, 1, 2, 0, 0: Rice(0) = 1 + 2 + 3 + 1 + 1 = 8 bits, + 8 for k; the 2×4 bitmap is 8 bits: smaller.
  assert.equal(live.bits, 4 + 5 + 1 + 8);

  const random = rng(31);
  for (const [rows, cols, density] of [
    [40, 12, 0.05],
    [30, 30, 0.3],
    [50, 8, 0.01],
  ] as const) {
    const matrix = Array.from({ length: rows }, () => Array.from({ length: cols }, () => (random() < density ? 1 : 0)));
    for (let c = 0; c < cols; c += 3) for (let r = 0; r < rows; r++) matrix[r]![c] = 0; // dead columns
    const flat: number[] = [];
    matrix.forEach((row, r) =>
      row.forEach((v, c) => {
        if (v) flat.push(r * cols + c);
      }),
    );
    const liveR = matrix.map((row) => row.some((v) => v === 1));
    const liveC = Array.from({ length: cols }, (_, c) => matrix.some((row) => row[c] === 1));
    const sub = matrix.filter((_, r) => liveR[r]).map((row) => row.filter((_, c) => liveC[c]));
    const inner = sub.flat().flatMap((v, i) => (v ? [i] : []));
    let rice = Infinity;
    for (let k = 0; k <= 24; k++) {
      let bits = 0;
      let q = -1;
      for (const p of inner) {
        bits += naiveGapBits(p - q - 1, k).length;
        q = p;
      }
      rice = Math.min(rice, bits + 8);
    }
    const expected = rows + cols + 1 + Math.min(rice, sub.length * (sub[0]?.length ?? 0));
    const got = liveRowsCols(flat, rows * cols, cols);
    assert.equal(got.bits, expected, `${rows}×${cols} at ${density}`);
    assert.equal(got.liveRows, liveR.filter(Boolean).length);
    assert.equal(got.liveCols, liveC.filter(Boolean).length);
  }
});

test('adaptive gap coding: raw values or Elias-gamma classes, whichever is smaller, side information included', () => {
  const gaps = [0, 0, 1, 0, 5, 0, 2, 0];
  // raw: alphabet 0..5, counts 5,1,1,0,0,1; the largest gap (5) in a 1-byte varint.
  const raw = adaptiveCodeBits([5, 1, 1, 0, 0, 1], 6) + 8;
  // classes ⌊log2(g + 1)⌋: 0→0, 1→1, 2→1, 5→2: counts 5, 2, 1, extra bits 0·5 + 1·2 + 2·1 = 4, the largest class in a byte.
  const buckets = adaptiveCodeBits([5, 2, 1], 3) + 4 + 8;
  const got = adaptiveGapBits(gaps);
  close(got.bits, Math.min(raw, buckets), 'adaptive gaps');
  assert.equal(got.scheme, raw <= buckets ? 'raw' : 'buckets');
  assert.equal(riceGapBits(5, 1), 2 + 1 + 1);
});

test('per-tensor figures on a file the real exporter wrote', () => {
  const random = rng(41);
  const levels = [-0.5, -0.25, 0.125, 0.75];
  const dense = (name: string, input: number, output: number, inSize: number, outSize: number, fill: () => number) => ({
    type: 'dense' as const,
    name,
    inputs: [input],
    output,
    activation: 'relu' as const,
    kernel: { shape: [inSize, outSize], values: Float32Array.from({ length: inSize * outSize }, fill) },
  });
  const skewed = () => levels[random() < 0.7 ? 0 : 1 + Math.floor(random() * 3)]!;
  const graph: Graph = {
    values: [
      { name: 'in', shape: [64] },
      { name: 'a', shape: [48] },
      { name: 'b', shape: [32] },
      { name: 'c', shape: [10] },
    ],
    ops: [
      dense('rice', 0, 1, 64, 48, () => (random() < 0.04 ? skewed() : 0)),
      dense('bitmap', 1, 2, 48, 32, () => (random() < 0.85 ? skewed() : 0)),
      dense('codebook', 2, 3, 32, 10, skewed),
    ],
    inputs: [0],
    outputs: [3],
  };
  const { bytes } = exportModelDetailed(graph, { weights: 'exact' });
  const model = readSqz(bytes);
  const kernels = kernelEntropies(bytes);
  assert.deepEqual(
    kernels.map((k) => model.tensors[k.tensor]!.encoding),
    [ENC_SPARSE_RICE, ENC_SPARSE_BITMAP, ENC_CODEBOOK],
  );
  for (const k of kernels) {
    const t = model.tensors[k.tensor]!;
    assert.equal(k.codes!.written, t.data.length);
    assert.equal(k.bytes.codebook, t.codebook.length);
    assert.equal(k.codes!.entries, 4, 'four levels, zero implicit in the sparse forms');
    assert.ok(k.codes!.entropy <= k.codes!.written, 'entropy ≤ the packed codes');
    const s = k.savings;
    assert.ok(s.best >= Math.max(s.codesHuffman, s.codesAdaptive), 'best includes the best code coding');
    for (const v of Object.values(s)) assert.ok(v >= 0);
  }
  const [rice, bitmap, codebook] = kernels as [(typeof kernels)[0], (typeof kernels)[0], (typeof kernels)[0]];
  assert.equal(rice.positions!.written, model.tensors[0]!.positions.length);
  assert.ok(rice.positions!.rice <= rice.positions!.written);
  assert.equal(rice.positions!.bitmap, (64 * 48) / 8);
  assert.equal(bitmap.positions!.written, (48 * 32) / 8);
  assert.equal(bitmap.positions!.bitmap, bitmap.positions!.written);
  assert.equal(bitmap.savings.bitmap, 0, 'the bitmap cannot beat itself');
  assert.equal(codebook.positions, undefined);
  // 70% of the codes are one level: an entropy coder must beat 2 bits per code on the dense codebook tensor.
  assert.ok(codebook.codes!.huffman < codebook.codes!.written && codebook.savings.codesHuffman > 0);
});
