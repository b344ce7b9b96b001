// The method comparison (issue 4): from the same baseline checkpoint, each method is compressed to the same target,
// written by sqz's exporter, measured by the real file bytes on disk and by test accuracy in the wasm runtime.
// sqz joint at seed 1 is taken from bench/results/compression.json (bench/compression.ts) when that run is there;
// otherwise, and for other seeds, `sqz compress --seed S` runs here with the same defaults.
// Results accumulate in bench/results/compare.json (committed, so a fresh clone can rewrite the report with
// --report-only); BENCHMARKS.md's "compare" section and bench/results/compare-*.svg are rewritten from all of them.
//   node dist/bench/compare.js --quick                 (LeNet-300-100 on mnist at 100× and 300×)
//   node dist/bench/compare.js [--only NAMES] [--ratios 100,300,1000]   (full grid: hours)
//   node dist/bench/compare.js --quick --equal-epochs --seeds 1,2,3        (baselines trained as long as joint; noise)
//   ... --resume [--methods 'sqz joint,Deep Compression']   (continue an interrupted grid; a subset of methods)
//   node dist/bench/compare.js --quick --methods 'small model from scratch,small model + distillation'   (the frontier)
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { CompressReport } from '../compiler/compress/report.js';
import { exportModel } from '../compiler/export/index.js';
import { writeFileAtomic } from '../compiler/util/atomic_write.js';
import { importModelFromArtifacts, readModelArtifacts } from '../compiler/import/index.js';
import { affineUint8Files, dequantizedWeightData, weightsByName } from './compare/affine_uint8.js';
import { accuracyVsBytesSvg } from './compare/chart.js';
import { compareSetup, type CompareSetup } from './compare/context.js';
import { measureKernels, runtimeAccuracy, scoreFile } from './compare/measure.js';
import { deepCompression, quantOnly, sequential, uniformPruning8, type MethodResult } from './compare/methods.js';
import { analysis } from './compare/analysis.js';
import { publishedFigures, writeCompareSection, type CompareResult } from './compare/report.js';
import { runNode } from './spawn_node.js';
import { BASELINE_CASES, ensureBaseline } from './baselines/ensure.js';
import { DEFAULT_DISTILLATION, type Distillation } from './baselines/distill.js';
import { SMALL_DISTILLED, SMALL_FROM_SCRATCH } from './compare/frontier_methods.js';
import { runSmallModel, smallModelResult } from './compare/small_model.js';
import { chooseWidths, DEFAULT_CANDIDATES, widthsKey, type SmallArch } from './compare/small_widths.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = path.join(root, 'bench/out');
const DATA: Record<string, string> = Object.fromEntries(
  Object.entries(BASELINE_CASES).map(([name, c]) => [name, c.data]),
);

const program = new Command()
  .option('--quick', 'reduced grid: mnist-lenet300 on mnist at 100× and 300×')
  .option('--only <names>', `comma-separated subset of ${Object.keys(DATA).join(', ')}`)
  .option('--ratios <list>', 'comma-separated target ratios', '100,300,1000')
  .option('--finetune-epochs <n>', "fine-tune epochs per fine-tune (default: sqz's own for the dataset)")
  .option('--equal-epochs', 'train every baseline for as many epochs as sqz joint (its ADMM + fine-tune epochs)')
  .option(
    '--seeds <list>',
    'comma-separated seeds (sqz joint reruns `sqz compress --seed S` for seeds other than 1)',
    '1',
  )
  .option('--methods <list>', 'comma-separated subset of the methods by name (default: all)')
  .option(
    '--resume',
    'skip the runs already recorded in bench/results/compare.json, and reuse a finished sqz joint run whose result was not recorded (an interrupted grid continues)',
  )
  .option(
    '--small-candidates <n>',
    'small-model methods: widths tried per target (those whose fp32 bytes are nearest 5.7× the target)',
    String(DEFAULT_CANDIDATES),
  )
  .option(
    '--small-widths <list>',
    "small-model methods: the widths to try at every target instead of the grid's nearest, as widths keys joined by commas (e.g. 7-18,3-6-63)",
  )
  .option(
    '--distill-alpha <x>',
    'small model + distillation: weight of the teacher term, in training and in sqz compress',
    String(DEFAULT_DISTILLATION.alpha),
  )
  .option(
    '--temperature <T>',
    'small model + distillation: softmax temperature, in training and in sqz compress',
    String(DEFAULT_DISTILLATION.temperature),
  )
  .option('--report-only', 'rewrite BENCHMARKS.md and the charts from bench/results/compare.json');
