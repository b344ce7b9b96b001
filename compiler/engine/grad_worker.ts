// One data-parallel training worker (worker_pool.ts starts N of them with `--workers N`). It owns a tfjs backend
// of its own (the one the main thread chose) and a copy of the graph's variables. Per training step it:
//   1. copies the current weights from the shared weights buffer (the main thread wrote them there),
//   2. computes the loss and the gradients of its shard of the batch (the batch mean over the shard),
//   3. writes the gradients into its own shared gradient buffer and answers with the shard's mean loss.
// The loss is the run's task's (sgd.ts lossOf): cross-entropy (with the teacher term when the shard carries soft
// targets) for classification, MSE against the shard's targets or its own inputs for regression and
// reconstruction. It also runs its fixed slice of the validation split forward for model selection (the main
// thread computes the task's metric on the whole split), and evaluates candidates of the
// projection's layout search (the probe-batch loss with the main thread's weights). It never updates weights: the
// main thread sums the shards in worker order and applies the same update as a single-threaded run.
import '../quiet_tfjs.js'; // first: before any module can run tfjs
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { Split } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { arrayParams, batchTensors, disposeBatch, lossOf, predictOutputs, type LossConfig } from '../compress/sgd.js';
import { evaluateLayout, type LayoutCandidate, type SearchInput } from '../compress/joint_projection.js';
import { compressibleLayers, type CompressibleLayer } from '../compress/layers.js';
import { probeScorer } from '../compress/probe_score.js';
import { assignArray, TrainState } from '../compress/train_state.js';
import { faultPoint } from '../util/fault.js';
import { selectBackend, type BackendChoice } from './backend.js';
import type { ToMain, ToWorker, WorkerInit } from './worker_protocol.js';

const init = workerData as WorkerInit;
const port = parentPort!;

let state: TrainState | undefined;
let weights: Float32Array | undefined;
let grads: Float32Array | undefined;
let offsets: number[] = [];
let validation: Split | undefined;
let layers: CompressibleLayer[] = [];
let search: { input: SearchInput; scorer: ReturnType<typeof probeScorer> } | undefined;

function send(message: ToMain): void {
  port.postMessage(message);
}

function setGraph(graph: Graph, weightBuffer: SharedArrayBuffer, gradBuffer: SharedArrayBuffer): void {
  endSearch();
  state?.dispose();
  state = new TrainState(graph);
  layers = compressibleLayers(graph);
  weights = new Float32Array(weightBuffer);
  grads = new Float32Array(gradBuffer);
  offsets = [];
  let at = 0;
  for (const v of state.list) {
    offsets.push(at);
    at += v.size;
  }
  if (at !== weights.length || at !== grads.length) {
    throw new Error(`grad_worker: the graph has ${at} weights, the shared buffers ${weights.length}/${grads.length}`);
  }
}

/** Copies the weights the main thread wrote into the shared buffer into this worker's variables. */
function readWeights(): void {
  state!.list.forEach((v, i) => assignArray(v, weights!.subarray(offsets[i]!, offsets[i]! + v.size)));
}

function endSearch(): void {
  search?.scorer.dispose();
  search = undefined;
}

/** Mean loss of the shard and its gradients (batch mean over the shard), written into the gradient buffer. */
function gradients(shard: Split, loss: LossConfig): number {
  const s = state!;
  readWeights();
  const tensors = batchTensors(shard, init.inputShape, init.task);
  try {
    const { value, grads: g } = tf.variableGrads(() => lossOf(s.graph, s.params, tensors, loss), s.list);
    s.list.forEach((v, i) => grads!.set(g[v.name]!.dataSync() as Float32Array, offsets[i]!));
    const result = value.dataSync()[0]!;
    value.dispose();
    tf.dispose(g);
    return result;
  } finally {
    disposeBatch(tensors);
  }
}

/** The model's outputs on this worker's validation slice (`logits`: without an output softmax). */
function outputs(graph: Graph, logits: boolean): Float32Array {
  const p = arrayParams(graph, new Map(), new Map());
  try {
    return predictOutputs(graph, p.params, validation!, init.inputShape, logits);
  } finally {
    p.dispose();
  }
}

/** A search starts: this worker's weights become the main thread's (the scorer reads the biases from them). */
function startSearch(input: SearchInput, loss: LossConfig): void {
  endSearch();
  readWeights();
  search = { input, scorer: probeScorer(state!, layers, init.probe, init.inputShape, init.task, loss) };
}

function evaluate(candidates: LayoutCandidate[]) {
  const { input, scorer } = search!;
  return candidates.map((c) => evaluateLayout({ graph: state!.graph, layers }, input, c, scorer.score));
}

async function main(): Promise<void> {
  await selectBackend(init.backend as BackendChoice);
  validation = init.validation;
  const last = init.index === init.count - 1;
  port.on('message', (message: ToWorker) => {
    let reply: ToMain;
    try {
      switch (message.type) {
        case 'graph':
          setGraph(message.graph, message.weights, message.grads);
          return;
        case 'grad': {
          const started = performance.now();
          const loss = gradients(message.shard, message.loss);
          reply = { type: 'grad', loss, ms: performance.now() - started };
          break;
        }
        case 'outputs':
          reply = { type: 'outputs', outputs: outputs(message.graph, message.logits) };
          break;
        case 'search':
          startSearch(message.input, message.loss);
          return;
        case 'evaluate':
          reply = { type: 'evaluate', results: evaluate(message.candidates) };
          break;
      }
    } catch (err) {
      send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      return;
    }
    // Fault injection (SQZ_FAULT=crash|oom:worker-step:N) fires in the last worker only, outside the try above, so a
    // crash is an uncaught exception of the thread, as a bug would be.
    if (message.type === 'grad' && last) faultPoint('worker-step');
    send(reply);
  });
  send({ type: 'ready' });
}

await main();
