// The importer's working graph: the IR plus two op kinds that exist only until import finishes
// (BatchNormalization, folded or rewritten; and identities such as Dropout, removed).
import type { IROp, IRValue } from '../ir/graph.js';

/** Inference-time BatchNormalization over the last axis: y = x · scale[c] + shift[c]. */
export interface BatchNormOp {
  type: 'batchNorm';
  name: string;
  inputs: [number];
  output: number;
  scale: Float32Array;
  shift: Float32Array;
}

/** A layer that passes its input through at inference (Dropout, linear Activation...). */
interface IdentityOp {
  type: 'identity';
  name: string;
  inputs: [number];
  output: number;
}

export type RawOp = IROp | BatchNormOp | IdentityOp;

export interface RawGraph {
  values: IRValue[];
  /** In execution order. */
  ops: RawOp[];
  inputs: number[];
  outputs: number[];
}

/** Appends a value and returns its index. */
export function addValue(graph: RawGraph, name: string, shape: number[]): number {
  graph.values.push({ name, shape: [...shape] });
  return graph.values.length - 1;
}

/** For each value index, the indices of the ops reading it (an op reading a value twice counts twice). */
export function rawConsumers(graph: RawGraph): number[][] {
  const consumers: number[][] = graph.values.map(() => []);
  graph.ops.forEach((op, i) => op.inputs.forEach((v) => consumers[v]!.push(i)));
  return consumers;
}

/** For each value index, the index of the op writing it, or -1 for graph inputs and unused values. */
export function rawProducers(graph: RawGraph): number[] {
  const producers = graph.values.map(() => -1);
  graph.ops.forEach((op, i) => {
    producers[op.output] = i;
  });
  return producers;
}
