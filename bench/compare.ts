// The method comparison (issue 4): from the same baseline checkpoint, each method is compressed to the same target,
// written by sqz's exporter, measured by the real file bytes on disk and by test accuracy in the wasm runtime.
// sqz joint results are taken from bench/out/compression.json (bench/compression.ts) rather than rerun.
// Results accumulate in bench/out/compare.json; BENCHMARKS.md's "compare" section and bench/results/compare-*.svg
// are rewritten from all results recorded so far.
//   node dist/bench/compare.js --quick                 (LeNet-300-100 on mnist at 100× and 300×)
//   node dist/bench/compare.js [--only NAMES] [--ratios 100,300,1000]   (full grid: hours)
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { CompressReport } from '../compiler/compress/report.js';
import { exportModel } from '../compiler/export/index.js';
import { importModelFromArtifacts, readModelArtifacts } from '../compiler/import/index.js';
import { affineUint8Files, dequantizedWeightData, weightsByName } from './compare/affine_uint8.js';
import { accuracyVsBytesSvg } from './compare/chart.js';
import { compareSetup, type CompareSetup } from './compare/context.js';
import { measureKernels, runtimeAccuracy, scoreFile } from './compare/measure.js';
import { deepCompression, quantOnly, sequential, uniformPruning8, type MethodResult } from './compare/methods.js';
import { publishedFigures, writeCompareSection, type CompareResult } from './compare/report.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = path.join(root, 'bench/out');
const DATA: Record<string, string> = {
  'mnist-lenet300': 'mnist', 'mnist-lenet5': 'mnist', 'fashion-mnist-lenet300': 'fashion-mnist', 'fashion-mnist-lenet5': 'fashion-mnist',
};

const program = new Command()
  .option('--quick', 'reduced grid: mnist-lenet300 on mnist at 100× and 300×')
  .option('--only <names>', `comma-separated subset of ${Object.keys(DATA).join(', ')}`)
  .option('--ratios <list>', 'comma-separated target ratios', '100,300,1000')
  .option('--finetune-epochs <n>', "fine-tune epochs per fine-tune (default: sqz's own for the dataset)")
  .option('--report-only', 'rewrite BENCHMARKS.md and the charts from bench/out/compare.json');
const opts = program.parse().opts<{ quick?: boolean; only?: string; ratios: string; finetuneEpochs?: string; reportOnly?: boolean }>();
const quick = opts.quick === true;
const names = opts.only ? opts.only.split(',') : quick ? ['mnist-lenet300'] : Object.keys(DATA);
const ratios = (quick && opts.ratios === '100,300,1000' ? '100,300' : opts.ratios).split(',').map(Number);
const finetuneEpochs = opts.finetuneEpochs !== undefined ? Number(opts.finetuneEpochs) : undefined;
const grid = quick ? 'quick' : 'full';
const command = `node dist/bench/compare.js ${process.argv.slice(2).join(' ')}`.trim();

async function loadJson<T>(file: string, fallback: T): Promise<T> {
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as T) : fallback;
}

