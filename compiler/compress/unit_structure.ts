// Units of the compressible layers, as the structured knapsack prices them. A unit (dense unit, conv output
// channel) of a layer is removable when removeDeadUnits can take it out: the layer feeds exactly one other
// compressible layer through channelwise ops (dead_weights.ts unitLinks). Removing it frees its own weights, its
// bias, and its rows in that consumer.
//
// Live-weight bits are shared along a link: the block of consumer weights a producer unit feeds is paid half by
// the producer's unit and half by the consumer's unit when both can be removed (all by the producer when the
// consumer's units stay). So the items' costs add up to the file's, with no block counted twice, and each side
// sees what removing one of its units saves downstream.
import type { Graph } from '../ir/graph.js';
import { unitLinks } from './dead_weights.js';
import type { CompressibleLayer } from './layers.js';

export interface LayerUnits {
  /** Units: the kernel's last axis. Weight j belongs to unit j % units. */
  units: number;
  /** Kernel entries per unit (all other axes). */
  rows: number;
  hasBias: boolean;
  /** The compressible layer this one's units feed, with the consumer's rows per unit of this layer. */
  consumer?: { layer: number; rowsPerUnit: number };
  /** The compressible layer feeding this one's rows (this layer is its consumer). */
  producer?: number;
}

export function layerUnits(graph: Graph, layers: readonly CompressibleLayer[]): LayerUnits[] {
  const out: LayerUnits[] = layers.map((l) => {
    const units = l.shape[l.shape.length - 1]!;
    return { units, rows: l.n / units, hasBias: graph.ops[l.opIndex]!.bias !== undefined };
  });
  for (const link of unitLinks(graph, layers)) {
    out[link.producer]!.consumer = { layer: link.consumer, rowsPerUnit: out[link.consumer]!.rows / link.units };
    out[link.consumer]!.producer = link.producer;
  }
  return out;
}

/** Units that can be removed (they feed one compressible consumer). */
export function removable(u: LayerUnits): boolean {
  return u.consumer !== undefined;
}

/** Live units of each layer (units with a kept weight) and live rows (rows fed by a live producer unit). */
export function liveCounts(
  structure: readonly LayerUnits[],
  masks: readonly Uint8Array[],
): { units: number[]; rows: number[] } {
  const units = masks.map((mask, i) => {
    const n = structure[i]!.units;
    const live = new Uint8Array(n);
    for (let j = 0; j < mask.length; j++) if (mask[j] !== 0) live[j % n] = 1;
    return live.reduce((s, x) => s + x, 0);
  });
  const rows = structure.map((s) =>
    s.producer === undefined ? s.rows : (s.rows / structure[s.producer]!.units) * units[s.producer]!,
  );
  return { units, rows };
}

/**
 * Bits to open one unit of layer i whose live weights cost `alpha[i]` bits each (see the header): its share of
 * its own live rows, its share of its consumer's slice, and its bias.
 */
export function unitSetupBits(
  structure: readonly LayerUnits[],
  i: number,
  alpha: readonly number[],
  live: { units: number[]; rows: number[] },
  biasBits: number,
): number {
  const s = structure[i]!;
  const ownShare = s.producer === undefined ? 1 : 0.5;
  let bits = alpha[i]! * live.rows[i]! * ownShare + (s.hasBias ? biasBits : 0);
  if (s.consumer) {
    const c = structure[s.consumer.layer]!;
    const share = removable(c) ? 0.5 : 1;
    bits += alpha[s.consumer.layer]! * s.consumer.rowsPerUnit * live.units[s.consumer.layer]! * share;
  }
  return bits;
}

/**
 * Live-weight bits no unit pays: layers whose units stay and whose rows no removable unit feeds (a model's only
 * layer, say). Fixed for given bits.
 */
export function unownedLiveBits(structure: readonly LayerUnits[], alpha: readonly number[]): number {
  return structure.reduce(
    (sum, s, i) => (removable(s) || s.producer !== undefined ? sum : sum + alpha[i]! * s.rows * s.units),
    0,
  );
}
