// The IR forward pass is differentiable on the wasm backend (with the compiler's registered gradient kernels):
// loss and kernel gradients agree with the cpu backend for every test model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../../compiler/engine/backend.js';
import { importLayersModel } from '../../../compiler/import/index.js';
import { forward } from '../../../compiler/ir/forward.js';
import { isCompressible, type Graph } from '../../../compiler/ir/graph.js';
import { assertClose } from '../../fixtures/compare.js';
import { buildTestModels, randomArray } from '../../fixtures/tfjs_models.js';
import { rng } from '../../fixtures/random.js';

/** Loss Σ logits² and d loss / d kernel for every compressible op, flattened into one array. */
function lossAndGradients(graph: Graph, input: Float32Array, inputShape: number[]): Float32Array {
  return tf.tidy(() => {
    const kernels = graph.ops.map((op) =>
      isCompressible(op) ? tf.variable(tf.tensor(op.kernel.values, op.kernel.shape)) : undefined,
    );
    const x = tf.tensor(input, [2, ...inputShape]);
    const { value, grads } = tf.variableGrads(
      () =>
        tf.sum(
          tf.square(
            forward(graph, x, { logits: true, params: (i) => (kernels[i] ? { kernel: kernels[i] } : undefined) }),
          ),
        ) as tf.Scalar,
      kernels.filter((k) => k !== undefined),
    );
    const out = Float32Array.from([
      value.dataSync()[0]!,
      ...kernels.flatMap((k) => (k ? [...grads[k.name]!.dataSync()] : [])),
    ]);
    kernels.forEach((k) => k?.dispose());
    return out;
  });
}

test('forward gradients on wasm match the cpu backend', async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
  const models = buildTestModels(61);
  const cases = models.map(({ model, inputShape }) => {
    const graph = importLayersModel(model);
    model.dispose();
    const input = randomArray(2 * inputShape.reduce((a, b) => a * b, 1), rng(3));
    return { graph, input, inputShape, cpu: lossAndGradients(graph, input, inputShape) };
  });
  const info = await selectBackend('wasm');
  assert.equal(info.name, 'wasm');
  for (const [i, c] of cases.entries()) {
    assert.ok(
      c.cpu.slice(1).some((g) => g !== 0),
      `model ${i} has nonzero gradients`,
    );
    assertClose(lossAndGradients(c.graph, c.input, c.inputShape), c.cpu, 1e-4, `model ${i}`);
  }
});
