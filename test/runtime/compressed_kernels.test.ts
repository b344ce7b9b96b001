// The runtime's fast paths against the TypeScript reference kernels: compressed conv2d / depthwise with stride 1
// (shifted planes, including the one-channel input read in place), the batch-1 row path of compressed dense from
// Rice (rows whose input is 0 skipped, empty rows, gaps long enough to need the slow decoder), and the SIMD max
// pools (2×2 stride 2 without padding cells, and general windows; channel counts that are and are not multiples of
// 4). Both wasm builds, batch 1 and more.

import { test } from 'node:test';
import {
  ACT_LINEAR,
  ACT_RELU,
  ENC_CODEBOOK,
  ENC_SPARSE_BITMAP,
  ENC_SPARSE_RICE,
  OP_CONV2D,
  OP_DENSE,
  OP_DEPTHWISE_CONV2D,
  OP_MAX_POOL2D,
  PAD_SAME,
  PAD_VALID,
  encodeTensorAs,
  writeSqz,
  type ModelMessage,
} from '../../formats/index.js';
import { SqzModel } from '../../runtime/index.js';
import { assertClose, randomFloats, singleOpModel } from './helpers.js';
import { rng } from '../fixtures/random.js';
import { windowAxis } from './reference/geometry.js';
import { runModelReference } from './reference/run_model.js';

const LEVELS = [0.5, -0.75, 0.25, -0.125, 1.5, -1];

/** n weights, each nonzero with probability `density`, drawn from LEVELS (exact in every codebook form). */
function sparseLevels(random: () => number, n: number, density: number): Float32Array {
  return Float32Array.from({ length: n }, () =>
    random() < density ? LEVELS[Math.floor(random() * LEVELS.length)] : 0,
  );
}

/** Inputs with about `zeros` of them exactly 0, like activations after a ReLU. */
function reluLike(random: () => number, n: number, zeros: number): Float32Array {
  return Float32Array.from({ length: n }, () => (random() < zeros ? 0 : random() * 2 - 1));
}

async function checkCompressed(
  model: ModelMessage,
  inputs: (batch: number) => Float32Array,
  what: string,
): Promise<void> {
  const bytes = writeSqz(model);
  for (const batch of [1, 3]) {
    const x = inputs(batch);
    const [expected] = runModelReference(model, [x], batch);
    for (const simd of [true, false]) {
      const sqz = await SqzModel.load(bytes, { exec: 'compressed', simd });
      assertClose(sqz.predict(x, batch), expected, `${what}, ${simd ? 'simd' : 'scalar'}, batch ${batch}`);
    }
  }
}

interface ConvCase {
  name: string;
  type: number;
  inShape: number[];
  weightShape: number[];
  padding: number;
}

const STRIDE1_CONVS: ConvCase[] = [
  {
    name: 'conv 5x5, one channel, valid (input read in place)',
    type: OP_CONV2D,
    inShape: [12, 11, 1],
    weightShape: [5, 5, 1, 6],
    padding: PAD_VALID,
  },
  {
    name: 'conv 3x3, one channel, same',
    type: OP_CONV2D,
    inShape: [7, 9, 1],
    weightShape: [3, 3, 1, 5],
    padding: PAD_SAME,
  },
  {
    name: 'conv 5x4, 6 channels, same (uneven padding)',
    type: OP_CONV2D,
    inShape: [9, 8, 6],
    weightShape: [5, 4, 6, 7],
    padding: PAD_SAME,
  },
  {
    name: 'conv 5x5, 20 channels, valid (LeNet-5 conv2)',
    type: OP_CONV2D,
    inShape: [12, 12, 20],
    weightShape: [5, 5, 20, 50],
    padding: PAD_VALID,
  },
  {
    name: 'depthwise 3x3 D2, same',
    type: OP_DEPTHWISE_CONV2D,
    inShape: [6, 7, 3],
    weightShape: [3, 3, 3, 2],
    padding: PAD_SAME,
  },
];

for (const c of STRIDE1_CONVS) {
  test(`compressed stride-1 ${c.name}`, async () => {
    const mode = c.padding === PAD_SAME ? 'same' : 'valid';
    const [kh, kw, channels, m] = c.weightShape;
    const outShape = [
      windowAxis(c.inShape[0], kh, 1, mode).out,
      windowAxis(c.inShape[1], kw, 1, mode).out,
      c.type === OP_CONV2D ? m : channels * m,
    ];
    const n = c.weightShape.reduce((a, b) => a * b, 1);
    const perSample = c.inShape.reduce((a, b) => a * b, 1);
    for (const [encoding, density] of [
      [ENC_SPARSE_RICE, 0.05],
      [ENC_SPARSE_BITMAP, 0.3],
      [ENC_CODEBOOK, 0.6],
    ] as const) {
      const random = rng(n + encoding);
      const weight = encodeTensorAs(sparseLevels(random, n, density), c.weightShape, encoding, { bits: 3 });
      const bias = encodeTensorAs(randomFloats(random, outShape[2], 0.3), [outShape[2]], ENC_CODEBOOK, { bits: 8 });
      const model = singleOpModel(
        c.inShape,
        outShape,
        {
          type: c.type,
          weight: 1,
          bias: 2,
          padding: c.padding,
          activation: ACT_RELU,
        },
        [weight, bias],
      );
      await checkCompressed(
        model,
        (batch) => reluLike(rng(batch), perSample * batch, 0.3),
        `${c.name}, encoding ${encoding}`,
      );
    }
  });
}