let results = await loadJson<CompareResult[]>(path.join(out, 'compare.json'), []);
async function record(r: CompareResult): Promise<void> {
  results = results.filter((x) => !(x.name === r.name && x.method === r.method && x.ratio === r.ratio && x.grid === r.grid));
  results.push(r);
  await writeFile(path.join(out, 'compare.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(`${r.name} ${r.method} ${r.ratio ?? '-'}: ${r.bytes} B, ${(100 * r.testAccuracy).toFixed(2)}% (${r.wallSeconds.toFixed(0)} s)\n`);
}

async function runMethod(
  s: CompareSetup, name: string, method: string, ratio: number | null, target: number | null, run: (ctx: ReturnType<CompareSetup['context']>) => MethodResult | undefined,
): Promise<void> {
  const started = performance.now();
  const ctx = s.context({ finetuneEpochs });
  try {
    const r = run(ctx);
    if (!r) { process.stderr.write(`${name} ${method} ${ratio}: no setting fits ${target} bytes\n`); return; }
    const measure = measureKernels(ctx, r.kernels, r.biases);
    const file = path.join(out, 'compare', `${name}-${method.replace(/[^a-z0-9]+/gi, '-')}${ratio ? `-${ratio}x` : ''}.sqz`);
    const scored = await scoreFile(ctx, measure, file);
    await record({ name, data: DATA[name]!, grid, ratio, targetBytes: target, method, bytes: scored.bytes,
      fileRatio: s.fp32WeightBytes / scored.bytes, paperRatio: scored.paperRatio, testAccuracy: scored.testAccuracy,
      testSamples: ctx.data.test.count, wallSeconds: (performance.now() - started) / 1000, note: r.note,
      bits: scored.bits, density: scored.density, finetuneEpochs: ctx.hyper.finetuneEpochs, overTarget: target !== null && scored.bytes > target, command });
  } finally {
    ctx.state.dispose();
  }
}

async function tfjsUint8(s: CompareSetup, name: string, modelJson: string): Promise<void> {
  const started = performance.now();
  const artifacts = await readModelArtifacts(modelJson);
  const specs = artifacts.weightSpecs ?? [];
  const data = artifacts.weightData as ArrayBuffer;
  const files = affineUint8Files(await readFile(modelJson, 'utf8'), weightsByName(specs, data));
  const bytes = Buffer.byteLength(files.modelJson) + files.shardBytes;
  const graph = await importModelFromArtifacts({ ...artifacts, weightData: dequantizedWeightData(specs, data) }, modelJson);
  const ctx = s.context();
  const accuracy = await runtimeAccuracy(exportModel(graph, { weights: 'f32' }), ctx);
  ctx.state.dispose();
  const n = specs.reduce((t, w) => t + w.shape.reduce((a, b) => a * b, 1), 0);
  await record({ name, data: DATA[name]!, grid, ratio: null, targetBytes: null, method: 'tfjs affine uint8', bytes,
    fileRatio: s.fp32WeightBytes / bytes, paperRatio: 32 / 8, testAccuracy: accuracy, testSamples: ctx.data.test.count,
    wallSeconds: (performance.now() - started) / 1000, note: `model.json ${Buffer.byteLength(files.modelJson)} B + shard ${files.shardBytes} B (${n} weights incl. biases)`,
    bits: [], density: [], finetuneEpochs: 0, overTarget: false, command });
}

async function sqzJoint(name: string, ratio: number): Promise<void> {
  type Row = { name: string; ratio: number; command: string; wallSeconds: number; report: CompressReport };
  const rows = await loadJson<Row[]>(path.join(out, 'compression.json'), []);
  const row = rows.find((r) => r.name === name && r.ratio === ratio);
  if (!row) { process.stderr.write(`${name} at ${ratio}×: no sqz joint result in compression.json (run bench/compression.ts)\n`); return; }
  const rep = row.report;
  await record({ name, data: DATA[name]!, grid, ratio, targetBytes: rep.targetBytes, method: 'sqz joint', bytes: rep.fileBytes,
    fileRatio: rep.fileRatio, paperRatio: rep.paperRatio, testAccuracy: rep.accuracy.runtime ?? rep.accuracy.after,
    testSamples: rep.samples.test, wallSeconds: row.wallSeconds, note: `from compression.json, ${rep.hyper.epochs} ADMM + ${rep.hyper.finetuneEpochs} fine-tune epochs (defaults, not reduced)`,
    bits: rep.layers.map((l) => l.bits), density: rep.layers.map((l) => l.density), finetuneEpochs: rep.hyper.finetuneEpochs,
    overTarget: rep.fileBytes > rep.targetBytes, command: row.command });
}

if (!opts.reportOnly) {
  await mkdir(path.join(out, 'compare'), { recursive: true });
  for (const name of names) {
    if (!DATA[name]) throw new Error(`unknown case '${name}'`);
    const modelJson = path.join(out, 'models', name, 'model.json');
    const s = await compareSetup({ model: modelJson, data: DATA[name]! });
    await tfjsUint8(s, name, modelJson);
    for (const bits of [8, 4, 2]) await runMethod(s, name, `dense ${bits}-bit k-means`, null, null, (ctx) => quantOnly(ctx, bits));
    for (const ratio of ratios) {
      const target = Math.floor(s.fp32WeightBytes / ratio);
      await sqzJoint(name, ratio);
      await runMethod(s, name, 'uniform prune + 8-bit', ratio, target, (ctx) => uniformPruning8(ctx, target));
      await runMethod(s, name, 'Deep Compression', ratio, target, (ctx) => deepCompression(ctx, target));
      await runMethod(s, name, 'sequential sparsify → bits', ratio, target, (ctx) => sequential(ctx, target));
    }
  }
}
await writeCompareSection(root, results, publishedFigures, accuracyVsBytesSvg);
