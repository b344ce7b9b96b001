// Data-parallel training on worker threads (`sqz compress --workers N`, issue 17).
//
// 1. start() spawns N worker_threads (grad_worker.ts), each with its own tfjs backend (the main thread's choice)
//    and its fixed slice of the validation split.
// 2. The first gradients() call on a graph (the run's, later the compacted fine-tune model's) sends the graph once
//    and two SharedArrayBuffers per worker set-up: one for the weights (written by the main thread before every
//    step, read by all workers) and one per worker for its gradients. No weights or gradients are copied through
//    messages; only the batch shard (its own images, labels, targets and soft targets, transferred) and the loss are.
// 3. Each batch is cut into N contiguous shards, sizes differing by at most one (the first ones larger). Worker w
//    returns its shard's mean loss and mean gradients; the main thread forms Σ_w count_w·g_w / count in worker
//    order (float64 sums, rounded to f32 once), whatever order the workers finish in. So the same seed and the same
//    N give the same bytes; another N sums the same numbers in another order (and tfjs computes a smaller batch),
//    which changes the result in the last float bits and, through training, the file.
// 4. A worker that throws, dies or runs out of memory rejects every pending call with one WorkerError, and every
//    later call throws it too; dispose() ends all workers. Workers are unref'd threads of this process, so a
//    signal that ends the process ends them.
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { Split } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import {
  searchLayoutWith,
  type EvaluatedLayout,
  type Layout,
  type LayoutCandidate,
  type SearchInput,
} from '../compress/joint_projection.js';
import type { LossConfig } from '../compress/sgd.js';
import type { TrainState } from '../compress/train_state.js';
import { armedFault } from '../util/fault.js';
import type { PoolOptions, ToMain, ToWorker, WorkerInit } from './worker_protocol.js';

/** A training worker crashed, ran out of memory or failed; the message says which and what to do. */
export class WorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerError';
  }
}

/** Heap cap of the workers while SQZ_FAULT injects an out-of-memory (so the test's worker dies in a second). */
const OOM_TEST_HEAP_MB = 96;

interface Slot {
  worker: Worker;
  pending?: { resolve: (m: ToMain) => void; reject: (e: Error) => void };
}

/** Where the main thread's time per step goes (for bench/parallel.ts). */
export interface PoolTimes {
  steps: number;
  /** Writing the weights into the shared buffer. */
  writeMs: number;
  /** From posting the shards to the last answer. */
  waitMs: number;
  /** The slowest worker's own time for its shard (copying the weights in, forward, backward, gradients out). */
  computeMs: number;
  /** Summing the gradients and making tensors of them. */
  sumMs: number;
}

/** Sizes of `count` samples cut into `parts` contiguous shards (the first count % parts one larger). */
export function shardSizes(count: number, parts: number): number[] {
  const base = Math.floor(count / parts);
  return Array.from({ length: parts }, (_, w) => base + (w < count % parts ? 1 : 0));
}

/** Samples [start, end) of `split` as a new split with its own buffers (images, labels, targets, soft targets). */
function slice(split: Split, start: number, end: number): Split {
  const size = split.count === 0 ? 0 : split.images.length / split.count;
  const width = split.soft ? split.soft.length / split.count : 0;
  const targetWidth = split.targets ? split.targets.length / split.count : 0;
  return {
    images: split.images.slice(start * size, end * size),
    labels: split.labels.slice(start, end),
    count: end - start,
    ...(split.targets ? { targets: split.targets.slice(start * targetWidth, end * targetWidth) } : {}),
    ...(split.soft ? { soft: split.soft.slice(start * width, end * width) } : {}),
  };
}

function describe(index: number, count: number, err: Error & { code?: string }): string {
  const what =
    err.code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? 'ran out of memory'
      : `crashed (${err.message.replace(/\s*\n\s*/g, ' ').trim()})`;
  return (
    `training worker ${index + 1} of ${count} ${what}; the checkpoints written so far are intact: ` +
    'rerun with fewer --workers (or --workers 1), adding --resume to continue from the last --checkpoint'
  );
}

