// exportModel: the file decodes (formats' reader and decoder) to exactly the weights the chosen mode promises,
// ops carry the right codes and attributes, and dense-only reshapes are gone.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  ACT_LINEAR,
  ACT_RELU,
  ACT_RELU_CLIP,
  ACT_SOFTMAX,
  OP_AVG_POOL2D,
  OP_CONV2D,
  OP_DENSE,
  OP_DEPTHWISE_CONV2D,
  OP_MAX_POOL2D,
  OP_RESHAPE,
  PAD_SAME,
  PAD_VALID,
  decodeTensor,
  f16ToF32,
  f32ToF16,
  readSqz,
} from '../../../formats/index.js';
import {
  exportModel,
  exportModelDetailed,
  quantizeGraphWeights,
  simplifyForExport,
} from '../../../compiler/export/index.js';
import { importLayersModel } from '../../../compiler/import/index.js';
import { forward } from '../../../compiler/ir/forward.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { assertClose } from '../../fixtures/compare.js';
import { buildTestModels, randomArray, randomizeWeights } from '../../fixtures/tfjs_models.js';
import { rng } from '../../fixtures/random.js';

before(async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
});

/** All kernels then biases in file order (per op: kernel, bias), from the IR. */
function irTensors(graph: Graph): Float32Array[] {
  return simplifyForExport(graph).ops.flatMap((op) =>
    [op.kernel?.values, op.bias?.values].filter((v) => v !== undefined),
  );
}

function withoutNegativeZero(values: Float32Array): Float32Array {
  return values.map((v) => (v === 0 ? 0 : v));
}

const graphs = (): { name: string; graph: Graph }[] =>
  buildTestModels(31).map(({ name, model }) => {
    const graph = importLayersModel(model);
    model.dispose();
    return { name, graph };
  });

test("'f32' stores every weight bit-exactly; 'f16' stores f16 roundings of them", () => {
  for (const { name, graph } of graphs()) {
    const original = irTensors(graph);
    for (const mode of ['f32', 'exact'] as const) {
      const stored = readSqz(exportModel(graph, { weights: mode })).tensors.map((t) => decodeTensor(t));
      assert.equal(stored.length, original.length, name);
      stored.forEach((s, i) => assert.deepEqual(s, withoutNegativeZero(original[i]!), `${name} tensor ${i}`));
    }
    const f16 = readSqz(exportModel(graph, { weights: 'f16' })).tensors.map((t) => decodeTensor(t));
    f16.forEach((s, i) =>
      assert.deepEqual(
        s,
        withoutNegativeZero(original[i]!.map((v) => f16ToF32(f32ToF16(v)))),
        `${name} f16 tensor ${i}`,
      ),
    );
  }
});

test("'q8' keeps zeros, uses at most 256 levels per kernel, stays close, and decodes to quantizeGraphWeights", () => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [64], units: 48, activation: 'relu', name: 'big' }),
      tfl.layers.dense({ units: 10, name: 'head' }),
    ],
  });
  randomizeWeights(model, 3);
  const graph = importLayersModel(model);
  const big = graph.ops[0]!.kernel!.values;
  const rand = rng(4);
  big.forEach((_, i) => {
    if (rand() < 0.2) big[i] = 0;
  });
  const result = exportModelDetailed(graph, { weights: 'q8' });
  const decoded = readSqz(result.bytes).tensors.map((t) => decodeTensor(t));
  const expected = irTensors(quantizeGraphWeights(graph, 'q8'));
  decoded.forEach((d, i) => assert.deepEqual(d, expected[i], `tensor ${i}`));
  const q = decoded[0]!;
  assert.ok(new Set(q).size <= 256, `levels ${new Set(q).size}`);
  assert.ok(new Set(q).size > 200, 'a 3,072-value kernel uses most of its levels');
  big.forEach((v, i) => assert.equal(v === 0, q[i] === 0, `zero pattern at ${i}`));
  const range = Math.max(...big) - Math.min(...big);
  big.forEach((v, i) => assert.ok(Math.abs(v - q[i]!) <= range / 100, `value ${i}: ${v} vs ${q[i]}`));
  assert.equal(result.tensors[0]!.encoding.startsWith('sparse') || result.tensors[0]!.encoding === 'codebook', true);
  assert.ok(result.tensors[0]!.bytes < 3072 * 2, 'an 8-bit codebook form is smaller than f16');
  // Biases are f16-rounded.
  assert.deepEqual(decoded[1], withoutNegativeZero(graph.ops[0]!.bias!.values.map((v) => f16ToF32(f32ToF16(v)))));
  model.dispose();
});