test('compressed dense from Rice rows (batch 1 and 3): zero inputs, empty rows, long gaps, rows of several chunks', async () => {
  const rows = 300,
    cols = 37;
  const random = rng(5);
  const w = new Float32Array(rows * cols);
  // Rows 0–9 empty, then sparse rows, a dense run, a stretch of 40 empty rows, a few isolated far-apart nonzeros
  // (gaps of thousands of positions: long unary parts with a small Rice k) and a last nonzero in the last cell.
  for (let r = 10; r < 200; r++)
    for (let c = 0; c < cols; c++) if (random() < 0.08) w[r * cols + c] = LEVELS[(r + c) % 6];
  for (let c = 0; c < cols; c++) w[120 * cols + c] = LEVELS[c % 6];
  for (const r of [240, 241, 290]) w[r * cols + (r % cols)] = 0.5;
  w[rows * cols - 1] = -1;
  const tensors = [
    encodeTensorAs(w, [rows, cols], ENC_SPARSE_RICE, { bits: 3 }),
    encodeTensorAs(randomFloats(random, cols, 0.2), [cols], ENC_CODEBOOK, { bits: 8 }),
  ];
  const model = singleOpModel([rows], [cols], { type: OP_DENSE, weight: 1, bias: 2, activation: ACT_LINEAR }, tensors);
  for (const zeros of [0, 0.5, 0.95]) {
    await checkCompressed(
      model,
      (batch) => reluLike(rng(batch + 17), rows * batch, zeros),
      `dense rows, ${zeros} zeros`,
    );
  }
  // Clustered nonzeros make the encoder pick a small k, so the few long gaps need more than one 56-bit word.
  const clustered = new Float32Array(rows * cols);
  for (let i = 0; i < 400; i++) clustered[i] = LEVELS[i % 6];
  clustered[9000] = 0.25;
  clustered[rows * cols - 2] = 1.5;
  const model2 = singleOpModel([rows], [cols], { type: OP_DENSE, weight: 1, activation: ACT_LINEAR }, [
    encodeTensorAs(clustered, [rows, cols], ENC_SPARSE_RICE, { bits: 3 }),
  ]);
  await checkCompressed(model2, (batch) => reluLike(rng(batch), rows * batch, 0.2), 'dense rows, long gaps');
  // Rows wider than a chunk of gaps (256): at batch > 1 a row is decoded a chunk at a time.
  const wide = new Float32Array(5 * 700);
  for (let c = 0; c < 700; c++) wide[2 * 700 + c] = LEVELS[c % 6];
  for (let c = 0; c < 700; c += 3) wide[4 * 700 + c] = LEVELS[(c + 1) % 6];
  wide[699] = 2;
  const model3 = singleOpModel([5], [700], { type: OP_DENSE, weight: 1, activation: ACT_LINEAR }, [
    encodeTensorAs(wide, [5, 700], ENC_SPARSE_RICE, { bits: 3 }),
  ]);
  await checkCompressed(model3, (batch) => reluLike(rng(batch + 3), 5 * batch, 0.2), 'dense rows wider than a chunk');
});

test('max pool, SIMD paths: 2x2 stride 2 (20 channels as in LeNet-5; odd sizes) and general windows', async () => {
  for (const [inShape, kernel, strides, padding] of [
    [[24, 24, 20], [2, 2], [2, 2], PAD_VALID],
    [[7, 9, 5], [2, 2], [2, 2], PAD_VALID],
    [[6, 8, 4], [2, 2], [2, 2], PAD_SAME],
    [[7, 8, 6], [3, 3], [2, 2], PAD_SAME],
    [[5, 5, 7], [2, 2], [1, 1], PAD_SAME],
    [[7, 7, 8], [2, 2], [2, 2], PAD_SAME],
  ] as const) {
    const mode = padding === PAD_SAME ? 'same' : 'valid';
    const outShape = [
      windowAxis(inShape[0], kernel[0], strides[0], mode).out,
      windowAxis(inShape[1], kernel[1], strides[1], mode).out,
      inShape[2],
    ];
    const model = singleOpModel([...inShape], outShape, {
      type: OP_MAX_POOL2D,
      kernel: [...kernel],
      strides: [...strides],
      padding,
    });
    const perSample = inShape.reduce((a, b) => a * b, 1);
    await checkCompressed(
      model,
      (batch) => randomFloats(rng(batch), perSample * batch),
      `max pool ${inShape.join('x')}`,
    );
  }
});
