// Shared helpers for the runtime tests: random weights that fit each encoding exactly, tiny model
// builders and the tolerance check |Δ| ≤ 1e-4 · max(1, |ref|).

import assert from 'node:assert/strict';
import {
  ENC_CODEBOOK,
  ENC_F16,
  ENC_F32,
  ENC_SPARSE_BITMAP,
  ENC_SPARSE_RICE,
  type ModelMessage,
  type TensorMessage,
  encodeTensorAs,
  f16ToF32,
  f32ToF16,
  writeSqz,
} from '../../formats/index.js';
import { SqzModel } from '../../runtime/index.js';
import { rng } from '../fixtures/random.js';
import { runModelReference } from './reference/run_model.js';

export function randomFloats(random: () => number, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (random() * 2 - 1) * scale;
  return out;
}

/** One weight encoding under test: its ENC_* code and encodeTensorAs options. */
export interface EncodingCase {
  name: string;
  encoding: number;
  bits?: number;
}

export const ENCODING_CASES: EncodingCase[] = [
  { name: 'f32', encoding: ENC_F32 },
  { name: 'f16', encoding: ENC_F16 },
  { name: 'codebook b=1', encoding: ENC_CODEBOOK, bits: 1 },
  { name: 'codebook b=8', encoding: ENC_CODEBOOK, bits: 8 },
  { name: 'sparse-bitmap b=4', encoding: ENC_SPARSE_BITMAP, bits: 4 },
  { name: 'sparse-rice b=3', encoding: ENC_SPARSE_RICE, bits: 3 },
];

/**
 * Random values that the encoding represents exactly: f16-rounded for f16, 2 levels for b = 1, up to 2^b levels
 * (sparse forms: about 40% nonzero, drawn from 2^b − 1 nonzero levels) for the codebook forms.
 */
export function weightsFor(random: () => number, n: number, c: EncodingCase, scale = 0.5): Float32Array {
  const raw = randomFloats(random, n, scale);
  if (c.encoding === ENC_F32) return raw;
  if (c.encoding === ENC_F16) return raw.map((v) => f16ToF32(f32ToF16(v)));
  const levels = randomFloats(random, Math.max(1, (1 << c.bits!) - (c.encoding === ENC_CODEBOOK ? 0 : 1)), scale);
  const sparse = c.encoding !== ENC_CODEBOOK;
  return raw.map(() => (sparse && random() < 0.6 ? 0 : levels[Math.floor(random() * levels.length)]));
}

export function encodeAs(values: Float32Array, shape: number[], c: EncodingCase): TensorMessage {
  return encodeTensorAs(values, shape, c.encoding, c.bits !== undefined ? { bits: c.bits } : {});
}

/** Asserts |actual − expected| ≤ 1e-4 · max(1, |expected|) everywhere (equal infinities and NaN pass too). */
export function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    if (Object.is(actual[i], expected[i]) || actual[i] === expected[i]) continue; // also ±Infinity and NaN
    const tolerance = 1e-4 * Math.max(1, Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
      assert.fail(`${what}: element ${i} is ${actual[i]}, reference ${expected[i]} (tolerance ${tolerance})`);
    }
  }
}

/**
 * Runs `model` in both builds (SIMD, scalar) at batch 1 and 3 on inputs drawn from ±scale (seeded by the batch and
 * `what`) and compares every output with the reference interpreter.
 */
export async function checkAgainstReference(model: ModelMessage, what: string, scale = 1): Promise<void> {
  const bytes = writeSqz(model);
  for (const batch of [1, 3]) {
    const random = rng(batch + what.length);
    const inputs = model.inputs.map((v) =>
      randomFloats(random, model.values[v]!.shape.reduce((a, b) => a * b, 1) * batch, scale),
    );
    const expected = runModelReference(model, inputs, batch);
    for (const simd of [true, false]) {
      const sqz = await SqzModel.load(bytes, { simd });
      const actual = sqz.predictAll(inputs.length === 1 ? inputs[0]! : inputs, batch);
      expected.forEach((e, i) =>
        assertClose(actual[i]!, e, `${what}, output ${i}, ${simd ? 'simd' : 'scalar'}, batch ${batch}`),
      );
      sqz.dispose();
    }
  }
}

/** A model with one op reading value 0 (the input) and writing value 1 (the output). */
export function singleOpModel(
  inShape: number[],
  outShape: number[],
  op: Partial<ModelMessage['ops'][number]> & { type: number },
  tensors: TensorMessage[] = [],
): ModelMessage {
  return {
    values: [{ shape: inShape }, { shape: outShape }],
    tensors,
    ops: [
      {
        inputs: [0],
        outputs: [1],
        weight: 0,
        bias: 0,
        kernel: [],
        strides: [],
        padding: 0,
        activation: 0,
        clipMax: 0,
        params: [],
        ...op,
      },
    ],
    inputs: [0],
    outputs: [1],
  };
}