const opts = program.parse().opts<{
  quick?: boolean;
  only?: string;
  ratios: string;
  finetuneEpochs?: string;
  equalEpochs?: boolean;
  seeds: string;
  resume?: boolean;
  reportOnly?: boolean;
  methods?: string;
  smallCandidates: string;
  smallWidths?: string;
  distillAlpha: string;
  temperature: string;
}>();
const methods = opts.methods?.split(',').map((m) => m.trim());
const quick = opts.quick === true;
const names = opts.only ? opts.only.split(',') : quick ? ['mnist-lenet300'] : Object.keys(DATA);
const ratios = (quick && opts.ratios === '100,300,1000' ? '100,300' : opts.ratios).split(',').map(Number);
const finetuneEpochs = opts.finetuneEpochs !== undefined ? Number(opts.finetuneEpochs) : undefined;
const equalEpochs = opts.equalEpochs === true;
const seeds = opts.seeds.split(',').map(Number);
const smallCandidates = Number(opts.smallCandidates);
const smallWidths = opts.smallWidths?.split(',').map((key) => {
  const widths = key.split('-').map(Number);
  if (!widths.every((w) => Number.isInteger(w) && w >= 1))
    throw new Error(`--small-widths: "${key}" is not a widths key such as 7-18 (positive whole widths joined by -)`);
  return widths;
});
const distillation: Distillation = { alpha: Number(opts.distillAlpha), temperature: Number(opts.temperature) };
const grid = `${quick ? 'quick' : 'full'}${equalEpochs ? ', equal epochs' : ''}`;
// Arguments with spaces or shell characters (method names) quoted, so the recorded command can be pasted.
const command = `node dist/bench/compare.js ${process.argv
  .slice(2)
  .map((a) => (/^[\w.,/=:@+-]*$/.test(a) ? a : `'${a}'`))
  .join(' ')}`.trim();

async function loadJson<T>(file: string, fallback: T): Promise<T> {
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as T) : fallback;
}

const resultsFile = path.join(root, 'bench/results/compare.json');
const sameRun = (a: { name: string; method: string; ratio: number | null; seed?: number }, b: typeof a) =>
  a.name === b.name && a.method === b.method && a.ratio === b.ratio && (a.seed ?? 1) === (b.seed ?? 1);
let results = await loadJson<CompareResult[]>(resultsFile, []);
/** A run this invocation leaves out: not among --methods, or already recorded when resuming. */
const skip = (run: { name: string; method: string; ratio: number | null; seed?: number }) =>
  (methods !== undefined && !methods.includes(run.method)) ||
  (opts.resume === true && results.some((x) => x.grid === grid && sameRun(x, run)));

// Re-read before writing: two grids (say full and equal-epochs) may run side by side and share the file.
async function record(r: CompareResult): Promise<void> {
  results = (await loadJson<CompareResult[]>(resultsFile, [])).filter((x) => !(x.grid === r.grid && sameRun(x, r)));
  results.push(r);
  await writeFileAtomic(resultsFile, Buffer.from(`${JSON.stringify(results, null, 2)}\n`));
  process.stderr.write(
    `${r.name} seed ${r.seed ?? 1} ${r.method} ${r.ratio ?? '-'}: ${r.bytes} B, ${(100 * r.testAccuracy).toFixed(2)}% (${r.wallSeconds.toFixed(0)} s)\n`,
  );
}

