// Dense, conv2d and depthwise conv2d in the wasm runtime against the TypeScript reference kernels: every weight
// encoding, exec forced to dense and to compressed, both wasm builds, batch 1 and 3, odd sizes, strides 1 and 2,
// valid and same padding, depth multiplier 2, every fused activation.

import { test } from 'node:test';
import {
  ACT_LINEAR,
  ACT_RELU,
  ACT_RELU_CLIP,
  ACT_SIGMOID,
  ACT_SOFTMAX,
  ACT_TANH,
  ENC_F32,
  OP_CONV2D,
  OP_DENSE,
  OP_DEPTHWISE_CONV2D,
  PAD_SAME,
  PAD_VALID,
  type ModelMessage,
  encodeTensorAs,
  writeSqz,
} from '../../formats/index.js';
import { SqzModel } from '../../runtime/index.js';
import {
  ENCODING_CASES,
  type EncodingCase,
  assertClose,
  encodeAs,
  randomFloats,
  singleOpModel,
  weightsFor,
} from './helpers.js';
import { rng } from '../fixtures/random.js';
import { windowAxis } from './reference/geometry.js';
import { runModelReference } from './reference/run_model.js';

interface WeightedCase {
  name: string;
  type: number;
  inShape: number[];
  /** Weight shape: dense [N, M]; conv [KH, KW, C, M]; depthwise [KH, KW, C, D]. */
  weightShape: number[];
  strides?: [number, number];
  padding?: number;
  activation: number;
  clipMax?: number;
  bias: boolean;
}

const CASES: WeightedCase[] = [
  { name: 'dense 7→5', type: OP_DENSE, inShape: [7], weightShape: [7, 5], activation: ACT_LINEAR, bias: true },
  { name: 'dense 37→21 relu', type: OP_DENSE, inShape: [37], weightShape: [37, 21], activation: ACT_RELU, bias: true },
  {
    name: 'dense [2,3,4]→2 tanh no bias',
    type: OP_DENSE,
    inShape: [2, 3, 4],
    weightShape: [24, 2],
    activation: ACT_TANH,
    bias: false,
  },
  {
    name: 'dense 20→33 softmax',
    type: OP_DENSE,
    inShape: [20],
    weightShape: [20, 33],
    activation: ACT_SOFTMAX,
    bias: true,
  },
  {
    name: 'conv 3x3 s1 valid',
    type: OP_CONV2D,
    inShape: [7, 9, 3],
    weightShape: [3, 3, 3, 5],
    activation: ACT_LINEAR,
    bias: true,
  },
  {
    name: 'conv 3x3 s2 same relu6',
    type: OP_CONV2D,
    inShape: [7, 9, 3],
    weightShape: [3, 3, 3, 5],
    strides: [2, 2],
    padding: PAD_SAME,
    activation: ACT_RELU_CLIP,
    clipMax: 0.4,
    bias: true,
  },
  {
    name: 'conv 5x5 s[2,1] same sigmoid',
    type: OP_CONV2D,
    inShape: [8, 8, 2],
    weightShape: [5, 5, 2, 17],
    strides: [2, 1],
    padding: PAD_SAME,
    activation: ACT_SIGMOID,
    bias: true,
  },
  {
    name: 'conv 4x4 s1 same (even kernel)',
    type: OP_CONV2D,
    inShape: [6, 5, 4],
    weightShape: [4, 4, 4, 4],
    padding: PAD_SAME,
    activation: ACT_RELU,
    bias: false,
  },
  {
    name: 'conv 1x1 s2 valid',
    type: OP_CONV2D,
    inShape: [5, 7, 6],
    weightShape: [1, 1, 6, 3],
    strides: [2, 2],
    activation: ACT_LINEAR,
    bias: true,
  },
  {
    name: 'depthwise 3x3 D2 s1 same',
    type: OP_DEPTHWISE_CONV2D,
    inShape: [7, 7, 3],
    weightShape: [3, 3, 3, 2],
    padding: PAD_SAME,
    activation: ACT_RELU,
    bias: true,
  },
  {
    name: 'depthwise 3x3 D1 s2 valid',
    type: OP_DEPTHWISE_CONV2D,
    inShape: [8, 6, 4],
    weightShape: [3, 3, 4, 1],
    strides: [2, 2],
    activation: ACT_TANH,
    bias: true,
  },
  {
    name: 'depthwise 2x2 D1 s1 same, 5 channels',
    type: OP_DEPTHWISE_CONV2D,
    inShape: [5, 5, 5],
    weightShape: [2, 2, 5, 1],
    padding: PAD_SAME,
    activation: ACT_LINEAR,
    bias: false,
  },
  {
    name: 'depthwise 3x2 D3 s[1,2] same softmax',
    type: OP_DEPTHWISE_CONV2D,
    inShape: [6, 7, 2],
    weightShape: [3, 2, 2, 3],
    strides: [1, 2],
    padding: PAD_SAME,
    activation: ACT_SOFTMAX,
    bias: true,
  },
];

function outputShape(c: WeightedCase): number[] {
  if (c.type === OP_DENSE) return [c.weightShape[1]];
  const [kh, kw, channels, m] = c.weightShape;
  const [sh, sw] = c.strides ?? [1, 1];
  const padding = c.padding === PAD_SAME ? 'same' : 'valid';
  const rows = windowAxis(c.inShape[0], kh, sh, padding).out;
  const cols = windowAxis(c.inShape[1], kw, sw, padding).out;
  return [rows, cols, c.type === OP_CONV2D ? m : channels * m];
}

