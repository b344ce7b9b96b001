// Per-op profile of a runtime-benchmark model (bench/runtime_ops.ts) from the command line, for kernel work:
//   node dist/bench/runtime_layers.js [--arch lenet5|lenet300] [--density 0.02] [--runs 400] [--model model.json]
//     [--wasm other.wasm ...]   (also time these runtime builds, exec compressed: before/after comparisons)
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { loadDataset } from '../compiler/data/index.js';
import { selectBackend } from '../compiler/engine/backend.js';
import { type BenchArch, benchVariants, findTrainedModel, loadBenchModel } from './runtime_models.js';
import { type OpEngine, opProfileTable } from './runtime_ops.js';

interface LayerOptions {
  arch: BenchArch;
  density: number;
  runs: number;
  model?: string;
  wasm: string[];
}

async function main(o: LayerOptions): Promise<void> {
  tf.env().set('PROD', true);
  await selectBackend('wasm');
  const model = await loadBenchModel(
    o.arch,
    o.model ?? findTrainedModel(o.arch, fileURLToPath(new URL('../../', import.meta.url))),
  );
  const variant = benchVariants(model, [o.density]).at(-1)!;
  const digits = (await loadDataset('mnist')).test.images;
  const engines: OpEngine[] = [
    { name: 'sqz compressed', exec: 'compressed' },
    { name: 'sqz dense', exec: 'dense' },
    ...o.wasm.map((file): OpEngine => ({
      name: path.basename(file),
      exec: 'compressed',
      wasm: new Uint8Array(readFileSync(file)),
    })),
  ];
  console.log(
    `${o.arch}, ${variant.label} (${model.source}), batch 1, µs median of ${o.runs} interleaved runs ` +
      '(bare run(): input written in place, no output copy)\n',
  );
  console.log(await opProfileTable(variant.graph, digits, engines, o.runs));
}

const opts = new Command()
  .option('--arch <name>', 'lenet5 | lenet300', 'lenet5')
  .option('--density <fraction>', 'kept fraction of the pruned variant (1 = the dense f32 model)', Number, 0.02)
  .option('--runs <n>', 'interleaved runs per case', Number, 400)
  .option('--model <model.json>', 'a trained model of --arch')
  .option('--wasm <files...>', 'other runtime builds to time (exec compressed)', [])
  .parse()
  .opts<LayerOptions>();
try {
  await main(opts);
} catch (error) {
  console.error(`runtime_layers: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