async function runMethod(
  s: CompareSetup,
  name: string,
  method: string,
  ratio: number | null,
  target: number | null,
  run: (ctx: ReturnType<CompareSetup['context']>) => Promise<MethodResult | undefined>,
  seed = 1,
): Promise<void> {
  if (skip({ name, method, ratio, seed })) return;
  const started = performance.now();
  const ctx = s.context({ finetuneEpochs });
  // --equal-epochs: as many epochs as sqz joint trains (ADMM + fine-tune). Deep Compression splits them itself.
  const trainedEpochs = ctx.hyper.epochs + ctx.hyper.finetuneEpochs;
  if (equalEpochs && method !== 'Deep Compression') ctx.hyper.finetuneEpochs = trainedEpochs;
  try {
    const r = await run(ctx);
    if (!r) {
      process.stderr.write(`${name} ${method} ${ratio}: no setting fits ${target} bytes\n`);
      return;
    }
    const measure = measureKernels(ctx, r.kernels, r.biases);
    const file = path.join(
      out,
      'compare',
      `${name}-${method.replace(/[^a-z0-9]+/gi, '-')}${ratio ? `-${ratio}x` : ''}-seed${seed}.sqz`,
    );
    const scored = await scoreFile(ctx, measure, file);
    await record({
      name,
      data: DATA[name]!,
      grid,
      ratio,
      targetBytes: target,
      method,
      bytes: scored.bytes,
      fileRatio: s.fp32WeightBytes / scored.bytes,
      paperRatio: scored.paperRatio,
      testAccuracy: scored.testAccuracy,
      testSamples: ctx.data.test.count,
      wallSeconds: (performance.now() - started) / 1000,
      note: r.note,
      bits: scored.bits,
      density: scored.density,
      overTarget: target !== null && scored.bytes > target,
      command,
      seed,
      finetuneEpochs: equalEpochs && method === 'Deep Compression' ? trainedEpochs : ctx.hyper.finetuneEpochs,
    });
  } finally {
    ctx.state.dispose();
  }
}

async function tfjsUint8(s: CompareSetup, name: string, modelJson: string): Promise<void> {
  if (skip({ name, method: 'tfjs affine uint8', ratio: null })) return;
  const started = performance.now();
  const artifacts = await readModelArtifacts(modelJson);
  const specs = artifacts.weightSpecs ?? [];
  const data = artifacts.weightData as ArrayBuffer;
  const files = affineUint8Files(await readFile(modelJson, 'utf8'), weightsByName(specs, data));
  const bytes = Buffer.byteLength(files.modelJson) + files.shardBytes;
  const graph = await importModelFromArtifacts(
    { ...artifacts, weightData: dequantizedWeightData(specs, data) },
    modelJson,
  );
  const ctx = s.context();
  const accuracy = await runtimeAccuracy(exportModel(graph, { weights: 'f32' }), ctx);
  ctx.state.dispose();
  const n = specs.reduce((t, w) => t + w.shape.reduce((a, b) => a * b, 1), 0);
  await record({
    name,
    data: DATA[name]!,
    grid,
    ratio: null,
    targetBytes: null,
    method: 'tfjs affine uint8',
    bytes,
    fileRatio: s.fp32WeightBytes / bytes,
    paperRatio: 32 / 8,
    testAccuracy: accuracy,
    testSamples: ctx.data.test.count,
    wallSeconds: (performance.now() - started) / 1000,
    note: `model.json ${Buffer.byteLength(files.modelJson)} B + shard ${files.shardBytes} B (${n} weights incl. biases)`,
    bits: [],
    density: [],
    finetuneEpochs: 0,
    overTarget: false,
    command,
  });
}

type JointRow = {
  name: string;
  ratio: number;
  command: string;
  wallSeconds: number;
  report: CompressReport;
  fromCompressionJson?: boolean;
};

