// measureFile counts what the file holds per compressible layer, also for a layer imported as several ops of one
// name (Conv1D: reshape, conv2d, reshape), whose kernel must be the one counted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compressibleLayers } from '../../../compiler/compress/layers.js';
import { measureFile } from '../../../compiler/compress/measure_file.js';
import { importLayersModel } from '../../../compiler/import/import_model.js';
import { buildTestModels } from '../../fixtures/tfjs_models.js';

test('measureFile: every stored weight of dense f32/f16 kernels counts as a nonzero, Conv1D layers included', () => {
  const sequence = buildTestModels(3).find((m) => m.name === 'sequence')!;
  const graph = importLayersModel(sequence.model);
  const layers = compressibleLayers(graph);
  const measure = measureFile(graph, layers);
  assert.ok(
    layers.some((l) => l.name === 'conv1'),
    'the fixture has a Conv1D layer named conv1',
  );
  measure.layers.forEach((m, i) => {
    const kernel = graph.ops[layers[i]!.opIndex]!.kernel!.values;
    const nonzeros = kernel.reduce((s, v) => s + (v !== 0 ? 1 : 0), 0);
    assert.equal(m.nnz, nonzeros, `layer ${layers[i]!.name}`);
    assert.ok(m.nnz > 0);
  });
  sequence.model.dispose();
});
