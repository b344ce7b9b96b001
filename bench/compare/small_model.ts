// The small-model methods: for one size target, train a few narrow versions of the baseline's architecture from
// scratch (seeded; optionally taught by the baseline), let `sqz compress` with its defaults quantize each to the
// target, and keep the one with the best validation accuracy. Training and compression run as child processes
// (train.js, the sqz CLI), so what is measured is what a user would run; trained models are cached in
// OUT/small/<case>-<widths>-s<seed>[-distill]/ so several targets share one training.
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { CompressReport } from '../../compiler/compress/report.js';
import type { Distillation } from '../baselines/distill.js';
import { smallTrainArgs, type SmallTrainRecord, type SmallTrainSettings } from '../baselines/train.js';
import { runNode } from '../spawn_node.js';
import type { CompareResult } from './report.js';
import { SMALL_BATCH, SMALL_LR } from './frontier_methods.js';
import { widthsKey, type SmallArch } from './small_widths.js';

export interface SmallModelPlan {
  /** Package root: the child processes run there (dist/ must be built). */
  root: string;
  /** Where small/ (trained models) and compare/ (.sqz and reports) go: bench/out. */
  outDir: string;
  /** The baseline case: its name, dataset, architecture and model.json (the teacher, with `distill`). */
  name: string;
  data: string;
  arch: SmallArch;
  baselineModel: string;
  targetBytes: number;
  seed: number;
  /** Training epochs from scratch (sqz joint's ADMM + fine-tune epochs for the dataset). */
  epochs: number;
  /** The widths to try (small_widths.ts chooseWidths). */
  candidates: readonly number[][];
  /** Present: the method with distillation, in training and in `sqz compress` (--teacher, --distill, --temperature). */
  distill?: Distillation;
  /** As `sqz compress --train-samples / --test-samples` (tests); absent: all. */
  trainSamples?: number;
  testSamples?: number;
  /** More `sqz compress` options (tests: fewer epochs). */
  compressArgs?: readonly string[];
  /** Reuse a finished compress run (its .sqz and report newer than the model it compressed). */
  resume?: boolean;
}

export interface SmallCandidate {
  widths: number[];
  training: SmallTrainRecord;
  report: CompressReport;
  /** Seconds of training (as recorded when it ran, also when reused from the cache) plus the compress run's. */
  seconds: number;
  compressCommand: string;
}

export interface SmallModelOutcome {
  /** The best by validation accuracy; undefined when no width could be compressed to the target. */
  best: SmallCandidate | undefined;
  tried: SmallCandidate[];
  /** Widths whose compression failed (say, a target below what the shape can reach), with sqz's last line. */
  failed: { widths: number[]; reason: string }[];
}

const rel = (root: string, p: string) =>
  path.isAbsolute(p) && !path.relative(root, p).startsWith('..') ? path.relative(root, p) : p;
const suffix = (plan: SmallModelPlan) => (plan.distill ? '-distill' : '');

function trainSettings(plan: SmallModelPlan, widths: number[]): SmallTrainSettings {
  return {
    arch: plan.arch,
    widths,
    data: plan.data,
    epochs: plan.epochs,
    seed: plan.seed,
    lr: SMALL_LR,
    batch: SMALL_BATCH,
    validationSplit: 0.1,
    ...(plan.trainSamples !== undefined ? { trainSamples: plan.trainSamples } : {}),
    ...(plan.distill ? { teacher: { model: rel(plan.root, plan.baselineModel), ...plan.distill } } : {}),
  };
}

/** The trained small model at `widths` (model.json's folder and its record), trained first unless cached with the same settings. */
async function ensureSmallModel(
  plan: SmallModelPlan,
  widths: number[],
): Promise<{ dir: string; record: SmallTrainRecord }> {
  const settings = trainSettings(plan, widths);
  const dir = path.join(plan.outDir, 'small', `${plan.name}-${widthsKey(widths)}-s${plan.seed}${suffix(plan)}`);
  const recordFile = path.join(dir, 'baseline.json');
  const cached = existsSync(recordFile)
    ? (JSON.parse(await readFile(recordFile, 'utf8')) as SmallTrainRecord)
    : undefined;
  if (!cached || JSON.stringify(cached.settings) !== JSON.stringify(settings)) {
    const r = await runNode(smallTrainArgs(settings, rel(plan.root, dir)), plan.root);
    if (r.code !== 0)
      throw new Error(
        `training the small model ${plan.name} ${widthsKey(widths)} failed (exit ${r.code}): ${r.stderr.trim().split('\n').pop()}`,
      );
  }
  return { dir, record: JSON.parse(await readFile(recordFile, 'utf8')) as SmallTrainRecord };
}

