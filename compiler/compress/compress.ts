// `sqz compress`: import → ADMM → fit to the real byte budget → fine-tune on the compacted model → export →
// verify in the wasm runtime. Every epoch ends with a checkpoint; the best hard-projected result on validation is
// what gets written.
import type { Graph } from '../ir/graph.js';
import { armedFault } from '../util/fault.js';
import { rngFromState } from '../util/rng.js';
import { checkOutputPath } from '../util/write_output.js';
import { runAdmm, type AdmmOutcome } from './admm_loop.js';
import { weightMaps, type Checkpoint } from './checkpoint.js';
import { compactForFinetune } from './compact.js';
import { exportResult } from './export_phase.js';
import { runFinetune } from './finetune_loop.js';
import { openCheckpoint, openRun } from './open_run.js';
import type { CompressOptions } from './options.js';
import { createProgress } from './progress.js';
import type { CompressReport } from './report.js';
import type { RunContext } from './context.js';
import type { TrainState } from './train_state.js';
import { RunRecord } from './run_record.js';
import { checkOptions } from './run_setup.js';

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
  const outputs = [options.output, options.reportPath, options.reportHtmlPath].filter(
    (o): o is string => o !== undefined,
  );
  for (const output of outputs) await checkOutputPath(output);
  const progress = createProgress(options.quiet ?? false);
  const fault = armedFault();
  if (fault)
    progress.log(`fault injection armed: ${fault.action} at ${fault.point} number ${fault.occurrence} (SQZ_FAULT)`);
  const run = await openRun(options, progress);
  const disposables: { dispose(): void }[] = [run];
  try {
    const { ctx } = run;
    const ckpt = await openCheckpoint(options, run.fingerprint, outputs, progress);
    const record = new RunRecord(options.checkpointDir, run.fingerprint, ckpt);
    if (ckpt) ctx.rng = rngFromState(ckpt.rng);
    // A resumed run goes on at the rate its restarts left (admm_loop.ts).
    if (record.restarts.length > 0) ctx.hyper.lr = record.restarts[record.restarts.length - 1]!.lr;

    const admmStart = performance.now();
    const admm = await admmOutcome(run.ctx, record, ckpt);
    const admmSeconds = (performance.now() - admmStart) / 1000;

    const finetuneEpochs = ctx.hyper.finetuneEpochs + ctx.hyper.epochs - admm.epochs;
    const compact = compactForFinetune({ ...ctx, hyper: { ...ctx.hyper, finetuneEpochs } }, admm.best);
    disposables.push({ dispose: () => compact.ctx.state.dispose() });
    const resumed = ckpt?.phase === 'finetune' ? { epoch: ckpt.epoch, snapshot: ckpt.finetune! } : undefined;
    if (resumed) restoreState(compact.ctx.state, ckpt!);
    const ftStart = performance.now();
    const finetune = await runFinetune(compact, record, { admmEpochs: admm.epochs, admmBest: admm.best }, resumed);
    const ftSeconds = (performance.now() - ftStart) / 1000;

    return await exportResult(compact.ctx, record, options, {
      backend: run.backend,
      workers: run.workers,
      fp32WeightBytes: run.fp32WeightBytes,
      baseline: run.baseline,
      originalLayers: run.layers,
      givenLayers: run.givenLayers,
      ...(run.collapse ? { collapse: run.collapse } : {}),
      seconds: { admm: admmSeconds, finetune: ftSeconds },
      epochs: { admm: admm.epochs, finetune: finetune.epochs },
      warnings: finetune.warning ? [finetune.warning] : [],
    });
  } finally {
    for (const d of disposables) d.dispose();
  }
}

/** ADMM as the checkpoint left it: run (or continue) it, or take its recorded outcome when it had ended. */
async function admmOutcome(ctx: RunContext, record: RunRecord, ckpt: Checkpoint | undefined): Promise<AdmmOutcome> {
  if (ckpt?.admmEpochs !== undefined) {
    return { epochs: ckpt.admmEpochs, best: ckpt.phase === 'finetune' ? ckpt.admmBest! : ckpt.best! };
  }
  if (ckpt) restoreState(ctx.state, ckpt);
  return runAdmm(ctx, record, ckpt && { epoch: ckpt.epoch, snapshot: ckpt.admm! });
}

function restoreState(state: TrainState, ckpt: Checkpoint): void {
  state.write(weightMaps(ckpt.weights));
  state.writeMomentum(ckpt.momentum);
}
