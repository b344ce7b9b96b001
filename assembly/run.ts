// Run: every op in order over the planned arena, each through its kernel's eval (registry.ts), then the op's fused
// activation. Nothing here allocates or checks shapes: load proved them.

import { opAt, opCount, opInput, valueAt } from './model';
import { valuePointer } from './planner';
import { Kernel, evalWith } from './registry';
import { applyActivation } from './kernels/activation';

/** Runs the model on `batch` samples (1 ≤ batch ≤ planned batch, checked by the caller). */
export function runOps(batch: u32): void {
  for (let i: u32 = 0; i < opCount; i++) {
    let op = opAt(i);
    let out = valuePointer(op.output);
    evalWith(changetype<Kernel>(op.kernel), op, valuePointer(opInput(op, 0)), out, batch);
    applyActivation(out, valueAt(op.output).size * batch, op.activation, op.clipMax, <u32>op.lastAxis);
  }
}
