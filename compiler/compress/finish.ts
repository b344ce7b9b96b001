// The end of a compression run: the written file checked in the wasm runtime, and the figures of the report.
import type { Split } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { SqzModel } from '../../runtime/index.js';
import { fractionEqual, runtimeClasses } from '../eval/runtime_classes.js';
import type { EpochHistory } from './checkpoint.js';
import type { CompressibleLayer } from './layers.js';
import type { FileMeasure } from './measure_file.js';
import type { LayerReport } from './report.js';
import { arrayParams, predictClasses } from './sgd.js';

export async function verifyInRuntime(
  bytes: Uint8Array, stored: Graph, test: Split, inputShape: number[],
): Promise<{ accuracy: number; agreement: number }> {
  const model = await SqzModel.load(bytes);
  try {
    const p = arrayParams(stored, new Map(), new Map());
    const reference = predictClasses(stored, p.params, test, inputShape);
    p.dispose();
    const classes = runtimeClasses(model, test);
    return { accuracy: fractionEqual(classes, test.labels), agreement: fractionEqual(classes, reference) };
  } finally {
    model.dispose();
  }
}

export function paperRatio(layers: readonly CompressibleLayer[], measure: FileMeasure): number {
  const dense = 32 * layers.reduce((s, l) => s + l.n, 0);
  const stored = measure.layers.reduce((s, l) => s + l.nnz * (l.bits > 0 ? l.bits : 32), 0);
  return dense / Math.max(stored, 1);
}

export function layerReports(layers: readonly CompressibleLayer[], measure: FileMeasure): LayerReport[] {
  const byOp = new Map(measure.exported.tensors.filter((t) => t.role === 'kernel').map((t) => [t.op, t]));
  return layers.map((l, i) => {
    const m = measure.layers[i]!;
    return {
      name: l.name, type: l.type, shape: l.shape, weights: l.n, storedWeights: m.n, nonzeros: m.nnz,
      density: m.nnz / l.n, bits: m.bits, bytes: m.bytes, encoding: byOp.get(l.name)?.encoding ?? '-',
    };
  });
}

export function projectionShare(history: readonly EpochHistory[]): number {
  const admm = history.filter((h) => h.phase === 'admm');
  const total = admm.reduce((s, h) => s + h.seconds, 0);
  return total > 0 ? admm.reduce((s, h) => s + h.projectionSeconds, 0) / total : 0;
}
