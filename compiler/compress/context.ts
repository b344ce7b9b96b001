// What every phase of a compression run shares.
import type { Split } from '../data/dataset.js';
import type { WorkerPool } from '../engine/worker_pool.js';
import type { Graph } from '../ir/graph.js';
import type { Rng } from '../util/rng.js';
import type { CompressibleLayer } from './layers.js';
import type { JointProjection, ProjectionSetup } from './joint_projection.js';
import type { Progress } from './progress.js';
import type { LossConfig } from './sgd.js';
import type { TaskSpec } from './task.js';
import type { TrainState } from './train_state.js';

/** Hyper-parameters; every one has a default that reaches the documented targets (see options.ts). */
export interface Hyper {
  /** ADMM epochs. */
  epochs: number;
  /** Fine-tune epochs with mask and bits frozen. */
  finetuneEpochs: number;
  batchSize: number;
  /** Peak learning rate of SGD (cosine-decayed within each phase). */
  lr: number;
  momentum: number;
  weightDecay: number;
  /** Global gradient-norm clip (0 = off). */
  clipNorm: number;
  /** Initial ADMM penalty ρ. */
  rho: number;
  /** ρ multiplier per projection (ρ grows geometrically up to rhoMax). */
  rhoGrowth: number;
  rhoMax: number;
  /** SGD steps between projections (V- and U-updates). */
  projectionInterval: number;
  /** Fraction of ADMM steps over which the projection budget shrinks from ~8-bit dense to the target (0 = none). */
  anneal: number;
  /** Exponent of the per-layer sensitivity (mean squared gradient) used as importance; 0 = plain magnitudes. */
  sensitivity: number;
  /**
   * Exponent of the per-weight saliency inside a layer: each weight's diagonal Fisher estimate relative to its
   * layer's mean multiplies its knapsack value w² and weights its k-means distortion; 0 = one importance per layer.
   */
  saliency: number;
  /** Weight of the teacher's soft targets in the training loss (distill.ts), in [0, 1]; 0 = labels only. */
  distill: number;
  /** Softmax temperature of the teacher term. */
  temperature: number;
  /**
   * Largest random shift, in pixels, of each training image along height and width in ADMM and the fine-tune
   * (compiler/data/augment.ts); 0 = none. Only image inputs ([H, W, C]) of classifiers and autoencoders shift.
   */
  augmentShift: number;
  /** SGD steps between codebook refreshes in the fine-tune. */
  refreshInterval: number;
  seed: number;
}

export interface RunData {
  train: Split;
  validation: Split;
  test: Split;
}

export interface RunContext {
  graph: Graph;
  layers: CompressibleLayer[];
  inputShape: number[];
  /** Scores per sample of a classifier; 0 for regression and reconstruction. */
  numClasses: number;
  /** What the model is for: its loss and its metric (task.ts). */
  task: TaskSpec;
  /** A training loss above this means the run diverged (sgd.ts divergedLoss). */
  divergedAbove: number;
  data: RunData;
  targetBytes: number;
  hyper: Hyper;
  state: TrainState;
  rng: Rng;
  progress: Progress;
  setup: ProjectionSetup;
  /** The training loss: labels, and the teacher's soft targets when data.train carries them. */
  loss: LossConfig;
  /** With --workers N > 1: the worker threads that compute each batch's gradients and the validation classes. */
  pool?: WorkerPool;
  /**
   * ADMM's first projection of the given weights at targetBytes, when head_collapse.ts already computed it; ADMM's
   * first projection takes it once instead of computing it again.
   */
  firstProjection?: JointProjection;
}

/** Cosine decay from `peak` to peak·floor over `total` steps. */
export function cosineLr(peak: number, step: number, total: number, floor = 0.05): number {
  const t = total <= 1 ? 1 : Math.min(1, step / (total - 1));
  return peak * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * t)));
}
