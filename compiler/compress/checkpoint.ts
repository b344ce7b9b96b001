// Checkpoints of a compression run, one msgpackr file per completed epoch, written atomically. A run killed at
// any moment resumes from the newest complete file and, with the same seed and backend, ends byte-identical
// to an uninterrupted run: everything that decides the future is in here (weights, ADMM V/U, bits, cost model,
// momentum, RNG state, step counters, the best result so far).
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { describeFsError, FileError } from '../errors.js';
import { removeStaleTemps } from '../util/atomic_write.js';
import { writeOutputFile } from '../util/write_output.js';
import type { RngState } from '../util/rng.js';
import type { AdmmSnapshot } from './admm_phase.js';
import type { LayerCode } from './joint_projection.js';

/**
 * 2: EpochHistory gained residual, nonzeros and bits (the HTML report's charts). 3: per-weight Fisher and the last
 * hard projection in the ADMM snapshot; ADMM may end early (admmEpochs), the fine-tune runs on the compacted model.
 */
export const CHECKPOINT_VERSION = 3;

/** Weights as opIndex-keyed lists (msgpackr keeps typed arrays with moreTypes). */
export interface WeightRecord {
  kernels: [number, Float32Array][];
  biases: [number, Float32Array][];
}

export interface BestRecord {
  /** Validation accuracy of the hard-projected model. */
  accuracy: number;
  epoch: number;
  phase: 'admm' | 'finetune';
  /** The latent weights the result came from (ADMM) or the quantized kernels (fine-tune). */
  weights: WeightRecord;
  codes?: LayerCode[];
  /**
   * Fine-tune: the best validation score of the phase so far (the start included). The record itself may be a later
   * epoch that scored within the validation's noise of it (finetune_loop.ts, selectionMargin).
   */
  peak?: number;
}

export interface EpochHistory {
  phase: 'admm' | 'finetune';
  epoch: number;
  loss: number;
  validationAccuracy: number;
  /** Real file bytes of the epoch's result: the hard projection fitted to the target (ADMM), the quantized model (fine-tune). */
  estimatedBytes: number;
  /** Nonzero kernel weights of that result, over all compressible layers. */
  nonzeros: number;
  /** Bits per compressible layer of that result, in layer order. */
  bits: number[];
  /** ‖W − V‖ / ‖W‖ over all kernels at the end of the epoch (ADMM only: the fine-tune has no V). */
  residual?: number;
  /** Share of the hard projection's kept weights that differ from the previous epoch's (ADMM only). */
  maskChange?: number;
  /** The hard projection's regime per layer (ADMM only): the encoding the knapsack priced it for. */
  regimes?: string[];
  /** Live units per layer of that result. */
  units?: number[];
  /** Per layer, the floor on open units the epoch's last layout search left (ADMM only; 0: none). */
  floors?: number[];
  seconds: number;
  projectionSeconds: number;
  projections: number;
  /** Seconds spent fitting the epoch's hard projection to the target and evaluating it (model selection). */
  selectionSeconds: number;
}

export interface Checkpoint {
  version: number;
  /** Hash of everything that must match to resume (model, data, target, options). */
  fingerprint: string;
  phase: 'admm' | 'finetune';
  /** Epochs of `phase` completed. */
  epoch: number;
  step: number;
  rng: RngState;
  weights: WeightRecord;
  momentum: Float32Array[];
  admm?: AdmmSnapshot;
  /** ADMM epochs the run took, once ADMM has ended (it ends early when the hard projection stops changing). */
  admmEpochs?: number;
  /** The best ADMM result, which the fine-tune's compacted model is rebuilt from on resume (fine-tune phase). */
  admmBest?: BestRecord;
  finetune?: {
    codes: LayerCode[];
    latent: Float32Array[];
    kernelMomentum: Float32Array[];
  };
  best?: BestRecord;
  history: EpochHistory[];
  elapsedSeconds: number;
  /** ADMM's restarts at a lower learning rate so far (admm_loop.ts); absent: none. */
  restarts?: LrRestart[];
}

