// `sqz compress`: import → ADMM → fit to the real byte budget → fine-tune → export → verify in the wasm runtime.
// Every epoch ends with a checkpoint; the best hard-projected result on validation is what gets written.
import * as path from 'node:path';
import { loadDataset } from '../data/index.js';
import { selectBackend } from '../engine/backend.js';
import { importModelFromArtifacts, readModelArtifacts } from '../import/index.js';
import type { Graph } from '../ir/graph.js';
import { createRng, rngFromState } from '../util/rng.js';
import { UsageError } from '../errors.js';
import { checkOutputPath, writeOutputFile } from '../util/write_output.js';
import { removeStaleTemps } from '../util/atomic_write.js';
import { armedFault } from '../util/fault.js';
import { AdmmPhase } from './admm_phase.js';
import {
  CHECKPOINT_VERSION, clearCheckpoints, loadLatestCheckpoint, removeStaleCheckpointTemps, RESUME_ADVICE, saveCheckpoint, weightMaps,
  weightRecord, type BestRecord, type Checkpoint, type EpochHistory,
} from './checkpoint.js';
import type { RunContext } from './context.js';
import { FinetunePhase } from './finetune_phase.js';
import { fitFinalFile, fitToTarget, ImpossibleTargetError, minimumFileBytes } from './fit_budget.js';
import type { LayerCode, ProjectionSetup } from './joint_projection.js';
import { compressibleLayers, type CompressibleLayer } from './layers.js';
import { graphWithWeights, measureFile } from './measure_file.js';
import type { CompressOptions } from './options.js';
import { createProgress } from './progress.js';
import { formatReport, type CompressReport } from './report.js';
import { reportHtml } from './report_html.js';
import { accuracy, arrayParams } from './sgd.js';
import { layerReports, paperRatio, projectionShare, verifyInRuntime } from './finish.js';
import { checkCompatible, checkOptions, fingerprintOf, prepareData, resolveHyper, resolveTarget } from './run_setup.js';
import { TrainState } from './train_state.js';
import { probeScorer } from './probe_score.js';

export interface CompressResult {
  report: CompressReport;
  /** The .sqz file written to options.output. */
  bytes: Uint8Array;
  /** The graph whose weights the file holds exactly (dead units removed, biases f16). */
  stored: Graph;
}

