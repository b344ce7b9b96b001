// removeDeadUnits: drops units (output channels) that cannot change the graph's outputs.
//
// Along a chain P → [channelwise ops] → C, where P and C are dense/conv2d ops and every value between them has
// exactly one reader and is no graph output:
//   1. Find the chain. The channelwise ops (formats/ops.ts: max/avg pools, global or not, since a constant channel
//      stays constant and TF-style pools ignore padded cells; activations; reshapes) with an elementwise activation
//      (formats/activations.ts: not softmax). Every value in the
//      chain must keep the channel as the fastest-varying index: its last dimension is a multiple of P's unit
//      count M, so flat position i belongs to unit i % M (in C's input too, on the flattened or channel axis).
//   2. A unit u whose outgoing weights in C (all C-kernel rows of channel u) are zero is dropped from P and C.
//   3. A unit u whose incoming weights in P are all zero outputs the constant act(bias[u]) everywhere; the chain's
//      activations map it to a constant k. C sees k·(sum of u's rows) in every output, which folds into C's bias
//      when C is dense or a valid-padded conv (a same-padded conv sees k only inside the image, so there the unit
//      stays unless k = 0). The unit is then dropped from P and C.
//   4. Never drop P's last unit. Repeat over all chains until nothing changes (dropping C's rows can zero
//      another unit's outgoing or, through C, make C's own units dead).
// Ops whose output feeds an Add, a depthwise conv or a graph output are left alone: their channels are tied to
// other values' channels. Exact up to float rounding of the folded bias.
import { activationByName } from '../../../formats/activations.js';
import { opByName } from '../../../formats/ops.js';
import type { Activation, Graph, IROp, IRTensor } from '../graph.js';
import { cloneGraph, valueConsumers } from '../graph_utils.js';

type WeightedOp = IROp & { kernel: IRTensor };

export interface Chain {
  producer: number;
  /** Channelwise ops between producer and consumer, in order. */
  via: number[];
  consumer: number;
}

function isDenseOrConv(op: IROp): op is WeightedOp {
  return (op.type === 'dense' || op.type === 'conv2d') && op.kernel !== undefined;
}

/** Ops the chain may pass (their descriptor says `channelwise`), with an elementwise activation. */
function isChannelwise(op: IROp): boolean {
  return opByName(op.type)?.channelwise === true && activationByName(op.activation)?.elementwise === true;
}

export function findChain(graph: Graph, consumers: number[][], producer: number): Chain | undefined {
  const p = graph.ops[producer]!;
  if (!isDenseOrConv(p) || activationByName(p.activation)?.elementwise !== true) return undefined;
  const units = p.kernel.shape[p.kernel.shape.length - 1]!;
  const via: number[] = [];
  let value = p.output;
  for (;;) {
    const readers = consumers[value]!;
    if (readers.length !== 1 || graph.outputs.includes(value)) return undefined;
    const shape = graph.values[value]!.shape;
    if (shape.length === 0 || shape[shape.length - 1]! % units !== 0) return undefined;
    const op = graph.ops[readers[0]!]!;
    if (isDenseOrConv(op)) {
      if (op.inputs.length !== 1) return undefined;
      if (op.type === 'conv2d' && op.kernel.shape[2] !== shape[shape.length - 1]) return undefined;
      return { producer, via, consumer: readers[0]! };
    }
    if (!isChannelwise(op)) return undefined;
    via.push(readers[0]!);
    value = op.output;
  }
}

/** The IR's activation on one number: its descriptor's f64 formula (formats/activations.ts). */
function activate(x: number, activation: Activation, clipMax: number | undefined): number {
  const descriptor = activationByName(clipMax === undefined ? activation : 'relu-clip');
  if (descriptor?.apply === undefined)
    throw new Error(`removeDeadUnits: activation '${activation}' is not elementwise`);
  return descriptor.apply(x, clipMax ?? 0);
}

/** Index of each of C's kernel rows' unit: dense row r → r % M; conv input channel c → c % M. */
function consumerRowUnits(
  c: WeightedOp,
  units: number,
): { rows: number; perRow: number; unitOf: (row: number) => number } {
  if (c.type === 'dense') {
    const [rows, outs] = c.kernel.shape as [number, number];
    return { rows, perRow: outs, unitOf: (r) => r % units };
  }
  const [, , cin, outs] = c.kernel.shape as [number, number, number, number];
  return { rows: cin, perRow: outs, unitOf: (r) => r % units };
}

/**
 * Visits C's kernel entries grouped by the P-unit feeding them: fn(unit, out, value). Dense [N, O]: entry
 * (r, o); conv [KH, KW, Cin, O]: entry (kh, kw, c, o) with unit c % M.
 */
