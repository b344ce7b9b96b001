// The end of a compression run: the written file checked in the wasm runtime, and the figures of the report.
import { modelByteAccount } from '../../formats/index.js';
import type { Split } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { SqzModel } from '../../runtime/index.js';
import { fractionEqual, runtimeOutputs } from '../eval/runtime_classes.js';
import type { EpochHistory } from './checkpoint.js';
import type { CompressibleLayer } from './layers.js';
import type { FileMeasure } from './measure_file.js';
import type { LayerReport } from './report.js';
import { arrayParams, predictClasses } from './sgd.js';
import { classesOf, taskMetrics, type TaskMetrics, type TaskName } from './task.js';

/**
 * The written file's test metrics in the wasm runtime, and for a classifier the share of samples where its class
 * equals the compiler's (tfjs on the stored weights).
 */
export async function verifyInRuntime(
  bytes: Uint8Array,
  stored: Graph,
  test: Split,
  inputShape: number[],
  task: TaskName,
): Promise<{ metrics: TaskMetrics; agreement?: number }> {
  const model = await SqzModel.load(bytes);
  try {
    const outputs = runtimeOutputs(model, test);
    const metrics = taskMetrics(task, outputs, test);
    if (task !== 'classification') return { metrics };
    const p = arrayParams(stored, new Map(), new Map());
    const reference = predictClasses(stored, p.params, test, inputShape);
    p.dispose();
    const width = test.count === 0 ? 0 : outputs.length / test.count;
    return { metrics, agreement: fractionEqual(classesOf(outputs, test.count, width), reference) };
  } finally {
    model.dispose();
  }
}

/**
 * 32·Σn / Σ nnz·b, Σn over the given model's kernels (`layers`; a collapsed hidden layer's kernels still count, as
 * the fp32 file holds them).
 */
export function paperRatio(layers: readonly Pick<CompressibleLayer, 'n'>[], measure: FileMeasure): number {
  const dense = 32 * layers.reduce((s, l) => s + l.n, 0);
  const stored = measure.layers.reduce((s, l) => s + l.nnz * (l.bits > 0 ? l.bits : 32), 0);
  return dense / Math.max(stored, 1);
}

/** Per layer: the stored kernel's figures and where its bytes go (formats' byte account of the written message). */
export function layerReports(layers: readonly CompressibleLayer[], measure: FileMeasure): LayerReport[] {
  const { tensors, message } = measure.exported;
  const account = new Map(modelByteAccount(message).layers.map((l) => [l.weight, l]));
  return layers.map((l, i) => {
    const m = measure.layers[i]!;
    const kernel = tensors.findIndex((t) => t.role === 'kernel' && t.op === l.name);
    const parts = account.get(kernel);
    if (!parts) throw new Error(`layerReports: layer '${l.name}' has no kernel tensor in the written file`);
    return {
      name: l.name,
      type: l.type,
      shape: l.shape,
      weights: l.n,
      storedWeights: m.n,
      nonzeros: m.nnz,
      units: { kept: m.units, of: l.shape[l.shape.length - 1]! },
      density: m.nnz / l.n,
      bits: m.bits,
      kernelBytes: m.bytes,
      encoding: tensors[kernel]!.encoding,
      bytes: {
        values: parts.values,
        positions: parts.positions,
        codebook: parts.codebook,
        framing: parts.framing,
        bias: parts.bias,
      },
    };
  });
}

export function projectionShare(history: readonly EpochHistory[]): number {
  const admm = history.filter((h) => h.phase === 'admm');
  const total = admm.reduce((s, h) => s + h.seconds, 0);
  return total > 0 ? admm.reduce((s, h) => s + h.projectionSeconds, 0) / total : 0;
}
