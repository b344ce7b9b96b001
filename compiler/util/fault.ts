// Fault injection for the interruption tests (test/compiler/compress/interruptions.test.ts, bench/interruptions.ts):
// a run of `sqz compress` can be made to die by SIGKILL, or to meet a full disk, at an exact point instead of at
// a timer's whim. It is off unless the environment variable SQZ_FAULT holds a spec:
//
//   SQZ_FAULT=<action>:<point>:<n>      the n-th time (1-based) this process reaches <point>, do <action>
//
//   action  kill     process.kill(process.pid, 'SIGKILL'): nothing after it runs, not even `finally` blocks
//           enospc   throw the error a full disk gives (code ENOSPC), at a write point only
//           crash    an uncaught exception in a training worker (worker-step only)
//           oom      a training worker fills its JavaScript heap until V8 stops it (worker-step only; the
//                    workers' heaps are capped while this is armed, so it takes a second)
//           diverge  the n-th SGD step's loss reads NaN, as a blown-up step's does (epoch-step only; once), so the
//                    run's own divergence handling takes over (stepLoss)
//   point   epoch-step           after each SGD step (ADMM and fine-tune), n counts steps in this process
//           worker-step          after a worker computed its shard's gradients (--workers N > 1), in the last
//                                worker only; n counts that worker's steps
//           <file>-partial       half of the bytes are in the temporary file `<final>.tmp-<pid>`
//           <file>-temp          all of them are, before the rename over the final name
//           <file>-renamed       right after the rename (kill only)
//           with <file> one of checkpoint, export (the .sqz), report (--report JSON)
//
// A malformed spec is refused (UsageError) when compress starts, so a typo cannot pass for "no fault". When the
// variable is unset every hook is one comparison against undefined.
import { appendFile, writeFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';

/** The files whose atomic writes have fault points. */
const FAULT_FILES = ['checkpoint', 'export', 'report'] as const;
export type FaultFile = (typeof FAULT_FILES)[number];
const STAGES = ['partial', 'temp', 'renamed'] as const;
/** Every point a spec can name. */
export const FAULT_POINTS = [
  'epoch-step',
  'worker-step',
  ...FAULT_FILES.flatMap((f) => STAGES.map((s) => `${f}-${s}` as const)),
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];
const FAULT_ACTIONS = ['kill', 'enospc', 'crash', 'oom', 'diverge'] as const;
type FaultAction = (typeof FAULT_ACTIONS)[number];

export interface FaultSpec {
  action: FaultAction;
  point: FaultPoint;
  /** Which occurrence of the point fires (1 = the first). */
  occurrence: number;
}

const ENV = 'SQZ_FAULT';
let parsed: { spec: FaultSpec | undefined } | undefined;
let reached = 0;
let diverged = false;

/** Reads SQZ_FAULT into a spec, or undefined when it is unset or empty. @throws UsageError if it is malformed */
export function parseFaultSpec(text: string | undefined): FaultSpec | undefined {
  if (text === undefined || text === '') return undefined;
  const refuse = (why: string) =>
    new UsageError(
      `${ENV}='${text}' ${why}; the form is ACTION:POINT:N with ACTION one of ` +
        `${FAULT_ACTIONS.join(', ')} and POINT one of ${FAULT_POINTS.join(', ')} (unset ${ENV} for a normal run)`,
    );
  const [action, point, n, ...rest] = text.split(':');
  if (rest.length > 0 || n === undefined) throw refuse('is not a fault spec');
  if (!(FAULT_ACTIONS as readonly string[]).includes(action!)) throw refuse(`names an unknown action '${action}'`);
  if (!(FAULT_POINTS as readonly string[]).includes(point!)) throw refuse(`names an unknown point '${point}'`);
  if (!/^[1-9]\d{0,8}$/.test(n)) throw refuse(`has occurrence '${n}', not a whole number ≥ 1`);
  if (action === 'enospc' && !/-(partial|temp)$/.test(point!)) throw refuse('asks for ENOSPC where nothing is written');
  if ((action === 'crash' || action === 'oom') && point !== 'worker-step')
    throw refuse(`asks for ${action} outside a training worker (the point is worker-step)`);
  if (action === 'diverge' && point !== 'epoch-step')
    throw refuse('asks for diverge outside an SGD step (the point is epoch-step)');
  return { action: action as FaultAction, point: point as FaultPoint, occurrence: Number(n) };
}

/** The armed spec of this process (SQZ_FAULT, parsed once). @throws UsageError if SQZ_FAULT is malformed */
export function armedFault(): FaultSpec | undefined {
  parsed ??= { spec: parseFaultSpec(process.env[ENV]) };
  return parsed.spec;
}

/** Marks that the process reached `point`; fires the armed fault if this is its occurrence. */
export function faultPoint(point: FaultPoint, path?: string): void {
  const spec = armedFault();
  if (spec === undefined || spec.point !== point || ++reached !== spec.occurrence) return;
  if (spec.action === 'diverge') return; // acted through stepLoss
  if (spec.action === 'enospc') {
    throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}' (injected by ${ENV})`), {
      code: 'ENOSPC',
      errno: -28,
      syscall: 'write',
      path,
    });
  }
  if (spec.action === 'crash') throw new Error(`injected crash (${ENV})`);
  if (spec.action === 'oom') exhaustHeap();
  process.kill(process.pid, 'SIGKILL');
  // The signal is delivered at once; block rather than run on in the meantime.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
  throw new Error(`${ENV}: SIGKILL did not end the process`);
}

/**
 * An SGD step's loss as the run judges it: NaN at the step an armed `diverge:epoch-step:n` names (the step that
 * would reach epoch-step for the n-th time), once; the loss itself otherwise.
 */
export function stepLoss(loss: number): number {
  const spec = armedFault();
  if (spec?.action !== 'diverge' || diverged || reached + 1 !== spec.occurrence) return loss;
  diverged = true;
  return Number.NaN;
}

/** Allocates until V8 stops the thread for running out of heap (a worker with a capped heap: a second or so). */
function exhaustHeap(): never {
  const hog: number[][] = [];
  for (;;) hog.push(Array.from({ length: 1 << 16 }, (_, i) => i + 0.5));
}

/**
 * Writes `bytes` to the temporary file `temp` of a `file` write. When a fault is armed it writes half, passes the
 * `<file>-partial` point, then the rest; otherwise it is one writeFile.
 */
export async function writeTempFile(temp: string, bytes: Uint8Array, file: FaultFile | undefined): Promise<void> {
  if (file === undefined || armedFault() === undefined) return writeFile(temp, bytes);
  const half = bytes.length >> 1;
  await writeFile(temp, bytes.subarray(0, half));
  faultPoint(`${file}-partial`, temp);
  await appendFile(temp, bytes.subarray(half));
}
