// Progress display: one cli-progress bar per epoch with the optimizer's vital signs, or nothing when quiet.
import cliProgress from 'cli-progress';

interface EpochStats {
  loss: number;
  /** ‖W − V‖ / ‖W‖ after the last projection. */
  residual: number;
  nnz: number;
  bits: string;
  /** Real bytes of the last projection's file. */
  bytes: number;
}

export interface Progress {
  startEpoch(label: string, steps: number): void;
  update(step: number, stats: EpochStats): void;
  endEpoch(): void;
  log(line: string): void;
  /** A line that must reach the user even when quiet (a result no one would want). */
  warn(line: string): void;
}

/** A bar per epoch on stderr; plain lines when stderr is not a TTY. */
export function createProgress(quiet: boolean): Progress {
  const warn = (line: string) => {
    process.stderr.write(`WARNING: ${line}\n`);
  };
  if (quiet) return { startEpoch() {}, update() {}, endEpoch() {}, log() {}, warn };
  let bar: cliProgress.SingleBar | undefined;
  return {
    startEpoch(label, steps) {
      bar = new cliProgress.SingleBar(
        {
          format: `${label} |{bar}| {value}/{total} | loss {loss} | ‖W−V‖ {residual} | nnz {nnz} | bits {bits} | {bytes} B | ETA {eta_formatted}`,
          stream: process.stderr,
          hideCursor: true,
          noTTYOutput: true,
          notTTYSchedule: 10_000,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(steps, 0, { loss: '-', residual: '-', nnz: '-', bits: '-', bytes: '-' });
    },
    update(step, s) {
      bar?.update(step, {
        loss: s.loss.toFixed(4),
        residual: s.residual.toExponential(2),
        nnz: s.nnz,
        bits: s.bits,
        bytes: s.bytes,
      });
    },
    endEpoch() {
      bar?.stop();
      bar = undefined;
    },
    log(line) {
      process.stderr.write(`${line}\n`);
    },
    warn,
  };
}