/** A restart of ADMM from the original weights: why, and the learning rate it went on with. */
export interface LrRestart {
  reason: string;
  lr: number;
}

const packr = new Packr({ moreTypes: true, structuredClone: false });
const FILE = /^epoch-(admm|finetune)-(\d{4})\.ckpt$/;

function fileName(phase: 'admm' | 'finetune', epoch: number): string {
  return `epoch-${phase}-${String(epoch).padStart(4, '0')}.ckpt`;
}

/** How a run stopped by a full disk continues (see writeOutputFile's `then`). */
export const RESUME_ADVICE = ' and rerun with --resume (the checkpoints written so far are intact)';

/**
 * Writes the checkpoint atomically; returns its path. A full disk is a FileError that says the earlier
 * checkpoints are intact. @throws FileError
 */
export async function saveCheckpoint(dir: string, ckpt: Checkpoint): Promise<string> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new FileError(dir, `cannot create the checkpoint folder ${dir}: ${describeFsError(err)}`, { cause: err });
  }
  const path = join(dir, fileName(ckpt.phase, ckpt.epoch));
  await writeOutputFile(path, packr.pack(ckpt), {
    what: 'checkpoint',
    option: '--checkpoint',
    then: RESUME_ADVICE,
    faults: 'checkpoint',
  });
  return path;
}

/** Removes the temporary checkpoint files a killed run left in `dir` (resume never reads them). */
export function removeStaleCheckpointTemps(dir: string): Promise<string[]> {
  return removeStaleTemps(dir, (name) => FILE.test(name));
}

/** The newest complete checkpoint in `dir` (fine-tune after ADMM, higher epoch first), or undefined. */
export async function loadLatestCheckpoint(dir: string): Promise<{ path: string; checkpoint: Checkpoint } | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  const ranked = names
    .map((name) => ({ name, match: FILE.exec(name) }))
    .filter((e): e is { name: string; match: RegExpExecArray } => e.match !== null)
    .map((e) => ({ name: e.name, order: (e.match[1] === 'finetune' ? 1e6 : 0) + Number(e.match[2]) }))
    .sort((a, b) => b.order - a.order);
  const newest = ranked[0];
  if (newest === undefined) return undefined;
  const path = join(dir, newest.name);
  return { path, checkpoint: await readCheckpoint(path) };
}

/** Reads and decodes one checkpoint file. @throws FileError if it is unreadable or of another version */
export async function readCheckpoint(path: string): Promise<Checkpoint> {
  let checkpoint: Checkpoint;
  try {
    checkpoint = packr.unpack(await readFile(path)) as Checkpoint;
  } catch (err) {
    throw new FileError(
      path,
      `checkpoint ${path} is unreadable (${(err as Error).message}); delete it to resume from the one before`,
    );
  }
  if (checkpoint?.version !== CHECKPOINT_VERSION) {
    throw new FileError(
      path,
      `checkpoint ${path} has version ${checkpoint?.version}; this sqz writes version ${CHECKPOINT_VERSION}: ` +
        'rerun without --resume (or use another --checkpoint folder)',
    );
  }
  return checkpoint;
}

/** Removes this format's checkpoint files from `dir` (a fresh run must not be resumed into an older one's files). */
export async function clearCheckpoints(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(names.filter((n) => FILE.test(n)).map((n) => rm(join(dir, n), { force: true })));
}

export function weightRecord(
  kernels: ReadonlyMap<number, Float32Array>,
  biases: ReadonlyMap<number, Float32Array>,
): WeightRecord {
  return { kernels: [...kernels.entries()], biases: [...biases.entries()] };
}

export function weightMaps(record: WeightRecord): {
  kernels: Map<number, Float32Array>;
  biases: Map<number, Float32Array>;
} {
  return { kernels: new Map(record.kernels), biases: new Map(record.biases) };
}
