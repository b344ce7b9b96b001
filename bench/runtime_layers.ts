// Per-op profile of the runtime benchmark's models: each op of a variant exported as a one-op .sqz file, fed the
// activations it sees in the whole model (MNIST test digits), and timed at batch 1 with sqz compressed and dense
// exec, interleaved. Shows where the time of a sqz forward pass goes (a tool for kernel work; not in BENCHMARKS.md).
//   node dist/bench/runtime_layers.js [--arch lenet5|lenet300] [--density 0.02] [--runs 400] [--model model.json]
//     [--wasm other.wasm ...]   (also time these runtime builds, exec compressed: before/after comparisons)
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { loadDataset } from '../compiler/data/index.js';
import { selectBackend } from '../compiler/engine/backend.js';
import { exportModel } from '../compiler/export/index.js';
import { forwardAll } from '../compiler/ir/forward.js';
import type { Graph } from '../compiler/ir/graph.js';
import { SqzModel } from '../runtime/index.js';
import { type BenchArch, benchVariants, findTrainedModel, loadBenchModel } from './runtime_models.js';
import { markdownTable } from './runtime_report.js';
import { timeInterleaved, type TimedCase } from './runtime_timing.js';

/** The graph holding op `index` alone: its input value → its output value. */
function singleOpGraph(graph: Graph, index: number): Graph {
  const op = graph.ops[index]!;
  if (op.inputs.length !== 1) throw new Error(`runtime_layers: op '${op.name}' has ${op.inputs.length} inputs; only single-input ops are profiled`);
  return {
    values: [graph.values[op.inputs[0]!]!, graph.values[op.output]!],
    ops: [{ ...op, inputs: [0], output: 1 }],
    inputs: [0],
    outputs: [1],
  };
}

/** Every value of `graph` for one input sample, by value index. */
function allActivations(graph: Graph, input: Float32Array): Map<number, Float32Array> {
  const outputs = graph.ops.map((op) => op.output);
  const all = { ...graph, outputs };
  const inputShape = graph.values[graph.inputs[0]!]!.shape;
  const ys = tf.tidy(() => forwardAll(all, tf.tensor(input, [1, ...inputShape])).map((y) => y.dataSync() as Float32Array));
  return new Map<number, Float32Array>([[graph.inputs[0]!, input], ...outputs.map((v, i): [number, Float32Array] => [v, ys[i]!])]);
}

function zeroFraction(x: Float32Array): number {
  let zeros = 0;
  for (let i = 0; i < x.length; i++) if (x[i] === 0) zeros++;
  return zeros / x.length;
}

interface LayerOptions { arch: BenchArch; density: number; runs: number; model?: string; wasm: string[] }

async function main(o: LayerOptions): Promise<void> {
  tf.env().set('PROD', true);
  await selectBackend('wasm');
  const model = await loadBenchModel(o.arch, o.model ?? findTrainedModel(o.arch, fileURLToPath(new URL('../../', import.meta.url))));
  const variant = benchVariants(model, [o.density]).at(-1)!;
  const graph = variant.graph;
  const digits = (await loadDataset('mnist')).test.images;
  const sampleFloats = digits.length / 1670;
  const others = o.wasm.map((file): [string, Uint8Array] => [path.basename(file), new Uint8Array(readFileSync(file))]);
  const samples = Array.from({ length: 8 }, (_, i) => allActivations(graph, digits.subarray(i * sampleFloats, (i + 1) * sampleFloats)));
  const cases: TimedCase[] = [];
  const rows: string[][] = [];
  for (let i = 0; i < graph.ops.length; i++) {
    const op = graph.ops[i]!;
    const sub = singleOpGraph(graph, i);
    const bytes = exportModel(sub, { weights: 'exact' });
    const inputs = samples.map((s) => s.get(op.inputs[0]!)!);
    const add = (engine: string, predict: (x: Float32Array) => void): void => {
      let next = 0;
      cases.push({ name: `${op.name}|${engine}`, run: () => predict(inputs[next++ % inputs.length]!) });
    };
    const engines: [string, 'compressed' | 'dense', Uint8Array | undefined][] = [
      ['sqz compressed', 'compressed', undefined], ['sqz dense', 'dense', undefined],
      ...others.map(([name, wasm]): [string, 'compressed', Uint8Array] => [name, 'compressed', wasm])];
    for (const [engine, exec, wasm] of engines) {
      const sqz = await SqzModel.load(bytes, { exec, wasm });
      const exports = sqz.wasmExports;
      const at = exports.inputPtr(0) >>> 0;
      // The bare run: input written straight into the instance, no output copy (host overhead excluded).
      add(engine, (x) => { new Float32Array(exports.memory.buffer, at, x.length).set(x); exports.run(1); });
    }
    const nonzeros = op.kernel ? op.kernel.values.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0) : 0;
    rows.push([op.name, op.type, op.kernel ? `${nonzeros}/${op.kernel.values.length}` : '–',
      `${(100 * inputs.reduce((s, x) => s + zeroFraction(x), 0) / inputs.length).toFixed(0)}%`]);
  }
  const stats = timeInterleaved(cases, o.runs, 30);
  const us = (name: string): string => `${(1000 * stats.get(name)!.median).toFixed(1)}`;
  const engineNames = ['sqz compressed', 'sqz dense', ...others.map(([name]) => name)];
  const table = rows.map((r) => [...r, ...engineNames.map((e) => us(`${r[0]}|${e}`))]);
  const total = (engine: string): string => `${(1000 * rows.reduce((s, r) => s + stats.get(`${r[0]}|${engine}`)!.median, 0)).toFixed(1)}`;
  table.push(['sum', '', '', '', ...engineNames.map(total)]);
  console.log(`${o.arch}, ${variant.label} (${model.source}), batch 1, µs median of ${o.runs} interleaved runs ` +
    '(bare run(): input written in place, no output copy)\n');
  console.log(markdownTable(['op', 'type', 'nonzeros', 'input zeros', ...engineNames], table));
}

const opts = new Command()
  .option('--arch <name>', 'lenet5 | lenet300', 'lenet5')
  .option('--density <fraction>', 'kept fraction of the pruned variant (1 = the dense f32 model)', Number, 0.02)
  .option('--runs <n>', 'interleaved runs per case', Number, 400)
  .option('--model <model.json>', 'a trained model of --arch')
  .option('--wasm <files...>', 'other runtime builds to time (exec compressed)', [])
  .parse().opts<LayerOptions>();
await main(opts);