export class WorkerPool {
  readonly times: PoolTimes = { steps: 0, writeMs: 0, waitMs: 0, computeMs: 0, sumMs: 0 };
  private failure?: WorkerError;
  private disposed = false;
  private graph?: Graph;
  private weights: Float32Array = new Float32Array(0);
  private grads: Float32Array[] = [];
  private offsets: number[] = [];

  private constructor(
    private readonly slots: Slot[],
    readonly validationSizes: number[],
  ) {}

  get count(): number {
    return this.slots.length;
  }

  /** Starts `count` workers and waits until each has its backend. */
  static async start(options: PoolOptions): Promise<WorkerPool> {
    const { count } = options;
    const oom = armedFault()?.action === 'oom';
    const sizes = shardSizes(options.validation.count, count);
    let at = 0;
    const slots = sizes.map((size, index): Slot => {
      const init: WorkerInit = { ...options, index, validation: slice(options.validation, at, (at += size)) };
      const worker = new Worker(new URL('./grad_worker.js', import.meta.url), {
        workerData: init,
        ...(oom ? { resourceLimits: { maxOldGenerationSizeMb: OOM_TEST_HEAP_MB } } : {}),
      });
      worker.unref();
      return { worker };
    });
    const pool = new WorkerPool(slots, sizes);
    slots.forEach((slot, i) => pool.listen(slot, i));
    try {
      await Promise.all(slots.map((slot) => pool.request(slot)));
    } catch (err) {
      await pool.dispose();
      throw err;
    }
    return pool;
  }

  private listen(slot: Slot, index: number): void {
    const { worker } = slot;
    worker.on('message', (m: ToMain) => {
      if (m.type === 'error') return this.fail(index, new Error(m.message));
      const pending = slot.pending;
      slot.pending = undefined;
      pending?.resolve(m);
    });
    worker.on('error', (err) => this.fail(index, err));
    worker.on('exit', (code) => {
      if (!this.disposed) this.fail(index, new Error(`the thread exited with code ${code}`));
    });
  }

  private fail(index: number, err: Error): void {
    if (this.disposed) return;
    this.failure ??= new WorkerError(describe(index, this.count, err));
    for (const slot of this.slots) {
      const pending = slot.pending;
      slot.pending = undefined;
      pending?.reject(this.failure);
    }
  }

