// The end of a compression run: the written file checked in the wasm runtime, and the figures of the report.
import type { Split } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { SqzModel } from '../../runtime/index.js';
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
    const size = test.images.length / Math.max(test.count, 1);
    const outputs = model.info.outputs[0]!.shape.reduce((a: number, b: number) => a * b, 1);
    let correct = 0;
    let agree = 0;
    const batch = 32;
    for (let start = 0; start < test.count; start += batch) {
      const n = Math.min(batch, test.count - start);
      const scores = model.predict(test.images.subarray(start * size, (start + n) * size), n);
      for (let i = 0; i < n; i++) {
        let arg = 0;
        for (let c = 1; c < outputs; c++) if (scores[i * outputs + c]! > scores[i * outputs + arg]!) arg = c;
        if (arg === test.labels[start + i]) correct++;
        if (arg === reference[start + i]) agree++;
      }
    }
    return { accuracy: correct / test.count, agreement: agree / test.count };
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
