// Run: every op in order over the planned arena. Nothing here allocates or checks shapes: load proved them.

import {
  OP_ACTIVATION, OP_ADD, OP_AVG_POOL2D, OP_CONV2D, OP_DENSE, OP_DEPTHWISE_CONV2D, OP_GLOBAL_AVG_POOL2D,
  OP_GLOBAL_MAX_POOL2D, OP_MAX_POOL2D, OP_RESHAPE,
} from '../formats/constants';
import { opAt, opCount, opInput, valueAt } from './model';
import { valuePointer } from './planner';
import { applyActivation, evalActivation } from './kernels/activation';
import { evalAdd } from './kernels/add';
import { evalAvgPool2d } from './kernels/avg_pool2d';
import { evalConv2d } from './kernels/conv2d';
import { evalDense } from './kernels/dense';
import { evalDepthwiseConv2d } from './kernels/depthwise_conv2d';
import { evalGlobalPool2d } from './kernels/global_pool2d';
import { evalMaxPool2d } from './kernels/max_pool2d';
import { evalReshape } from './kernels/reshape';

/** Runs the model on `batch` samples (1 ≤ batch ≤ planned batch, checked by the caller). */
export function runOps(batch: u32): void {
  for (let i: u32 = 0; i < opCount; i++) {
    let op = opAt(i);
    let x = valuePointer(opInput(op, 0));
    let out = valuePointer(op.output);
    switch (op.type) {
      case OP_DENSE: evalDense(op, x, out, batch); break;
      case OP_CONV2D: evalConv2d(op, x, out, batch); break;
      case OP_DEPTHWISE_CONV2D: evalDepthwiseConv2d(op, x, out, batch); break;
      case OP_MAX_POOL2D: evalMaxPool2d(op, x, out, batch); break;
      case OP_AVG_POOL2D: evalAvgPool2d(op, x, out, batch); break;
      case OP_GLOBAL_AVG_POOL2D: evalGlobalPool2d(op, x, out, batch, true); break;
      case OP_GLOBAL_MAX_POOL2D: evalGlobalPool2d(op, x, out, batch, false); break;
      case OP_ACTIVATION: evalActivation(op, x, out, batch); break;
      case OP_ADD: evalAdd(op, x, out, batch); break;
      case OP_RESHAPE: evalReshape(op, x, out, batch); break;
    }
    applyActivation(out, valueAt(op.output).size * batch, op.activation, op.clipMax, <u32>op.lastAxis);
  }
}
