// The end-of-run account: a per-layer table and the totals, printed and written as JSON. Ratios say what they
// count: file bytes against the fp32 weights file, and the paper's 32·Σn / Σ nnz·b over the kernels.
import type { LayerBytes } from '../../formats/byte_account.js';
import { formatTable } from '../util/text_table.js';
import type { EpochHistory, LrRestart } from './checkpoint.js';
import type { HeadCollapse } from './head_collapse.js';
import { formatMse, type TaskMetrics, type TaskName } from './task.js';

export interface LayerReport {
  name: string;
  type: string;
  shape: number[];
  /** Weights in the original kernel. */
  weights: number;
  /** Weights left after dead units were removed (the stored tensor's size). */
  storedWeights: number;
  /** Units (output channels) kept of the original's, after dead units were removed. */
  units: { kept: number; of: number };
  nonzeros: number;
  /** nonzeros / weights. */
  density: number;
  bits: number;
  /** Bytes of the encoded kernel tensor in the file: values + positions + codebook + framing. */
  kernelBytes: number;
  encoding: string;
  /** Where the layer's bytes go: its kernel's parts, and its bias tensor's whole bytes (formats/byte_account.ts). */
  bytes: LayerBytes;
}

export interface CompressReport {
  model: string;
  data: string;
  output: string;
  backend: string;
  /** Worker threads that split each batch (--workers N; the same N and seed give the same file). */
  workers: number;
  targetBytes: number;
  fileBytes: number;
  /** Raw f32 bytes of every weight of the input model (its weights file). */
  fp32WeightBytes: number;
  /** fp32WeightBytes / fileBytes. */
  fileRatio: number;
  /** 32·Σn / Σ nnz·b over the compressible kernels (Yang et al.'s measure). */
  paperRatio: number;
  /** What the model is for (task.ts): it chose the loss and the metric. */
  task: TaskName;
  /** The task's test metrics (accuracy; or MSE and MAE over all output elements). */
  metrics: {
    /** Input model, tfjs. */
    before: TaskMetrics;
    /** Compressed model, tfjs. */
    after: TaskMetrics;
    /** Compressed model in the wasm runtime (when verified). */
    runtime?: TaskMetrics;
    /** Model selection's validation score of the kept result: accuracy, or −MSE (higher is better). */
    validationScore: number;
  };
  /** Classification only: the accuracies, as before tasks existed. */
  accuracy?: {
    /** Input model on the test split. */
    before: number;
    /** Compressed model on the test split, evaluated by the compiler (tfjs). */
    after: number;
    /** Compressed model on the test split, evaluated by the wasm runtime (when verified). */
    runtime?: number;
    /** Fraction of test samples where the runtime's class equals the compiler's. */
    agreement?: number;
    /** Best validation accuracy of the kept result. */
    validation: number;
  };
  samples: { train: number; validation: number; test: number };
  layers: LayerReport[];
  history: EpochHistory[];
  /** Wall seconds; admm includes selection (the per-epoch fit and validation). */
  seconds: { total: number; admm: number; finetune: number; selection: number };
  /** Share of ADMM epoch time spent in projections. */
  projectionShare: number;
  /** Epochs each phase took: ADMM ends early once its hard projection settles, and the fine-tune gets the rest. */
  epochs: { admm: number; finetune: number };
  /** The hyper-parameters the result was trained with (lr: after any restarts). */
  hyper: Record<string, number>;
  /** The classifier's hidden dense layer, removed before compressing because the budget kept it too narrow. */
  collapsedHead?: HeadCollapse;
  /** ADMM's restarts from the original weights at half the learning rate, after a collapse or a blow-up. */
  restarts: LrRestart[];
  /** What the user must hear about this result, e.g. that it is near chance (compress/chance.ts); empty if nothing. */
  warnings: string[];
}

const int = (n: number) => n.toLocaleString('en-US');
const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : `${(100 * x).toFixed(2)}%`);

/** "values/positions/codebook/framing + bias", e.g. "812/1,930/24/9 + 120". */
function bytesSplit(b: LayerBytes): string {
  return `${[b.values, b.positions, b.codebook, b.framing].map(int).join('/')} + ${int(b.bias)}`;
}

