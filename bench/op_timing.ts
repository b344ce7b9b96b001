// One op of a runtime-benchmark model alone, on several runtime builds side by side, at a given batch: for
// before/after comparisons of a kernel change (e.g. the builds of two commits, each `npm run build:wasm` in a clone).
// Each round visits every build in a fresh random order and times a block of runs (bare run(): the op's real input,
// from 8 batches of MNIST test digits in turn, written in place); a block of a few runs of a µs-scale op is less exposed to the timer and to
// preemption than one run. Prints the median and p10 of the rounds, in µs per run.
//   node dist/bench/op_timing.js --op fc1 [--arch lenet5] [--density 0.02] [--batch 1] [--exec compressed]
//     [--rounds 2000] [--block 4] NAME=runtime.wasm ...
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { loadDataset } from '../compiler/data/index.js';
import { selectBackend } from '../compiler/engine/backend.js';
import { exportModel } from '../compiler/export/index.js';
import { SqzModel } from '../runtime/index.js';
import { type BenchArch, benchVariants, findTrainedModel, loadBenchModel } from './runtime_models.js';
import { allActivations, singleOpGraph } from './runtime_ops.js';
import { quantile } from './runtime_timing.js';

/** Different inputs taken in turn. */
const INPUTS = 8;

interface TimingOptions {
  op: string;
  arch: BenchArch;
  density: number;
  batch: number;
  exec: 'auto' | 'dense' | 'compressed';
  rounds: number;
  block: number;
  model?: string;
}

async function main(o: TimingOptions, builds: string[]): Promise<void> {
  if (builds.length === 0) throw new Error('name at least one build: NAME=runtime.wasm');
  tf.env().set('PROD', true);
  await selectBackend('wasm');
  const model = await loadBenchModel(
    o.arch,
    o.model ?? findTrainedModel(o.arch, fileURLToPath(new URL('../../', import.meta.url))),
  );
  const variant = benchVariants(model, [o.density]).at(-1)!;
  const graph = variant.graph;
  const index = graph.ops.findIndex((op) => op.name === o.op);
  if (index < 0) throw new Error(`no op '${o.op}' in ${o.arch} (ops: ${graph.ops.map((op) => op.name).join(', ')})`);
  const bytes = exportModel(singleOpGraph(graph, index), { weights: 'exact' });
  const images = (await loadDataset('mnist')).test.images;
  const floats = graph.values[graph.inputs[0]!]!.shape.reduce((a, b) => a * b, 1);
  const opInput = graph.ops[index]!.inputs[0]!;
  // INPUTS batches of o.batch samples, taken in turn: each sample the op's input for a different digit.
  const per = graph.values[opInput]!.shape.reduce((a, b) => a * b, 1);
  const inputs = Array.from({ length: INPUTS }, (_, i) => {
    const input = new Float32Array(o.batch * per);
    for (let b = 0; b < o.batch; b++) {
      const digit = i * o.batch + b;
      input.set(allActivations(graph, images.subarray(digit * floats, (digit + 1) * floats)).get(opInput)!, b * per);
    }
    return input;
  });
  const cases = [];
  for (const spec of builds) {
    const [name, file] = spec.split('=');
    if (name === undefined || file === undefined) throw new Error(`expected NAME=runtime.wasm, got ${spec}`);
    const exports = (await SqzModel.load(bytes, { exec: o.exec, wasm: new Uint8Array(readFileSync(file)) }))
      .wasmExports;
    if (o.batch > 1 && exports.plan(o.batch) !== 0) throw new Error(`${name}: plan(${o.batch}) failed`);
    const at = exports.inputPtr(0) >>> 0;
    let next = 0;
    const runBlock = (): void => {
      for (let r = 0; r < o.block; r++) {
        const input = inputs[next++ % INPUTS]!;
        new Float32Array(exports.memory.buffer, at, input.length).set(input);
        exports.run(o.batch);
      }
    };
    cases.push({ name, runBlock, samples: [] as number[] });
  }
  for (const c of cases) for (let w = 0; w < 20; w++) c.runBlock();
  for (let round = 0; round < o.rounds; round++) {
    for (const c of [...cases].sort(() => Math.random() - 0.5)) {
      c.runBlock(); // warms the caches the previous build used
      const started = performance.now();
      c.runBlock();
      c.samples.push(((performance.now() - started) * 1000) / o.block);
    }
  }
  console.log(
    `${o.arch} ${o.op} (${variant.label}, ${model.source}), exec ${o.exec}, batch ${o.batch}: µs per run, ` +
      `median (p10) of ${o.rounds} rounds of ${o.block} runs`,
  );
  for (const c of cases) {
    const sorted = [...c.samples].sort((a, b) => a - b);
    console.log(`  ${c.name}: ${quantile(sorted, 0.5).toFixed(2)} (${quantile(sorted, 0.1).toFixed(2)})`);
  }
}

const program = new Command()
  .requiredOption('--op <name>', 'the op to time (e.g. fc1, conv2)')
  .option('--arch <name>', 'lenet5 | lenet300', 'lenet5')
  .option('--density <fraction>', 'kept fraction of the pruned variant (1 = the dense f32 model)', Number, 0.02)
  .option('--batch <n>', 'samples per run', Number, 1)
  .option('--exec <mode>', 'auto | dense | compressed', 'compressed')
  .option('--rounds <n>', 'rounds', Number, 2000)
  .option('--block <n>', 'runs timed together per round', Number, 4)
  .option('--model <model.json>', 'a trained model of --arch')
  .argument('<builds...>', 'NAME=runtime.wasm for each build to time')
  .parse();
try {
  await main(program.opts<TimingOptions>(), program.args);
} catch (error) {
  console.error(`op_timing: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
