// The ADMM epochs of a run, with model selection and the stopping rule. After every epoch the hard projection of
// W is fitted to the real target and scored on validation (the best one is what the fine-tune starts from). ADMM
// ends early once that projection has settled — same bits, and at most MASK_SETTLED of its kept weights moved
// since the previous epoch — and the epochs it did not use go to the fine-tune (the benchmarks measured more
// fine-tune helping more than more ADMM once the mask is fixed).
import { createRng } from '../util/rng.js';
import { AdmmPhase, type AdmmSnapshot } from './admm_phase.js';
import { weightRecord, type BestRecord } from './checkpoint.js';
import type { RunContext } from './context.js';
import { fitToTarget } from './fit_budget.js';
import type { LayerCode } from './joint_projection.js';
import type { RunRecord } from './run_record.js';
import { TrainingCollapsedError, TrainingDivergedError } from './sgd.js';
import { formatScore } from './task.js';
import { validationAccuracy } from './validation.js';

/** Kept weights that may still move between two epochs' hard projections for ADMM to count as settled. */
const MASK_SETTLED = 0.02;

export interface AdmmOutcome {
  /** The best hard projection (and the W it came from). */
  best: BestRecord;
  /** ADMM epochs the run took. */
  epochs: number;
}

/** ADMM epochs before the stopping rule may end ADMM: a third of the schedule, at least 2. */
function minimumAdmmEpochs(epochs: number): number {
  return Math.min(epochs, Math.max(2, Math.ceil(epochs / 3)));
}

/** Share of kept weights (of either projection) whose keep/drop differs. */
function maskChange(a: readonly LayerCode[], b: readonly { mask: Uint8Array }[]): number {
  let changed = 0;
  let kept = 0;
  a.forEach((code, i) => {
    const m = b[i]!.mask;
    for (let j = 0; j < m.length; j++) {
      if (code.mask[j] !== m[j]) changed++;
      if (code.mask[j] || m[j]) kept++;
    }
  });
  return kept === 0 ? 0 : changed / kept;
}

/** Restarts at half the learning rate after a collapse or a blow-up, at most this many times. */
export const MAX_LR_RESTARTS = 3;

/**
 * Runs (or resumes, from `resumed`) the ADMM epochs; checkpoints each. A run whose training collapses to chance
 * level or blows up starts ADMM again from the original weights at half the learning rate (for the fine-tune too),
 * up to MAX_LR_RESTARTS times; after that a blow-up is an error and a collapse runs on (the result is flagged near
 * chance). Deterministic: the restart point, the rate and the batch order depend only on the run's inputs.
 */
export async function runAdmm(
  ctx: RunContext,
  record: RunRecord,
  resumed?: { epoch: number; snapshot: AdmmSnapshot },
): Promise<AdmmOutcome> {
  let from = resumed;
  for (;;) {
    try {
      return await admmEpochs(ctx, record, from, record.restarts.length < MAX_LR_RESTARTS);
    } catch (e) {
      const collapsed = e instanceof TrainingCollapsedError;
      if (!(collapsed || e instanceof TrainingDivergedError) || record.restarts.length >= MAX_LR_RESTARTS) throw e;
      const lr = ctx.hyper.lr / 2;
      record.restarts.push({ reason: e.message, lr });
      ctx.progress.log(`${e.message}; ADMM starts again from the original weights at learning rate ${lr}`);
      restartFromOriginal(ctx, record, lr);
      await record.discardCheckpoints();
      from = undefined;
    }
  }
}

/** Back to the state a fresh run's ADMM starts from, at learning rate `lr`. */
function restartFromOriginal(ctx: RunContext, record: RunRecord, lr: number): void {
  ctx.hyper.lr = lr;
  ctx.state.restoreGraphWeights();
  ctx.rng = createRng(ctx.hyper.seed);
  record.step = 0;
  record.best = undefined;
  record.history.length = 0;
}