/**
 * sqz joint at `ratio`: seed 1 is bench/compression.ts's run (bench/results/compression.json) when recorded there;
 * otherwise `sqz compress --seed S` runs here with the same defaults (the seed also draws the validation split).
 */
async function jointRow(name: string, modelJson: string, ratio: number, seed: number): Promise<JointRow> {
  if (seed === 1) {
    const rows = await loadJson<JointRow[]>(path.join(root, 'bench/results/compression.json'), []);
    // A row rebuilt from BENCHMARKS.md holds only what its table prints: run the seed here instead.
    const row = rows.find((r) => r.name === name && r.ratio === ratio && !('restored' in r.report));
    if (row) return { ...row, fromCompressionJson: true };
  }
  const file = path.join(out, 'compare', `${name}-sqz-joint-${ratio}x-seed${seed}.sqz`);
  const reportFile = file.replace(/\.sqz$/, '.json');
  const args = [
    'dist/compiler/cli.js',
    'compress',
    path.relative(root, modelJson),
    '--data',
    DATA[name]!,
    '--ratio',
    String(ratio),
    '--seed',
    String(seed),
    '-o',
    path.relative(root, file),
    '--report',
    path.relative(root, reportFile),
    '--quiet',
  ];
  // With --resume, a run that finished before the grid was interrupted is not repeated: its report has it all.
  const finished = opts.resume === true && existsSync(file) && existsSync(reportFile);
  const r = finished ? undefined : await runNode(args, root);
  if (r && r.code !== 0) throw new Error(`sqz compress exited with ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
  const report = JSON.parse(await readFile(reportFile, 'utf8')) as CompressReport;
  return { name, ratio, command: `node ${args.join(' ')}`, wallSeconds: r?.seconds ?? report.seconds.total, report };
}

/**
 * Starts every sqz joint run of `name` not yet recorded, one after another in child processes, so they use the
 * second core while this process runs the other methods; each is awaited and recorded by sqzJoint.
 */
function startJointRuns(name: string, modelJson: string): Map<string, Promise<JointRow>> {
  const runs = new Map<string, Promise<JointRow>>();
  let chain: Promise<unknown> = Promise.resolve();
  for (const seed of seeds) {
    for (const ratio of ratios) {
      if (skip({ name, method: 'sqz joint', ratio, seed })) continue;
      const run = chain.then(() => jointRow(name, modelJson, ratio, seed));
      run.catch(() => {}); // rethrown where it is awaited; the next run starts either way
      chain = run.catch(() => {});
      runs.set(`${seed}@${ratio}`, run);
    }
  }
  return runs;
}

/** The epochs a run took: ADMM may stop early and hand its remaining epochs to the fine-tune (report.epochs). */
function epochsRun(rep: CompressReport): string {
  if (!rep.epochs) return `${rep.hyper.epochs} ADMM + ${rep.hyper.finetuneEpochs} fine-tune epochs`;
  return `${rep.epochs.admm} ADMM + ${rep.epochs.finetune} fine-tune epochs (of ${rep.hyper.epochs} + ${rep.hyper.finetuneEpochs})`;
}

async function sqzJoint(
  name: string,
  ratio: number,
  seed: number,
  runs: Map<string, Promise<JointRow>>,
): Promise<void> {
  const pending = runs.get(`${seed}@${ratio}`);
  if (!pending) return;
  const row = await pending;
  const rep = row.report;
  await record({
    name,
    data: DATA[name]!,
    grid,
    ratio,
    targetBytes: rep.targetBytes,
    method: 'sqz joint',
    bytes: rep.fileBytes,
    fileRatio: rep.fileRatio,
    paperRatio: rep.paperRatio,
    testAccuracy: rep.accuracy!.runtime ?? rep.accuracy!.after,
    testSamples: rep.samples.test,
    wallSeconds: row.wallSeconds,
    note: `${row.fromCompressionJson ? 'from compression.json, ' : ''}${epochsRun(rep)} (defaults)`,
    bits: rep.layers.map((l) => l.bits),
    density: rep.layers.map((l) => l.density),
    finetuneEpochs: rep.epochs?.finetune ?? rep.hyper.finetuneEpochs,
    overTarget: rep.fileBytes > rep.targetBytes,
    command: row.command,
    seed,
  });
}

/**
 * A small model of `name`'s architecture trained from scratch (with the baseline as teacher when `distill`) for as
 * many epochs as sqz joint trains, compressed by `sqz compress --target-size` with its defaults; of the widths
 * tried, the best by validation accuracy is recorded, with the test accuracy the wasm runtime measured.
 */
async function smallModel(
  s: CompareSetup,
  name: string,
  modelJson: string,
  ratio: number,
  target: number,
  seed: number,
  distill: boolean,
): Promise<void> {
  const method = distill ? SMALL_DISTILLED : SMALL_FROM_SCRATCH;
  if (skip({ name, method, ratio, seed })) return;
  const c = BASELINE_CASES[name]!;
  const arch = c.arch as SmallArch;
  const epochs = s.jointEpochs.admm + s.jointEpochs.finetune;
  const outcome = await runSmallModel({
    root,
    outDir: out,
    name,
    data: c.data,
    arch,
    baselineModel: modelJson,
    targetBytes: target,
    seed,
    epochs,
    candidates: smallWidths ?? chooseWidths(arch, target, smallCandidates).map((w) => w.widths),
    distill: distill ? distillation : undefined,
    resume: opts.resume,
  });
  for (const f of outcome.failed)
    process.stderr.write(`${name} ${method} ${ratio}×: widths ${widthsKey(f.widths)} not compressed (${f.reason})\n`);
  const { best } = outcome;
  if (!best) {
    process.stderr.write(`${name} ${method} ${ratio}×: no width could be compressed to ${target} bytes\n`);
    return;
  }
  await record(
    smallModelResult(
      { ...outcome, best },
      { name, data: c.data, targetBytes: target, seed, epochs, distill: distill ? distillation : undefined },
      { method, grid, ratio, command, fp32WeightBytes: s.fp32WeightBytes, kernelWeights: s.kernelWeights },
    ),
  );
}

if (!opts.reportOnly) {
  await mkdir(path.join(out, 'compare'), { recursive: true });
  for (const name of names) {
    const modelJson = path.join((await ensureBaseline(root, name)).dir, 'model.json');
    const jointRuns = startJointRuns(name, modelJson);
    // Methods without a size target once, at seed 1 and the default fine-tune (the curve's dense end).
    if (!equalEpochs) {
      const s = await compareSetup({ model: modelJson, data: DATA[name]! });
      await tfjsUint8(s, name, modelJson);
      for (const bits of [8, 4, 2])
        await runMethod(s, name, `dense ${bits}-bit k-means`, null, null, (ctx) => quantOnly(ctx, bits));
    }
    for (const seed of seeds) {
      const s = await compareSetup({ model: modelJson, data: DATA[name]!, seed });
      for (const ratio of ratios) {
        const target = Math.floor(s.fp32WeightBytes / ratio);
        await runMethod(s, name, 'uniform prune + 8-bit', ratio, target, (ctx) => uniformPruning8(ctx, target), seed);
        await runMethod(
          s,
          name,
          'Deep Compression',
          ratio,
          target,
          (ctx) => deepCompression(ctx, target, equalEpochs ? ctx.hyper.epochs : ctx.hyper.finetuneEpochs),
          seed,
        );
        await runMethod(s, name, 'sequential sparsify → bits', ratio, target, (ctx) => sequential(ctx, target), seed);
        // Before joint's result is awaited: these run in child processes beside joint's.
        await smallModel(s, name, modelJson, ratio, target, seed, false);
        await smallModel(s, name, modelJson, ratio, target, seed, true);
        await sqzJoint(name, ratio, seed, jointRuns);
      }
    }
  }
}
await writeCompareSection(root, results, publishedFigures, analysis, accuracyVsBytesSvg);
