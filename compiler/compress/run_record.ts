// What a compression run carries from epoch to epoch, and its checkpoints: the per-epoch history, the best
// result so far, the global step and the elapsed time (which survive a kill and --resume).
import type { Rng } from '../util/rng.js';
import {
  CHECKPOINT_VERSION,
  clearCheckpoints,
  saveCheckpoint,
  weightRecord,
  type BestRecord,
  type Checkpoint,
  type EpochHistory,
  type LrRestart,
} from './checkpoint.js';
import type { TrainState } from './train_state.js';

/** The parts of a checkpoint that depend on where the run is. */
export type CheckpointPosition = Pick<Checkpoint, 'phase' | 'epoch' | 'admm' | 'finetune' | 'admmEpochs' | 'admmBest'>;

export class RunRecord {
  readonly history: EpochHistory[];
  best: BestRecord | undefined;
  step: number;
  /** ADMM's restarts at a lower learning rate; each halves the run's rate (compress.ts applies them on resume). */
  readonly restarts: LrRestart[];
  private readonly elapsedBefore: number;
  private readonly started = performance.now();

  constructor(
    private readonly checkpointDir: string | undefined,
    private readonly fingerprint: string,
    resumed?: Checkpoint,
  ) {
    this.history = resumed?.history ?? [];
    this.best = resumed?.best;
    this.step = resumed?.step ?? 0;
    this.restarts = resumed?.restarts ?? [];
    this.elapsedBefore = resumed?.elapsedSeconds ?? 0;
  }

  /** Seconds of the whole run, earlier (killed) sessions included. */
  elapsed(): number {
    return this.elapsedBefore + (performance.now() - this.started) / 1000;
  }

  /**
   * Removes the checkpoints written so far (an ADMM attempt given up for a restart): a resumed run then starts
   * from the beginning and meets the same restart, rather than continuing the abandoned attempt.
   */
  async discardCheckpoints(): Promise<void> {
    if (this.checkpointDir) await clearCheckpoints(this.checkpointDir);
  }

  /** Writes the checkpoint of the end of an epoch (nothing without --checkpoint). */
  async save(state: TrainState, rng: Rng, position: CheckpointPosition): Promise<void> {
    if (!this.checkpointDir) return;
    const w = state.read();
    await saveCheckpoint(this.checkpointDir, {
      version: CHECKPOINT_VERSION,
      fingerprint: this.fingerprint,
      ...position,
      step: this.step,
      rng: rng.getState(),
      weights: weightRecord(w.kernels, w.biases),
      momentum: state.readMomentum(),
      best: this.best,
      history: this.history,
      elapsedSeconds: this.elapsed(),
      ...(this.restarts.length > 0 ? { restarts: this.restarts } : {}),
    });
  }
}