/** `sqz compress` of the small model in `dir` to the target, with the baseline as teacher when distilling. */
async function compressSmall(
  plan: SmallModelPlan,
  widths: number[],
  dir: string,
): Promise<{ report: CompressReport; seconds: number; command: string } | { failed: string }> {
  const file = path.join(
    plan.outDir,
    'compare',
    `${plan.name}-small-${widthsKey(widths)}-${plan.targetBytes}B-seed${plan.seed}${suffix(plan)}.sqz`,
  );
  const reportFile = file.replace(/\.sqz$/, '.json');
  const args = [
    'dist/compiler/cli.js',
    'compress',
    rel(plan.root, path.join(dir, 'model.json')),
    '--data',
    plan.data,
    '--target-size',
    String(plan.targetBytes),
    '--seed',
    String(plan.seed),
    '-o',
    rel(plan.root, file),
    '--report',
    rel(plan.root, reportFile),
    '--quiet',
    ...(plan.distill
      ? [
          '--teacher',
          rel(plan.root, plan.baselineModel),
          '--distill',
          String(plan.distill.alpha),
          '--temperature',
          String(plan.distill.temperature),
        ]
      : []),
    ...(plan.trainSamples !== undefined ? ['--train-samples', String(plan.trainSamples)] : []),
    ...(plan.testSamples !== undefined ? ['--test-samples', String(plan.testSamples)] : []),
    ...(plan.compressArgs ?? []),
  ];
  const command = `node ${args.join(' ')}`;
  const modelTime = statSync(path.join(dir, 'baseline.json')).mtimeMs;
  const finished =
    plan.resume === true && existsSync(file) && existsSync(reportFile) && statSync(reportFile).mtimeMs > modelTime;
  await mkdir(path.dirname(file), { recursive: true });
  const r = finished ? undefined : await runNode(args, plan.root);
  // An impossible budget (5) or a diverged run (7) is this width's result; anything else is a bug to stop on.
  if (r && (r.code === 5 || r.code === 7)) return { failed: `exit ${r.code}: ${r.stderr.trim().split('\n').pop()}` };
  if (r && r.code !== 0) throw new Error(`${command} exited with ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
  const report = JSON.parse(await readFile(reportFile, 'utf8')) as CompressReport;
  return { report, seconds: r?.seconds ?? report.seconds.total, command };
}

/** The candidate with the best validation accuracy (compress's held-out split, never the test split); ties to the first. */
export function pickByValidation<T extends { report: { accuracy?: { validation: number } } }>(
  candidates: readonly T[],
): T | undefined {
  let best: T | undefined;
  for (const c of candidates) if (!best || c.report.accuracy!.validation > best.report.accuracy!.validation) best = c;
  return best;
}

/** Trains and compresses every candidate width for one target. */
export async function runSmallModel(plan: SmallModelPlan): Promise<SmallModelOutcome> {
  const tried: SmallCandidate[] = [];
  const failed: SmallModelOutcome['failed'] = [];
  for (const widths of plan.candidates) {
    const { dir, record } = await ensureSmallModel(plan, widths);
    const c = await compressSmall(plan, widths, dir);
    if ('failed' in c) {
      failed.push({ widths, reason: c.failed });
      continue;
    }
    tried.push({
      widths,
      training: record,
      report: c.report,
      seconds: record.seconds + c.seconds,
      compressCommand: c.command,
    });
  }
  return { best: pickByValidation(tried), tried, failed };
}

/** What the comparison records for the kept width: the file and test accuracy (wasm runtime) sqz compress reported. */
export function smallModelResult(
  o: SmallModelOutcome & { best: SmallCandidate },
  plan: Pick<SmallModelPlan, 'name' | 'data' | 'targetBytes' | 'seed' | 'epochs' | 'distill'>,
  row: { method: string; grid: string; ratio: number; command: string; fp32WeightBytes: number; kernelWeights: number },
): CompareResult {
  const { best, tried } = o;
  const rep = best.report;
  // sqz's own paper measure rescaled from the small model's weights to the original's (same value bits).
  const smallKernelWeights = rep.layers.reduce((t, l) => t + l.weights, 0);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const others = tried
    .filter((t) => t !== best)
    .map((t) => `${widthsKey(t.widths)} ${pct(t.report.accuracy!.validation)}`);
  return {
    name: plan.name,
    data: plan.data,
    grid: row.grid,
    ratio: row.ratio,
    targetBytes: plan.targetBytes,
    method: row.method,
    bytes: rep.fileBytes,
    fileRatio: row.fp32WeightBytes / rep.fileBytes,
    paperRatio: (rep.paperRatio * row.kernelWeights) / smallKernelWeights,
    testAccuracy: rep.accuracy!.runtime ?? rep.accuracy!.after,
    testSamples: rep.samples.test,
    wallSeconds: tried.reduce((t, x) => t + x.seconds, 0),
    note:
      `widths ${widthsKey(best.widths)} (${rep.fp32WeightBytes} B fp32, ${plan.epochs} epochs, fp32 test ${pct(best.training.testAccuracy)}), ` +
      `validation ${pct(rep.accuracy!.validation)}${others.length ? `; also tried ${others.join(', ')}` : ''}` +
      `${plan.distill ? `; α ${plan.distill.alpha}, T ${plan.distill.temperature}` : ''}`,
    bits: rep.layers.map((l) => l.bits),
    density: rep.layers.map((l) => l.density),
    finetuneEpochs: rep.hyper.finetuneEpochs,
    overTarget: rep.fileBytes > plan.targetBytes,
    command: row.command,
    seed: plan.seed,
  };
}