function forEachConsumerWeight(
  c: WeightedOp,
  units: number,
  fn: (unit: number, out: number, value: number) => void,
): void {
  const { rows, perRow } = consumerRowUnits(c, units);
  const values = c.kernel.values;
  for (let i = 0; i < values.length; i++) {
    const out = i % perRow;
    const row = Math.floor(i / perRow) % rows;
    fn(row % units, out, values[i]!);
  }
}

/** Keeps the entries of `t` whose index along `axis` satisfies `keep`. */
function filterAxis(t: IRTensor, axis: number, keep: (index: number) => boolean): IRTensor {
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const dim = t.shape[axis]!;
  const kept = Array.from({ length: dim }, (_, i) => i).filter(keep);
  const outer = t.values.length / (dim * inner);
  const values = new Float32Array(outer * kept.length * inner);
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const k of kept) {
      values.set(t.values.subarray((a * dim + k) * inner, (a * dim + k + 1) * inner), o);
      o += inner;
    }
  }
  const shape = [...t.shape];
  shape[axis] = kept.length;
  return { shape, values };
}

/** Applies one round of steps 2–3 to a chain; returns whether anything changed. */
function pruneChain(graph: Graph, chain: Chain): boolean {
  const p = graph.ops[chain.producer] as WeightedOp;
  const c = graph.ops[chain.consumer] as WeightedOp;
  const units = p.kernel.shape[p.kernel.shape.length - 1]!;
  const incomingNonzero = new Uint8Array(units);
  p.kernel.values.forEach((v, i) => {
    if (v !== 0) incomingNonzero[i % units] = 1;
  });
  const outgoingNonzero = new Uint8Array(units);
  forEachConsumerWeight(c, units, (u, _o, v) => {
    if (v !== 0) outgoingNonzero[u] = 1;
  });

  // Constant each unit's channel has when it reaches C, for units with zero incoming weights.
  const constant = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    let k = activate(p.bias?.values[u] ?? 0, p.activation, p.clipMax);
    for (const v of chain.via) {
      const op = graph.ops[v]!;
      if (op.type === 'activation') k = activate(k, op.activation, op.clipMax);
    }
    constant[u] = k;
  }

  const drop = new Set<number>();
  for (let u = 0; u < units; u++) {
    if (!outgoingNonzero[u]) drop.add(u);
    else if (!incomingNonzero[u] && (constant[u] === 0 || c.type === 'dense' || c.padding !== 'same')) drop.add(u);
  }
  if (drop.size === units) drop.delete(drop.values().next().value!); // keep one unit (step 4)
  if (drop.size === 0) return false;

  // Fold the constants of dropped units with live outgoing weights into C's bias (in f64).
  const outs = c.kernel.shape[c.kernel.shape.length - 1]!;
  const extra = new Float64Array(outs);
  let folded = false;
  forEachConsumerWeight(c, units, (u, o, v) => {
    if (drop.has(u) && constant[u] !== 0 && v !== 0) {
      extra[o] += constant[u]! * v;
      folded = true;
    }
  });
  if (folded) {
    const bias = new Float32Array(outs);
    for (let o = 0; o < outs; o++) bias[o] = (c.bias?.values[o] ?? 0) + extra[o]!;
    c.bias = { shape: [outs], values: bias };
  }

  const keep = (u: number) => !drop.has(u);
  p.kernel = filterAxis(p.kernel, p.kernel.shape.length - 1, keep);
  if (p.bias) p.bias = filterAxis(p.bias, 0, keep);
  c.kernel = filterAxis(c.kernel, c.type === 'dense' ? 0 : 2, (row) => keep(row % units));
  const kept = units - drop.size;
  for (const value of [p.output, ...chain.via.map((v) => graph.ops[v]!.output)]) {
    const shape = graph.values[value]!.shape;
    shape[shape.length - 1] = (shape[shape.length - 1]! / units) * kept;
  }
  return true;
}

/**
 * Returns a new graph without dead units (see the header for the rules); `graph` is not modified.
 * Kernel and bias shapes and the shapes of values between each pruned pair shrink accordingly.
 */
export function removeDeadUnits(graph: Graph): Graph {
  const out = cloneGraph(graph);
  let changed = true;
  while (changed) {
    changed = false;
    const consumers = valueConsumers(out);
    for (let i = 0; i < out.ops.length; i++) {
      const chain = findChain(out, consumers, i);
      if (chain !== undefined && pruneChain(out, chain)) changed = true;
    }
  }
  return out;
}