/** The test figures of the report's task, one line. */
function metricLine(r: CompressReport): string {
  if (r.accuracy) {
    return (
      `accuracy (test, ${int(r.samples.test)} samples): before ${pct(r.accuracy.before)}, after ${pct(r.accuracy.after)}` +
      (r.accuracy.runtime !== undefined
        ? `, wasm runtime ${pct(r.accuracy.runtime)} (agrees with the compiler on ${pct(r.accuracy.agreement)})`
        : '')
    );
  }
  const m = r.metrics;
  const both = (x: TaskMetrics | undefined) => `MSE ${formatMse(x?.mse)} (MAE ${formatMse(x?.mae)})`;
  return (
    `${r.task} (test, ${int(r.samples.test)} samples, averaged over all output values): before ${both(m.before)}, ` +
    `after ${both(m.after)}${m.runtime ? `, wasm runtime ${both(m.runtime)}` : ''}`
  );
}

/** The table and totals as printed at the end of `sqz compress`. */
export function formatReport(r: CompressReport): string {
  const header = [
    'layer',
    'type',
    'units',
    'weights',
    'stored',
    'nonzeros',
    'density',
    'bits',
    'bytes',
    'encoding',
    'values/positions/codebook/framing + bias',
  ];
  const rows = r.layers.map((l) => [
    l.name,
    l.type,
    `${l.units.kept}/${l.units.of}`,
    int(l.weights),
    int(l.storedWeights),
    int(l.nonzeros),
    pct(l.density),
    String(l.bits),
    int(l.kernelBytes),
    l.encoding,
    bytesSplit(l.bytes),
  ]);
  const totalWeights = r.layers.reduce((s, l) => s + l.weights, 0);
  const totalNnz = r.layers.reduce((s, l) => s + l.nonzeros, 0);
  const sum = (part: keyof LayerBytes) => r.layers.reduce((s, l) => s + l.bytes[part], 0);
  rows.push([
    'total',
    '',
    '',
    int(totalWeights),
    int(r.layers.reduce((s, l) => s + l.storedWeights, 0)),
    int(totalNnz),
    pct(totalNnz / totalWeights),
    '',
    int(r.layers.reduce((s, l) => s + l.kernelBytes, 0)),
    '',
    bytesSplit({
      values: sum('values'),
      positions: sum('positions'),
      codebook: sum('codebook'),
      framing: sum('framing'),
      bias: sum('bias'),
    }),
  ]);
  const out = [...formatTable(header, rows, 2), ''];
  out.push(metricLine(r));
  out.push(`file: ${int(r.fileBytes)} bytes (target ${int(r.targetBytes)}) → ${r.output}`);
  const kernels = r.layers.reduce((s, l) => s + l.kernelBytes + l.bytes.bias, 0);
  out.push(
    `bytes: values ${int(sum('values'))}, positions ${int(sum('positions'))}, codebooks ${int(sum('codebook'))}, ` +
      `framing ${int(sum('framing'))}, biases ${int(sum('bias'))}, graph and header ${int(r.fileBytes - kernels)}`,
  );
  out.push(
    `ratio: ${r.fileRatio.toFixed(1)}× real bytes vs the fp32 weights file (${int(r.fp32WeightBytes)} bytes); ` +
      `${r.paperRatio.toFixed(1)}× on the paper's measure 32·Σn / Σ nnz·b`,
  );
  out.push(
    `time: ${r.seconds.total.toFixed(1)} s (ADMM ${r.epochs.admm} epochs, ${r.seconds.admm.toFixed(1)} s including ${r.seconds.selection.toFixed(1)} s ` +
      `of per-epoch fit and validation; fine-tune ${r.epochs.finetune} epochs, ${r.seconds.finetune.toFixed(1)} s; projections ${pct(r.projectionShare)} of ` +
      `ADMM training time) on ${r.backend}${r.workers > 1 ? `, ${r.workers} workers` : ''}`,
  );
  if (r.collapsedHead) {
    const c = r.collapsedHead;
    out.push(
      `layers: ${c.hidden} removed (the first projection kept ${c.keptUnits} of its units for ${c.outputs} outputs); ` +
        `${c.into} reads its input`,
    );
  }
  for (const restart of r.restarts)
    out.push(`restart: ${restart.reason}; ADMM started again at learning rate ${restart.lr}`);
  return out.join('\n');
}
