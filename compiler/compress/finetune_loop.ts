// The fine-tune epochs of a run, on the compacted model (compact.ts), with mask and bits frozen. What gets exported
// is the latest epoch whose validation score is within the validation's noise of the best so far (the fine-tune's
// start, the best ADMM projection, counts too): see selectionMargin. A fine-tune that blows up stops there, and the
// best result so far is what gets written, with a warning (a finished ADMM is not thrown away for it).
import { weightRecord } from './checkpoint.js';
import type { EpochResult } from './admm_phase.js';
import type { RunContext } from './context.js';
import { FinetunePhase, type FinetuneSnapshot } from './finetune_phase.js';
import type { CompactStart } from './compact.js';
import type { BestRecord } from './checkpoint.js';
import { graphWithWeights, measureFile } from './measure_file.js';
import type { RunRecord } from './run_record.js';
import { TrainingDivergedError } from './sgd.js';
import { formatScore, type TaskName } from './task.js';
import { validationAccuracy } from './validation.js';

/** Bookkeeping the fine-tune's checkpoints carry so a resumed run rebuilds the same compact model. */
export interface FinetuneOrigin {
  admmEpochs: number;
  admmBest: BestRecord;
}

/** What the fine-tune did: epochs completed, and the warning when it stopped early. */
export interface FinetuneOutcome {
  epochs: number;
  warning?: string;
}

/**
 * Runs `start.ctx.hyper.finetuneEpochs` fine-tune epochs from the compact start, or resumes from `resumed`
 * (snapshot and epochs done). A blow-up ends the fine-tune at that epoch (deterministic, so a resumed run meets it
 * too); record.best stays the best completed result.
 */
export async function runFinetune(
  start: CompactStart,
  record: RunRecord,
  origin: FinetuneOrigin,
  resumed?: { epoch: number; snapshot: FinetuneSnapshot },
): Promise<FinetuneOutcome> {
  const ctx: RunContext = start.ctx;
  const { layers, state, progress, hyper } = ctx;
  const finetune = new FinetunePhase(ctx, resumed?.snapshot ?? { codes: start.codes, kernels: start.latent });
  if (!resumed) {
    state.resetMomentum();
    const biases = state.readBiases();
    const q = finetune.quantized();
    const acc = await validationAccuracy(ctx, q, biases);
    record.best = {
      accuracy: acc,
      epoch: -1,
      phase: 'finetune',
      weights: weightRecord(kernelMap(ctx, q), biases),
      codes: finetune.currentCodes(),
      peak: acc,
    };
    const units = layers.map((l) => l.shape[l.shape.length - 1]).join('/');
    progress.log(
      `fine-tune starts from ADMM epoch ${origin.admmBest.epoch + 1} on the compacted model (units ${units}): ` +
        `validation ${formatScore(ctx.task.name, acc)}, ${hyper.finetuneEpochs} epochs`,
    );
  }
  for (let epoch = resumed?.epoch ?? 0; epoch < hyper.finetuneEpochs; epoch++) {
    let result: EpochResult;
    try {
      result = await finetune.runEpoch(epoch, record.step);
    } catch (e) {
      if (!(e instanceof TrainingDivergedError)) throw e;
      return { epochs: epoch, warning: stoppedWarning(e, epoch, hyper.finetuneEpochs, record.best!, ctx.task.name) };
    }
    record.step += finetune.stepsPerEpoch;
    const q = finetune.quantized();
    const biases = state.readBiases();
    const acc = await validationAccuracy(ctx, q, biases);
    const codes = finetune.currentCodes();
    const previous = record.best!;
    const { take, peak } = finetuneChoice(previous, acc, (p) =>
      selectionMargin(ctx.task.name, ctx.data.validation.count, p),
    );
    if (take) {
      record.best = {
        accuracy: acc,
        epoch,
        phase: 'finetune',
        weights: weightRecord(kernelMap(ctx, q), biases),
        codes,
        peak,
      };
    } else {
      record.best = { ...previous, peak };
    }
    record.history.push({
      phase: 'finetune',
      epoch,
      loss: result.loss,
      validationAccuracy: acc,
      estimatedBytes: measureFile(graphWithWeights(ctx.graph, layers, q, biases), layers).bytes,
      nonzeros: codes.reduce((s, c) => s + c.nnz, 0),
      bits: codes.map((c) => c.bits),
      seconds: result.seconds,
      projectionSeconds: result.projectionSeconds,
      projections: 0,
      selectionSeconds: 0,
    });
    progress.log(
      `fine-tune epoch ${epoch + 1}: loss ${result.loss.toFixed(4)}, validation ${formatScore(ctx.task.name, acc)}`,
    );
    await record.save(state, ctx.rng, {
      phase: 'finetune',
      epoch: epoch + 1,
      finetune: finetune.snapshot(),
      ...origin,
    });
  }
  return { epochs: hyper.finetuneEpochs };
}

/** The warning of a fine-tune that blew up in `epoch` (0-based) of `total`: what is written instead, what to do. */
function stoppedWarning(
  e: TrainingDivergedError,
  epoch: number,
  total: number,
  best: BestRecord,
  task: TaskName,
): string {
  const kept = best.phase !== 'finetune' || best.epoch < 0 ? 'its start' : `epoch ${best.epoch + 1}`;
  return (
    `${e.message}. The fine-tune stopped after ${epoch} of ${total} epochs, and the file holds its best result so ` +
    `far (${kept}, validation ${formatScore(task, best.accuracy)}); run again with a lower --lr for the whole fine-tune`
  );
}

/**
 * How far under the best validation score so far a later fine-tune epoch may score and still be the one exported:
 * for a classifier one standard error of its validation accuracy, √(a(1 − a)/n); 0 for other tasks (best score
 * wins). The fine-tune's learning rate decays to 2% of its peak by the last epoch, where the model is expected to
 * be best; picking the epoch with the top validation score among nearly equal ones picks the validation split's
 * noise. Measured from one Fashion-MNIST LeNet-5 300× ADMM checkpoint (6,000 validation images, SE 0.39 points):
 * test accuracy rose to the end (epochs 8, 9, 10: 89.37%, 89.58%, 89.60%) while validation peaked at epoch 8 (90.23%,
 * then 90.18%, 90.13%), so the old rule exported 89.37%; from a 7-epoch ADMM checkpoint it exported epoch 7 of 11
 * (89.33% test) where the last gave 89.49%.
 */
export function selectionMargin(task: TaskName, validationCount: number, accuracy: number): number {
  if (task !== 'classification' || validationCount === 0 || !(accuracy >= 0 && accuracy <= 1)) return 0;
  return Math.sqrt((accuracy * (1 - accuracy)) / validationCount);
}

/**
 * Whether a fine-tune epoch with validation score `score` becomes the result to export in place of `previous`, and
 * the phase's best score so far: it does when it is within `margin(best)` of that best (or `previous` is not a
 * fine-tune result yet).
 */
export function finetuneChoice(
  previous: Pick<BestRecord, 'phase' | 'accuracy' | 'peak'>,
  score: number,
  margin: (best: number) => number,
): { take: boolean; peak: number } {
  if (previous.phase !== 'finetune') return { take: true, peak: score };
  const peak = Math.max(previous.peak ?? previous.accuracy, score);
  return { take: score >= peak - margin(peak), peak };
}

function kernelMap(ctx: RunContext, kernels: readonly Float32Array[]): Map<number, Float32Array> {
  return new Map(ctx.layers.map((l, i) => [l.opIndex, kernels[i]!]));
}
