// The trainable state of a compression run: one tf.Variable per kernel and bias, SGD momentum buffers, and
// conversions to and from plain Float32Arrays (for projections and checkpoints).
import * as tf from '@tensorflow/tfjs-core';
import type { Graph } from '../ir/graph.js';
import type { OpParams } from '../ir/forward.js';

export interface OpVariables {
  kernel?: tf.Variable;
  bias?: tf.Variable;
}

/** Plain-array image of the variables: opIndex → values. */
export interface WeightArrays {
  kernels: Map<number, Float32Array>;
  biases: Map<number, Float32Array>;
}

export class TrainState {
  readonly vars: (OpVariables | undefined)[];
  /** Same order as `list`. */
  readonly momentum: tf.Variable[];
  /** Every variable, kernels then bias per op, in op order. */
  readonly list: tf.Variable[];

  constructor(readonly graph: Graph) {
    this.vars = graph.ops.map((op) => {
      if (!op.kernel && !op.bias) return undefined;
      return {
        kernel: op.kernel ? tf.variable(tf.tensor(op.kernel.values, op.kernel.shape, 'float32')) : undefined,
        bias: op.bias ? tf.variable(tf.tensor(op.bias.values, op.bias.shape, 'float32')) : undefined,
      };
    });
    this.list = this.vars.flatMap((v) =>
      v ? [v.kernel, v.bias].filter((x): x is tf.Variable => x !== undefined) : [],
    );
    this.momentum = this.list.map((v) => tf.variable(tf.zerosLike(v), false));
  }

  /** Parameters for forward(): the variables of op `opIndex`. */
  readonly params = (opIndex: number): OpParams | undefined => this.vars[opIndex];

  kernel(opIndex: number): tf.Variable {
    const v = this.vars[opIndex]?.kernel;
    if (!v) throw new Error(`TrainState: op ${opIndex} has no kernel`);
    return v;
  }

  /** Copies of every kernel and bias. */
  read(): WeightArrays {
    const kernels = new Map<number, Float32Array>();
    const biases = new Map<number, Float32Array>();
    this.vars.forEach((v, i) => {
      if (v?.kernel) kernels.set(i, v.kernel.dataSync().slice() as Float32Array);
      if (v?.bias) biases.set(i, v.bias.dataSync().slice() as Float32Array);
    });
    return { kernels, biases };
  }

  readBiases(): Map<number, Float32Array> {
    const biases = new Map<number, Float32Array>();
    this.vars.forEach((v, i) => {
      if (v?.bias) biases.set(i, v.bias.dataSync().slice() as Float32Array);
    });
    return biases;
  }

  /** Overwrites variables from arrays (missing entries are left alone). */
  write(weights: Partial<WeightArrays>): void {
    this.vars.forEach((v, i) => {
      const k = weights.kernels?.get(i);
      if (v?.kernel && k) assignArray(v.kernel, k);
      const b = weights.biases?.get(i);
      if (v?.bias && b) assignArray(v.bias, b);
    });
  }

  readMomentum(): Float32Array[] {
    return this.momentum.map((m) => m.dataSync().slice() as Float32Array);
  }

  writeMomentum(values: readonly Float32Array[]): void {
    if (values.length !== this.momentum.length) {
      throw new Error(
        `TrainState: checkpoint has ${values.length} momentum buffers, the model needs ${this.momentum.length}`,
      );
    }
    this.momentum.forEach((m, i) => assignArray(m, values[i]!));
  }

  /** Back to the graph's own weights (what the constructor loaded), momentum zero. */
  restoreGraphWeights(): void {
    this.vars.forEach((v, i) => {
      const op = this.graph.ops[i]!;
      if (v?.kernel && op.kernel) assignArray(v.kernel, op.kernel.values);
      if (v?.bias && op.bias) assignArray(v.bias, op.bias.values);
    });
    this.resetMomentum();
  }

  resetMomentum(): void {
    for (const m of this.momentum) m.assign(tf.zerosLike(m));
  }

  dispose(): void {
    for (const v of [...this.list, ...this.momentum]) v.dispose();
  }
}

export function assignArray(variable: tf.Variable, values: Float32Array): void {
  if (values.length !== variable.size) {
    throw new Error(
      `assignArray: ${values.length} values for a variable of ${variable.size} (shape ${variable.shape})`,
    );
  }
  tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, 'float32')));
}