/** Runs a whole compression; writes options.output (and options.reportPath) atomically. */
export async function compress(options: CompressOptions): Promise<CompressResult> {
  checkOptions(options);
  const outputs = [options.output, options.reportPath, options.reportHtmlPath].filter((o): o is string => o !== undefined);
  for (const output of outputs) await checkOutputPath(output);
  const progress = createProgress(options.quiet ?? false);
  const fault = armedFault();
  if (fault) progress.log(`fault injection armed: ${fault.action} at ${fault.point} number ${fault.occurrence} (SQZ_FAULT)`);
  const backend = await selectBackend(options.backend ?? 'auto');
  const artifacts = await readModelArtifacts(options.model);
  const fp32WeightBytes = 4 * (artifacts.weightSpecs ?? []).reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
  const graph = await importModelFromArtifacts(artifacts, options.model);
  const dataset = await loadDataset(options.data);
  const { inputShape, numClasses } = checkCompatible(graph, dataset, options.model);
  const data = prepareData(dataset, options);
  const targetBytes = resolveTarget(options, fp32WeightBytes);
  const layers = compressibleLayers(graph);
  const hyper = resolveHyper(options, data.train.count);
  const state = new TrainState(graph);
  const probe = probeScorer(state, layers, data.train, inputShape, numClasses);
  const setup: ProjectionSetup = { graph, layers, score: probe.score };
  const fingerprint = await fingerprintOf(options, artifacts, targetBytes, hyper, backend.name, data);

  // Fail fast on an impossible target, before any training.
  const minimum = minimumFileBytes(setup);
  if (targetBytes < minimum) throw new ImpossibleTargetError(targetBytes, minimum);

  const baseline = accuracy(graph, state.params, data.test, inputShape);
  progress.log(`sqz compress: ${options.model} on ${dataset.name} (${data.train.count} train / ${data.validation.count} validation / `
    + `${data.test.count} test), target ${targetBytes} bytes (minimum ${minimum}), backend ${backend.name}`);
  progress.log(`baseline test accuracy ${(100 * baseline).toFixed(2)}%; ${layers.length} layers, ${hyper.epochs} ADMM + `
    + `${hyper.finetuneEpochs} fine-tune epochs`);

  const ctx: RunContext = {
    graph, layers, inputShape, numClasses, data, targetBytes, hyper, state, progress, setup, rng: createRng(hyper.seed),
  };
  let ckpt: Checkpoint | undefined;
  if (options.resume) {
    const found = await loadLatestCheckpoint(options.checkpointDir!);
    if (found) {
      if (found.checkpoint.fingerprint !== fingerprint) {
        throw new UsageError(`checkpoint ${found.path} belongs to a different run (model, data, target or options differ); `
          + 'use another --checkpoint folder or rerun with the same options');
      }
      ckpt = found.checkpoint;
      progress.log(`resuming from ${found.path} (${ckpt.phase} epoch ${ckpt.epoch})`);
    } else {
      progress.log(`no checkpoint in ${options.checkpointDir} yet: starting from the beginning`);
    }
  } else if (options.checkpointDir) {
    await clearCheckpoints(options.checkpointDir);
  }
  // What a killed run left half-written is never read, but is not left lying around either.
  if (options.checkpointDir) await removeStaleCheckpointTemps(options.checkpointDir);
  for (const output of outputs) await removeStaleTemps(path.dirname(path.resolve(output)), (name) => name === path.basename(output));
  const history: EpochHistory[] = ckpt?.history ?? [];
  let best: BestRecord | undefined = ckpt?.best;
  let step = ckpt?.step ?? 0;
  const elapsedBefore = ckpt?.elapsedSeconds ?? 0;
  const runStarted = performance.now();
  const elapsed = () => elapsedBefore + (performance.now() - runStarted) / 1000;
  if (ckpt) {
    ctx.rng = rngFromState(ckpt.rng);
    state.write(weightMaps(ckpt.weights));
    state.writeMomentum(ckpt.momentum);
  }
  const save = async (partial: Pick<Checkpoint, 'phase' | 'epoch' | 'admm' | 'finetune'>) => {
    if (!options.checkpointDir) return;
    const w = state.read();
    await saveCheckpoint(options.checkpointDir, {
      version: CHECKPOINT_VERSION, fingerprint, ...partial, step, rng: ctx.rng.getState(), weights: weightRecord(w.kernels, w.biases),
      momentum: state.readMomentum(), best, history, elapsedSeconds: elapsed(),
    });
  };

  // ── ADMM ──────────────────────────────────────────────────────────────────
  const admmStart = performance.now();
  if (!ckpt || ckpt.phase === 'admm') {
    const admm = new AdmmPhase(ctx, ckpt?.admm);
    for (let epoch = ckpt?.epoch ?? 0; epoch < hyper.epochs; epoch++) {
      const result = admm.runEpoch(epoch, step);
      step += admm.stepsPerEpoch;
      const w = admm.kernels();
      const biases = state.readBiases();
      // Model selection sees what the end would produce: the hard projection fitted to the real target.
      const selectionStart = performance.now();
      const hard = fitToTarget(setup, w, biases, admm.costs, targetBytes, admm.importance(), 8).projection;
      const acc = evaluate(ctx, hard.values, biases);
      const selectionSeconds = (performance.now() - selectionStart) / 1000;
      if (!best || acc > best.accuracy) {
        best = { accuracy: acc, epoch, phase: 'admm', weights: weightRecord(kernelMap(layers, w), biases), codes: hard.codes };
      }
      history.push({ phase: 'admm', epoch, loss: result.loss, validationAccuracy: acc, estimatedBytes: hard.bytes,
        nonzeros: totalNonzeros(hard.codes), bits: hard.codes.map((c) => c.bits), residual: admm.residualOf(w), seconds: result.seconds, projectionSeconds: result.projectionSeconds, projections: result.projections, selectionSeconds });
      progress.log(`admm epoch ${epoch + 1}: loss ${result.loss.toFixed(4)}, hard-projected validation accuracy `
        + `${(100 * acc).toFixed(2)}% at ${hard.bytes} bytes, bits ${hard.codes.map((c) => c.bits).join('/')}, `
        + `projections ${(100 * result.projectionSeconds / result.seconds).toFixed(1)}% of the epoch`);
      await save({ phase: 'admm', epoch: epoch + 1, admm: admm.snapshot() });
    }
    admm.dispose();
  }
  const admmSeconds = (performance.now() - admmStart) / 1000;

  // ── Fine-tune the best fitted projection with mask and bits frozen ─────────
  let finetune: FinetunePhase;
  let ftEpoch = 0;
  if (ckpt?.phase === 'finetune') {
    finetune = new FinetunePhase(ctx, ckpt.finetune!);
    ftEpoch = ckpt.epoch;
  } else {
    if (!best) throw new Error('compress: no ADMM epoch ran (epochs must be ≥ 1)');
    const start = { ...weightMaps(best.weights), epoch: best.epoch };
    state.write(start);
    state.resetMomentum();
    const w = layers.map((l) => start.kernels.get(l.opIndex)!);
    // The best epoch's hard projection was already fitted to the target (and evaluated); start from it.
    finetune = new FinetunePhase(ctx, { codes: best.codes!, kernels: w });
    const acc = evaluate(ctx, finetune.quantized(), start.biases);
    best = { accuracy: acc, epoch: -1, phase: 'finetune', weights: weightRecord(kernelMap(layers, finetune.quantized()), start.biases),
      codes: finetune.currentCodes() };
    progress.log(`fine-tune starts from ADMM epoch ${start.epoch + 1}: validation accuracy ${(100 * acc).toFixed(2)}%`);
  }
  const ftStart = performance.now();
  for (; ftEpoch < hyper.finetuneEpochs; ftEpoch++) {
    const result = finetune.runEpoch(ftEpoch, step);
    step += finetune.stepsPerEpoch;
    const q = finetune.quantized();
    const biases = state.readBiases();
    const acc = evaluate(ctx, q, biases);
    if (acc > best!.accuracy || best!.phase !== 'finetune') {
      best = { accuracy: acc, epoch: ftEpoch, phase: 'finetune', weights: weightRecord(kernelMap(layers, q), biases), codes: finetune.currentCodes() };
    }
    const codes = finetune.currentCodes();
    history.push({ phase: 'finetune', epoch: ftEpoch, loss: result.loss, validationAccuracy: acc,
      estimatedBytes: measureFile(graphWithWeights(graph, layers, q, biases), layers).bytes, nonzeros: totalNonzeros(codes),
      bits: codes.map((c) => c.bits), seconds: result.seconds, projectionSeconds: result.projectionSeconds, projections: 0, selectionSeconds: 0 });
    progress.log(`fine-tune epoch ${ftEpoch + 1}: loss ${result.loss.toFixed(4)}, validation accuracy ${(100 * acc).toFixed(2)}%`);
    await save({ phase: 'finetune', epoch: ftEpoch + 1, finetune: finetune.snapshot() });
  }
  const ftSeconds = (performance.now() - ftStart) / 1000;

  // ── Export: never write a file over the target ─────────────────────────────
  const final = weightMaps(best!.weights);
  const measure = fitFinalFile(setup, layers.map((l) => final.kernels.get(l.opIndex)!), final.biases, targetBytes, progress.log);
  const bytes = measure.exported.bytes;
  // A full disk stops the run with the checkpoints intact; say how to continue.
  const then = options.checkpointDir ? RESUME_ADVICE : undefined;
  await writeOutputFile(options.output, bytes, { option: '-o', then, faults: 'export' });

  const stored = measure.exported.graph;
  const storedParams = arrayParams(stored, new Map(), new Map());
  const after = accuracy(stored, storedParams.params, data.test, inputShape);
  storedParams.dispose();
  let runtime: { accuracy: number; agreement: number } | undefined;
  if (options.verify !== false) runtime = await verifyInRuntime(bytes, stored, data.test, inputShape);

  const report: CompressReport = {
    model: options.model, data: options.data, output: options.output, backend: backend.name, targetBytes,
    fileBytes: bytes.length, fp32WeightBytes, fileRatio: fp32WeightBytes / bytes.length,
    paperRatio: paperRatio(layers, measure),
    accuracy: { before: baseline, after, runtime: runtime?.accuracy, agreement: runtime?.agreement, validation: best!.accuracy },
    samples: { train: data.train.count, validation: data.validation.count, test: data.test.count },
    layers: layerReports(layers, measure),
    history,
    seconds: {
      total: elapsed(), admm: admmSeconds, finetune: ftSeconds,
      selection: history.reduce((sum, h) => sum + h.selectionSeconds, 0),
    },
    projectionShare: projectionShare(history),
    hyper: { ...hyper },
  };
  if (options.reportPath) {
    await writeOutputFile(options.reportPath, `${JSON.stringify(report, null, 2)}\n`, { option: '--report', then, faults: 'report' });
  }
  if (options.reportHtmlPath) await writeOutputFile(options.reportHtmlPath, await reportHtml(report), { option: '--report-html', then });
  progress.log(formatReport(report));
  probe.dispose();
  state.dispose();
  return { report, bytes, stored };
}

function totalNonzeros(codes: readonly LayerCode[]): number {
  return codes.reduce((sum, c) => sum + c.nnz, 0);
}

function kernelMap(layers: readonly CompressibleLayer[], kernels: readonly Float32Array[]): Map<number, Float32Array> {
  return new Map(layers.map((l, i) => [l.opIndex, kernels[i]!]));
}

/** Validation accuracy of the model with these kernels (per layer) and biases (rounded to f16 as stored). */
function evaluate(ctx: RunContext, kernels: readonly Float32Array[], biases: ReadonlyMap<number, Float32Array>): number {
  const g = graphWithWeights(ctx.graph, ctx.layers, kernels, biases);
  const p = arrayParams(g, new Map(), new Map());
  try {
    return accuracy(g, p.params, ctx.data.validation, ctx.inputShape);
  } finally {
    p.dispose();
  }
}