function buildModel(c: WeightedCase, encoding: EncodingCase, seed: number): ModelMessage {
  const random = rng(seed);
  const n = c.weightShape.reduce((a, b) => a * b, 1);
  const outShape = outputShape(c);
  const biasLength = outShape[outShape.length - 1];
  const tensors = [encodeAs(weightsFor(random, n, encoding), c.weightShape, encoding)];
  if (c.bias) tensors.push(encodeTensorAs(randomFloats(random, biasLength, 0.3), [biasLength], ENC_F32));
  return singleOpModel(
    c.inShape,
    outShape,
    {
      type: c.type,
      weight: 1,
      bias: c.bias ? 2 : 0,
      strides: c.strides ?? [],
      padding: c.padding ?? PAD_VALID,
      activation: c.activation,
      clipMax: c.clipMax ?? 0,
    },
    tensors,
  );
}

for (const c of CASES) {
  test(`weighted op: ${c.name}`, async () => {
    for (const [e, encoding] of ENCODING_CASES.entries()) {
      const model = buildModel(c, encoding, 1000 + e);
      const bytes = writeSqz(model);
      const perSample = c.inShape.reduce((a, b) => a * b, 1);
      for (const batch of [1, 3]) {
        const x = randomFloats(rng(batch * 7 + e), perSample * batch);
        const [expected] = runModelReference(model, [x], batch);
        for (const simd of [true, false]) {
          for (const exec of ['dense', 'compressed'] as const) {
            const sqz = await SqzModel.load(bytes, { exec, simd });
            assertClose(
              sqz.predict(x, batch),
              expected,
              `${c.name}, ${encoding.name}, ${exec}, ${simd ? 'simd' : 'scalar'}, batch ${batch}`,
            );
            const wantExec = exec === 'compressed' && encoding.encoding !== ENC_F32 ? 'compressed' : 'dense';
            if (sqz.info.tensors[0].exec !== wantExec) throw new Error(`${c.name}: exec ${sqz.info.tensors[0].exec}`);
            sqz.dispose();
          }
        }
      }
    }
  });
}

test('compressed conv2d at low density (tap by tap on planar rows) and high density (im2col tiles)', async () => {
  // The runtime picks its compressed conv2d method by nonzeros per im2col row; cover both on every conv case.
  const rice = ENCODING_CASES.find((e) => e.name.startsWith('sparse-rice'))!;
  for (const c of CASES.filter((k) => k.type === OP_CONV2D)) {
    for (const density of [0.05, 0.95]) {
      const random = rng(77);
      const n = c.weightShape.reduce((a, b) => a * b, 1);
      const w = Float32Array.from({ length: n }, (_, i) =>
        random() < density || i === n - 1 ? [0.5, -0.75, 0.25][i % 3] : 0,
      );
      const model = singleOpModel(
        c.inShape,
        outputShape(c),
        {
          type: c.type,
          weight: 1,
          strides: c.strides ?? [],
          padding: c.padding ?? PAD_VALID,
          activation: ACT_LINEAR,
        },
        [encodeAs(w, c.weightShape, rice)],
      );
      const bytes = writeSqz(model);
      for (const batch of [1, 3]) {
        const x = randomFloats(rng(batch), c.inShape.reduce((a, b) => a * b, 1) * batch);
        const [expected] = runModelReference(model, [x], batch);
        for (const simd of [true, false]) {
          const sqz = await SqzModel.load(bytes, { exec: 'compressed', simd });
          assertClose(
            sqz.predict(x, batch),
            expected,
            `${c.name} density ${density} batch ${batch} ${simd ? 'simd' : 'scalar'}`,
          );
        }
      }
    }
  }
});

test('weighted op: auto exec runs sparse dense layers compressed only at density ≤ 4%', async () => {
  const random = rng(5);
  const n = 40 * 30;
  for (const [density, want] of [
    [0.02, 'compressed'],
    [0.039, 'compressed'],
    [0.1, 'dense'],
    [0.6, 'dense'],
  ] as const) {
    const w = new Float32Array(n);
    const nonzeros = Math.round(n * density);
    for (let i = 0; i < nonzeros; i++) w[Math.floor((i * n) / nonzeros)] = random() < 0.5 ? -0.25 : 0.5;
    for (const encoding of ENCODING_CASES.filter(
      (e) => e.name.startsWith('sparse-bitmap') || e.name.startsWith('sparse-rice'),
    )) {
      const model = singleOpModel([40], [30], { type: OP_DENSE, weight: 1 }, [encodeAs(w, [40, 30], encoding)]);
      const sqz = await SqzModel.load(writeSqz(model), { exec: 'auto' });
      if (sqz.info.tensors[0].exec !== want) {
        throw new Error(`density ${density} ${encoding.name}: exec ${sqz.info.tensors[0].exec}, want ${want}`);
      }
      const x = randomFloats(random, 40);
      assertClose(sqz.predict(x), runModelReference(model, [x], 1)[0], `auto ${density} ${encoding.name}`);
    }
  }
});
