// The messages between the main thread (worker_pool.ts) and a training worker (grad_worker.ts), in one place.
import type { Split } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import type { LossConfig } from '../compress/sgd.js';

/** workerData of a worker. */
export interface WorkerInit {
  /** 0-based; the main thread sums results in this order. */
  index: number;
  count: number;
  /** The backend choice the main thread resolved to ('wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'). */
  backend: string;
  inputShape: number[];
  numClasses: number;
  /** This worker's fixed slice of the validation split (classified by 'classify'). */
  validation: Split;
}

export type ToWorker =
  /** A new graph (the run's, or the compacted fine-tune's): weights and gradients travel through these buffers. */
  | { type: 'graph'; graph: Graph; weights: SharedArrayBuffer; grads: SharedArrayBuffer }
  /** Loss and gradients of `shard` at the weights now in the shared weights buffer. */
  | { type: 'grad'; shard: Split; loss: LossConfig }
  /** Classes of this worker's validation slice under `graph` (weights inside the graph). */
  | { type: 'classify'; graph: Graph };

export type ToMain =
  | { type: 'ready' }
  /** The shard's mean loss (its mean gradients are in the worker's gradient buffer) and the ms it took. */
  | { type: 'grad'; loss: number; ms: number }
  | { type: 'classify'; classes: Uint8Array }
  /** A JavaScript error the worker caught (e.g. the wasm backend out of memory). */
  | { type: 'error'; message: string };
