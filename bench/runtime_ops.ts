// Per-op profile for the runtime benchmark: each op of a model exported as a one-op .sqz file, fed the activations
// it sees in the whole model (MNIST test digits), and timed at batch 1 on several sqz engines (exec mode, runtime
// build), interleaved. Shows where the time of a sqz forward pass goes.
import * as tf from '@tensorflow/tfjs-core';
import { exportModel } from '../compiler/export/index.js';
import { forwardAll } from '../compiler/ir/forward.js';
import type { Graph } from '../compiler/ir/graph.js';
import { SqzModel } from '../runtime/index.js';
import { markdownTable } from './runtime_report.js';
import { summarize, timeInterleaved, type TimedCase } from './runtime_timing.js';

/** One way to run the ops: a column of the profile. */
export interface OpEngine {
  name: string;
  exec: 'compressed' | 'dense' | 'auto';
  /** Runtime module bytes (default: build/, SIMD). */
  wasm?: Uint8Array;
}

/** The graph holding op `index` alone: its input value → its output value. */
export function singleOpGraph(graph: Graph, index: number): Graph {
  const op = graph.ops[index]!;
  if (op.inputs.length !== 1)
    throw new Error(`op profile: op '${op.name}' has ${op.inputs.length} inputs; only single-input ops are profiled`);
  return {
    values: [graph.values[op.inputs[0]!]!, graph.values[op.output]!],
    ops: [{ ...op, inputs: [0], output: 1 }],
    inputs: [0],
    outputs: [1],
  };
}

/** Every value of `graph` for one input sample, by value index (tfjs forward on the current backend). */
export function allActivations(graph: Graph, input: Float32Array): Map<number, Float32Array> {
  const outputs = graph.ops.map((op) => op.output);
  const inputShape = graph.values[graph.inputs[0]!]!.shape;
  const ys = tf.tidy(() =>
    forwardAll({ ...graph, outputs }, tf.tensor(input, [1, ...inputShape])).map((y) => y.dataSync() as Float32Array),
  );
  return new Map<number, Float32Array>([
    [graph.inputs[0]!, input],
    ...outputs.map((v, i): [number, Float32Array] => [v, ys[i]!]),
  ]);
}

function zeroFraction(x: Float32Array): number {
  let zeros = 0;
  for (let i = 0; i < x.length; i++) if (x[i] === 0) zeros++;
  return zeros / x.length;
}

/**
 * Times every op of `graph` alone at batch 1 on each engine: µs medians of `runs` interleaved rounds of bare
 * run() calls (input written in place, no output copy).
 * @param images sample-major inputs, `samples` of them are used in turn
 * @returns a markdown table: op, type, nonzeros, share of exact zeros in its input, one column per engine, sum row
 */
export async function opProfileTable(
  graph: Graph,
  images: Float32Array,
  engines: readonly OpEngine[],
  runs: number,
  samples = 8,
): Promise<string> {
  const sampleFloats = graph.values[graph.inputs[0]!]!.shape.reduce((a, b) => a * b, 1);
  const activations = Array.from({ length: samples }, (_, i) =>
    allActivations(graph, images.subarray(i * sampleFloats, (i + 1) * sampleFloats)),
  );
  const cases: TimedCase[] = [];
  const rows: string[][] = [];
  for (let i = 0; i < graph.ops.length; i++) {
    const op = graph.ops[i]!;
    const bytes = exportModel(singleOpGraph(graph, i), { weights: 'exact' });
    const inputs = activations.map((a) => a.get(op.inputs[0]!)!);
    for (const engine of engines) {
      const exports = (await SqzModel.load(bytes, { exec: engine.exec, wasm: engine.wasm })).wasmExports;
      const at = exports.inputPtr(0) >>> 0;
      let next = 0;
      cases.push({
        name: `${op.name}|${engine.name}`,
        run: () => {
          const x = inputs[next++ % inputs.length]!;
          new Float32Array(exports.memory.buffer, at, x.length).set(x);
          exports.run(1);
        },
      });
    }
    const nonzeros = op.kernel ? op.kernel.values.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0) : 0;
    rows.push([
      op.name,
      op.type,
      op.kernel ? `${nonzeros}/${op.kernel.values.length}` : '–',
      `${((100 * inputs.reduce((s, x) => s + zeroFraction(x), 0)) / inputs.length).toFixed(0)}%`,
    ]);
  }
  const medians = new Map([...timeInterleaved(cases, runs, 30)].map(([name, s]) => [name, summarize(s).median * 1000]));
  const table = rows.map((r) => [...r, ...engines.map((e) => medians.get(`${r[0]}|${e.name}`)!.toFixed(1))]);
  table.push([
    'sum',
    '',
    '',
    '',
    ...engines.map((e) => rows.reduce((s, r) => s + medians.get(`${r[0]}|${e.name}`)!, 0).toFixed(1)),
  ]);
  return markdownTable(['op', 'type', 'nonzeros', 'input zeros', ...engines.map((e) => `${e.name}, µs`)], table);
}
