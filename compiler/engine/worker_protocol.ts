// The messages between the main thread (worker_pool.ts) and a training worker (grad_worker.ts), in one place.
import type { Split } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import type { EvaluatedLayout, LayoutCandidate, SearchInput } from '../compress/joint_projection.js';
import type { LossConfig } from '../compress/sgd.js';
import type { TaskSpec } from '../compress/task.js';

/** What a pool of training workers is started with (worker_pool.ts WorkerPool.start). */
export interface PoolOptions {
  count: number;
  /** The backend choice the main thread resolved to ('wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'). */
  backend: string;
  inputShape: number[];
  /** The run's task: the workers' loss and probe are its loss (sgd.ts batchTensors/lossOf). */
  task: TaskSpec;
  /** The validation split (a worker's own init holds only its fixed slice, run forward by 'outputs'). */
  validation: Split;
  /** The bit search's probe batch (probe_score.ts probeSplit), the same in every worker. */
  probe: Split;
}

/** workerData of a worker: the pool's options with its own validation slice. */
export interface WorkerInit extends PoolOptions {
  /** 0-based; the main thread sums results in this order. */
  index: number;
}

export type ToWorker =
  /** A new graph (the run's, or the compacted fine-tune's): weights and gradients travel through these buffers. */
  | { type: 'graph'; graph: Graph; weights: SharedArrayBuffer; grads: SharedArrayBuffer }
  /** Loss and gradients of `shard` at the weights now in the shared weights buffer. */
  | { type: 'grad'; shard: Split; loss: LossConfig }
  /** The model's outputs on this worker's validation slice under `graph` (weights inside the graph). */
  | { type: 'outputs'; graph: Graph; logits: boolean }
  /** A layout search starts: its input, scored with the weights now in the shared weights buffer. */
  | { type: 'search'; input: SearchInput; loss: LossConfig }
  /** Evaluate these candidates of the current search (joint_projection.ts, evaluateLayout). */
  | { type: 'evaluate'; candidates: LayoutCandidate[] };

export type ToMain =
  | { type: 'ready' }
  /** The shard's mean loss (its mean gradients are in the worker's gradient buffer) and the ms it took. */
  | { type: 'grad'; loss: number; ms: number }
  /** count × output values, sample-major (sgd.ts predictOutputs). */
  | { type: 'outputs'; outputs: Float32Array }
  | { type: 'evaluate'; results: EvaluatedLayout[] }
  /** A JavaScript error the worker caught (e.g. the wasm backend out of memory). */
  | { type: 'error'; message: string };