test('ops map to sqz codes and attributes; reshapes feeding only dense ops are dropped', () => {
  const [mlp, cnn, , reshapes] = graphs();
  const message = (g: Graph) => readSqz(exportModel(g, { weights: 'f32' }));
  const c = message(cnn!.graph);
  assert.deepEqual(
    c.ops.map((o) => o.type),
    [OP_CONV2D, OP_DEPTHWISE_CONV2D, OP_MAX_POOL2D, OP_CONV2D, OP_AVG_POOL2D, OP_DENSE],
  );
  const [conv1, bn1, pool1, conv2, pool2, logits] = c.ops;
  assert.deepEqual(
    [conv1!.strides, conv1!.padding, conv1!.activation, conv1!.clipMax],
    [[2, 2], PAD_SAME, ACT_RELU_CLIP, 6],
  );
  assert.deepEqual([bn1!.strides, bn1!.padding, bn1!.activation, bn1!.kernel], [[], PAD_VALID, ACT_LINEAR, []]);
  assert.deepEqual([pool1!.kernel, pool1!.strides, pool1!.padding], [[3, 3], [], PAD_SAME]);
  assert.deepEqual([conv2!.activation, conv2!.clipMax, conv2!.padding], [ACT_RELU_CLIP, Math.fround(0.8), PAD_VALID]);
  assert.deepEqual([pool2!.kernel, pool2!.strides, pool2!.padding], [[2, 2], [2, 2], PAD_SAME]);
  assert.deepEqual(
    [logits!.activation, logits!.strides, logits!.padding, logits!.kernel],
    [ACT_SOFTMAX, [], PAD_VALID, []],
  );
  assert.equal(logits!.inputs[0], pool2!.outputs[0], 'the dense op reads the pool output directly (Flatten dropped)');
  assert.deepEqual(
    c.values.map((v) => v.shape),
    [[11, 9, 2], [6, 5, 6], [6, 5, 6], [6, 5, 6], [5, 3, 5], [3, 2, 5], [7]],
  );
  assert.equal(c.tensors.length, 8);

  const m = message(mlp!.graph);
  assert.deepEqual(
    m.ops.map((o) => o.type),
    [OP_RESHAPE, OP_DEPTHWISE_CONV2D, OP_DENSE, OP_DENSE, OP_DENSE, OP_DENSE],
    'the reshape back from the BN affine feeds a dense op and goes',
  );
  assert.equal(m.ops[2]!.activation, ACT_RELU);

  // Reshapes into the conv and into the [T, C] dense stay; Flatten before the last dense goes.
  const r = message(reshapes!.graph);
  const simplified = simplifyForExport(reshapes!.graph);
  assert.equal(
    r.ops.filter((o) => o.type === OP_RESHAPE).length,
    simplified.ops.filter((o) => o.type === 'reshape').length,
  );
  assert.ok(simplified.ops.length < reshapes!.graph.ops.length);
  const x = tf.tensor(randomArray(3 * 10, rng(1)), [3, 10]);
  tf.tidy(() =>
    assertClose(forward(simplified, x).dataSync(), forward(reshapes!.graph, x).dataSync(), 1e-6, 'simplified graph'),
  );
  x.dispose();
});