  /** Posts `message` (if any) to the slot's worker and resolves with its next answer. */
  private request(slot: Slot, message?: ToWorker, transfer: ArrayBuffer[] = []): Promise<ToMain> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      slot.pending = { resolve, reject };
      if (message) slot.worker.postMessage(message, transfer);
    });
  }

  /** Sends `state`'s graph and fresh shared buffers to every worker (once per graph). */
  private useGraph(state: TrainState): void {
    if (this.graph === state.graph) return;
    this.graph = state.graph;
    this.offsets = [];
    let total = 0;
    for (const v of state.list) {
      this.offsets.push(total);
      total += v.size;
    }
    const weightBuffer = new SharedArrayBuffer(4 * total);
    this.weights = new Float32Array(weightBuffer);
    this.grads = this.slots.map((slot) => {
      const gradBuffer = new SharedArrayBuffer(4 * total);
      const message: ToWorker = { type: 'graph', graph: state.graph, weights: weightBuffer, grads: gradBuffer };
      slot.worker.postMessage(message);
      return new Float32Array(gradBuffer);
    });
  }

  /**
   * Loss and gradients of `state`'s model at its current weights on `batch`, the batch mean, as the
   * single-threaded tf.variableGrads would give them (up to float summation order). The caller owns the tensors.
   */
  async gradients(
    state: TrainState,
    batch: Split,
    loss: LossConfig,
  ): Promise<{ loss: number; grads: tf.NamedTensorMap }> {
    if (this.failure) throw this.failure;
    this.useGraph(state);
    const t0 = performance.now();
    this.writeWeights(state);
    const t1 = performance.now();
    const sizes = shardSizes(batch.count, this.count);
    let at = 0;
    const answers = sizes.map((size, w) => {
      if (size === 0) return Promise.resolve(undefined);
      const shard = slice(batch, at, (at += size));
      const transfer = [
        shard.images.buffer,
        shard.labels.buffer,
        ...(shard.targets ? [shard.targets.buffer] : []),
        ...(shard.soft ? [shard.soft.buffer] : []),
      ];
      return this.request(this.slots[w]!, { type: 'grad', shard, loss }, transfer as ArrayBuffer[]);
    });
    const replies = await Promise.all(answers);
    const t2 = performance.now();
    let lossSum = 0;
    let slowest = 0;
    replies.forEach((r, w) => {
      if (r?.type !== 'grad') return;
      lossSum += sizes[w]! * r.loss;
      slowest = Math.max(slowest, r.ms);
    });
    const grads: tf.NamedTensorMap = {};
    state.list.forEach((v, i) => {
      const off = this.offsets[i]!;
      const out = new Float32Array(v.size);
      for (let j = 0; j < out.length; j++) {
        let s = 0;
        for (let w = 0; w < sizes.length; w++) if (sizes[w]! > 0) s += sizes[w]! * this.grads[w]![off + j]!;
        out[j] = s / batch.count;
      }
      grads[v.name] = tf.tensor(out, v.shape, 'float32');
    });
    this.times.steps++;
    this.times.writeMs += t1 - t0;
    this.times.waitMs += t2 - t1;
    this.times.computeMs += slowest;
    this.times.sumMs += performance.now() - t2;
    return { loss: lossSum / batch.count, grads };
  }

  private writeWeights(state: TrainState): void {
    state.list.forEach((v, i) => this.weights.set(v.dataSync() as Float32Array, this.offsets[i]!));
  }

  /**
   * The projection's layout search (joint_projection.ts) with each layer's candidates evaluated on the workers,
   * candidate k on worker k mod N, scored with `state`'s current weights: the same result as the search in this
   * thread (evaluateLayout is a pure function of what the workers are sent). `openable`: openableUnits of the
   * setup.
   */
  async searchLayout(
    state: TrainState,
    input: SearchInput,
    loss: LossConfig,
    openable: readonly number[],
  ): Promise<Layout> {
    this.startSearch(state, input, loss);
    return searchLayoutWith(input, openable, (candidates) => this.evaluateLayouts(candidates));
  }

  /** Sends every worker a search's input and `state`'s current weights (for the probe loss). */
  startSearch(state: TrainState, input: SearchInput, loss: LossConfig): void {
    if (this.failure) throw this.failure;
    this.useGraph(state);
    this.writeWeights(state);
    const start: ToWorker = { type: 'search', input, loss };
    for (const slot of this.slots) slot.worker.postMessage(start);
  }

  /** evaluateLayout of each candidate of the started search, candidate k on worker k mod N; in order. */
  async evaluateLayouts(candidates: LayoutCandidate[]): Promise<EvaluatedLayout[]> {
    const mine = this.slots.map((): number[] => []);
    candidates.forEach((_, k) => mine[k % this.count]!.push(k));
    const replies = await Promise.all(
      mine.map((ks, w) =>
        ks.length === 0
          ? Promise.resolve(undefined)
          : this.request(this.slots[w]!, { type: 'evaluate', candidates: ks.map((k) => candidates[k]!) }),
      ),
    );
    const out: EvaluatedLayout[] = new Array<EvaluatedLayout>(candidates.length);
    replies.forEach((r, w) => {
      if (r?.type === 'evaluate') r.results.forEach((result, m) => (out[mine[w]![m]!] = result));
    });
    return out;
  }

  /**
   * The model's outputs on the run's validation split (count × output values, sample-major, in order) under
   * `graph`, whose weights are its IR tensors; each worker runs its slice (`logits`: without an output softmax).
   */
  async validationOutputs(graph: Graph, logits: boolean): Promise<Float32Array> {
    if (this.failure) throw this.failure;
    const replies = await Promise.all(
      this.slots.map((slot, w) =>
        this.validationSizes[w] === 0
          ? Promise.resolve(undefined)
          : this.request(slot, { type: 'outputs', graph, logits }),
      ),
    );
    const parts = replies.map((r) => (r?.type === 'outputs' ? r.outputs : new Float32Array(0)));
    const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Ends every worker. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
