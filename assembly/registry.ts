// The kernel registry: for each op code, the functions of its kernel and what load needs to know about it, so graph
// checks, prepare and run dispatch by code instead of switching on it. Each kernel file (kernels/, one op per file)
// exports a register function; kernels/index.ts calls those of the ops this build contains (features.ts) once, when
// the module starts. An op code with no entry is refused at load (graph.ts), never run as something else.
//
// Per op:
//   prepare(op, index) → ERR_*   checks shapes, strides, windows and bias lengths; sets the op's geometry; allocates
//                                 nothing (every op)
//   eval(op, x, out, batch)      computes the op's output before its fused activation; allocates nothing (every op)
//   arity                        how many input values it reads
// and, for ops with a weight that can run from the compressed form (registerCompressed):
//   sparse limit                 EXEC_AUTO runs the weight compressed when stored sparse at or below this density (‰)
//   plan(op, i, weight) → bytes     after the weight's exec is chosen: requests scratch, chooses the compressed path,
//                                 returns the heap bytes it takes at load (allocates nothing), or PLAN_REFUSED after
//                                 recording an error (a path this build lacks)
//   allocate(op, weight) → bool  after the memory pre-check: allocates and fills exactly what plan counted

import { OP_COUNT } from '../formats/constants';
import { Op, Tensor } from './model';

export type PrepareFn = (op: Op, index: u32) => i32;
export type EvalFn = (op: Op, x: usize, out: usize, batch: u32) => void;
export type PlanFn = (op: Op, index: u32, weight: Tensor) => u64;

/** What a plan hook returns after recording an error. */
export const PLAN_REFUSED: u64 = u64.MAX_VALUE;
export type AllocateFn = (op: Op, weight: Tensor) => bool;

/** One op's entry. Functions are the addresses of their static function objects (0 = none). */
@unmanaged export class Kernel {
  prepare: usize;
  eval: usize;
  plan: usize;
  allocate: usize;
  minInputs: u32;
  maxInputs: u32;
  /** EXEC_AUTO's density limit for the compressed path, in ‰; 0 when the op has no compressed path. */
  sparseLimitPermille: u32;
  /** 1 once registered. */
  present: u32;
}

const KERNEL_BYTES: usize = 32;
const entries: usize = memory.data(<i32>(OP_COUNT * 32));
/** The op code registered twice, if any (a build error that every load then reports): 0 = none. */
export let registeredTwice: u32 = 0;

@inline function entryAt(code: u32): Kernel {
  return changetype<Kernel>(entries + <usize>code * KERNEL_BYTES);
}

/** The kernel of op `code`, or null when the code is unknown or has no kernel in this build. */
export function kernelOf(code: u32): Kernel | null {
  if (code == 0 || code >= <u32>OP_COUNT) return null;
  let kernel = entryAt(code);
  return kernel.present != 0 ? kernel : null;
}

/** Registers op `code`'s kernel: it reads `minInputs`..`maxInputs` values. */
export function registerKernel(code: u32, minInputs: u32, maxInputs: u32, prepare: PrepareFn, evaluate: EvalFn): void {
  let kernel = entryAt(code);
  if (kernel.present != 0) registeredTwice = code;
  kernel.present = 1;
  kernel.minInputs = minInputs;
  kernel.maxInputs = maxInputs;
  kernel.prepare = changetype<usize>(prepare);
  kernel.eval = changetype<usize>(evaluate);
}

/** Gives op `code` (registered already) a compressed path for its weight: EXEC_AUTO's limit, plan and allocate. */
export function registerCompressed(code: u32, sparseLimitPermille: u32, plan: PlanFn, allocate: AllocateFn | null): void {
  let kernel = entryAt(code);
  kernel.sparseLimitPermille = sparseLimitPermille;
  kernel.plan = changetype<usize>(plan);
  kernel.allocate = changetype<usize>(allocate);
}

@inline export function prepareWith(kernel: Kernel, op: Op, index: u32): i32 {
  return changetype<PrepareFn>(kernel.prepare)(op, index);
}

@inline export function evalWith(kernel: Kernel, op: Op, x: usize, out: usize, batch: u32): void {
  changetype<EvalFn>(kernel.eval)(op, x, out, batch);
}

/** The op's plan hook (0 bytes when it has none). */
@inline export function planWith(kernel: Kernel, op: Op, index: u32, weight: Tensor): u64 {
  return kernel.plan != 0 ? changetype<PlanFn>(kernel.plan)(op, index, weight) : 0;
}

/** The op's allocate hook (true when it has none). False on ERR_MEMORY. */
@inline export function allocateWith(kernel: Kernel, op: Op, weight: Tensor): bool {
  return kernel.allocate == 0 || changetype<AllocateFn>(kernel.allocate)(op, weight);
}