async function admmEpochs(
  ctx: RunContext,
  record: RunRecord,
  resumed: { epoch: number; snapshot: AdmmSnapshot } | undefined,
  guard: boolean,
): Promise<AdmmOutcome> {
  const { hyper, setup, targetBytes, state, progress } = ctx;
  const admm = new AdmmPhase(ctx, resumed?.snapshot, guard);
  try {
    for (let epoch = resumed?.epoch ?? 0; epoch < hyper.epochs; epoch++) {
      const result = await admm.runEpoch(epoch, record.step);
      record.step += admm.stepsPerEpoch;
      const w = admm.kernels();
      const biases = state.readBiases();
      // Model selection sees what the end would produce: the hard projection fitted to the real target, with the
      // bits and regimes the epoch's last layout search chose (searching again here cost a third of ADMM's time).
      const selectionStart = performance.now();
      const hard = fitToTarget(setup, w, biases, admm.costs, targetBytes, admm.importance(), 8, false).projection;
      const acc = await validationAccuracy(ctx, hard.values, biases);
      const selectionSeconds = (performance.now() - selectionStart) / 1000;
      if (!record.best || acc > record.best.accuracy) {
        record.best = {
          accuracy: acc,
          epoch,
          phase: 'admm',
          weights: weightRecord(kernelMap(ctx, w), biases),
          codes: hard.codes,
        };
      }
      const previous = admm.lastHard;
      const change = previous
        ? maskChange(
            hard.codes,
            previous.masks.map((mask) => ({ mask })),
          )
        : 1;
      const settled =
        previous !== undefined && previous.bits.every((b, i) => b === hard.codes[i]!.bits) && change <= MASK_SETTLED;
      admm.lastHard = { bits: hard.codes.map((c) => c.bits), masks: hard.codes.map((c) => c.mask) };
      const floors = admm.costs.floors ?? hard.costs.live.units.map(() => 0);
      record.history.push({
        phase: 'admm',
        epoch,
        loss: result.loss,
        validationAccuracy: acc,
        estimatedBytes: hard.bytes,
        nonzeros: hard.codes.reduce((s, c) => s + c.nnz, 0),
        bits: hard.codes.map((c) => c.bits),
        residual: admm.residualOf(w),
        maskChange: previous ? change : undefined,
        regimes: hard.costs.regimes,
        units: hard.costs.live.units,
        floors,
        seconds: result.seconds,
        projectionSeconds: result.projectionSeconds,
        projections: result.projections,
        selectionSeconds,
      });
      progress.log(
        `admm epoch ${epoch + 1}: loss ${result.loss.toFixed(4)}, hard-projected validation ` +
          `${formatScore(ctx.task.name, acc)} at ${hard.bytes} bytes, bits ${hard.codes.map((c) => c.bits).join('/')} ` +
          `(${hard.costs.regimes.join('/')}, units ${hard.costs.live.units.join('/')}, ` +
          `floors ${floors.join('/')}), ` +
          `${previous ? `${(100 * change).toFixed(1)}% of the mask moved, ` : ''}` +
          `projections ${((100 * result.projectionSeconds) / result.seconds).toFixed(1)}% of the epoch`,
      );
      const ended = epoch + 1 === hyper.epochs || (settled && epoch + 1 >= minimumAdmmEpochs(hyper.epochs));
      await record.save(state, ctx.rng, {
        phase: 'admm',
        epoch: epoch + 1,
        admm: admm.snapshot(),
        admmEpochs: ended ? epoch + 1 : undefined,
      });
      if (ended) {
        if (epoch + 1 < hyper.epochs) {
          progress.log(
            `ADMM settled after ${epoch + 1} of ${hyper.epochs} epochs (same bits, ${(100 * change).toFixed(1)}% of the mask moved): ` +
              `the other ${hyper.epochs - epoch - 1} go to the fine-tune`,
          );
        }
        return { best: record.best, epochs: epoch + 1 };
      }
    }
    throw new Error('compress: no ADMM epoch ran (epochs must be ≥ 1)');
  } finally {
    admm.dispose();
  }
}

function kernelMap(ctx: RunContext, kernels: readonly Float32Array[]): Map<number, Float32Array> {
  return new Map(ctx.layers.map((l, i) => [l.opIndex, kernels[i]!]));
}
