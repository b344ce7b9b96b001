// Which kept weights would the file drop? removeDeadUnits (compiler/ir/passes) removes every unit whose outgoing
// weights are all zero, together with its incoming weights, and that can cascade upstream. At high compression
// a plain magnitude knapsack keeps many such weights (a large weight into a unit nothing reads), spending budget
// on bytes that never reach the file. This finds them from the masks alone, so the projection can exclude them
// and spend the budget on weights that stay.
import type { Graph } from '../ir/graph.js';
import { valueConsumers } from '../ir/graph_utils.js';
import { findChain } from '../ir/passes/remove_dead_units.js';
import type { CompressibleLayer } from './layers.js';

interface Link {
  /** Layer indexes (into `layers`) of producer and consumer. */
  producer: number;
  consumer: number;
  /** Units (output channels) of the producer. */
  units: number;
  /** Consumer kernel entry → producer unit, one entry per consumer kernel entry. */
  unitOfEntry: Int32Array;
}

/** The producer → consumer links removeDeadUnits prunes along, between compressible layers. */
export function unitLinks(graph: Graph, layers: readonly CompressibleLayer[]): Link[] {
  const consumers = valueConsumers(graph);
  const layerOfOp = new Map(layers.map((l, i) => [l.opIndex, i]));
  const links: Link[] = [];
  for (const layer of layers) {
    const chain = findChain(graph, consumers, layer.opIndex);
    if (!chain) continue;
    const consumer = layerOfOp.get(chain.consumer);
    if (consumer === undefined) continue;
    const units = layer.shape[layer.shape.length - 1]!;
    const c = layers[consumer]!;
    const outs = c.shape[c.shape.length - 1]!;
    const rows = c.type === 'dense' ? c.shape[0]! : c.shape[2]!;
    links.push({
      producer: layerOfOp.get(layer.opIndex)!,
      consumer,
      units,
      unitOfEntry: Int32Array.from({ length: c.n }, (_, j) => (Math.floor(j / outs) % rows) % units),
    });
  }
  return links;
}

/**
 * Marks in `dead` (one array per layer, same length as the kernel) the kept entries of `masks` that feed a unit
 * with no kept outgoing weight, or leave a unit with no kept incoming weight, cascading to a fixed point. Returns
 * how many were marked. `masks` is not changed.
 */
export function markDeadWeights(links: readonly Link[], masks: readonly Uint8Array[], dead: Uint8Array[]): number {
  const live = masks.map((m, i) => {
    const out = m.slice();
    const d = dead[i]!;
    for (let j = 0; j < out.length; j++) if (d[j]) out[j] = 0;
    return out;
  });
  let marked = 0;
  let changed = true;
  while (changed) {
    changed = false;
    for (const link of links) {
      const outgoing = new Uint8Array(link.units);
      const c = live[link.consumer]!;
      const unitOf = link.unitOfEntry;
      for (let j = 0; j < c.length; j++) if (c[j]) outgoing[unitOf[j]!] = 1;
      let any = false;
      for (let u = 0; u < link.units; u++) if (outgoing[u]) any = true;
      if (!any) continue; // removeDeadUnits keeps a layer's last unit; leave such layers alone
      const p = live[link.producer]!;
      const d = dead[link.producer]!;
      const incoming = new Uint8Array(link.units);
      for (let j = 0; j < p.length; j++) {
        if (p[j] && !outgoing[j % link.units]) {
          p[j] = 0;
          d[j] = 1;
          marked++;
          changed = true;
        }
        if (p[j]) incoming[j % link.units] = 1;
      }
      // A unit with no incoming weight is a constant: its outgoing weights fold into the consumer's bias and
      // carry no signal, so they are not worth budget either.
      const dc = dead[link.consumer]!;
      for (let j = 0; j < c.length; j++) {
        if (c[j] && !incoming[unitOf[j]!]) {
          c[j] = 0;
          dc[j] = 1;
          marked++;
          changed = true;
        }
      }
    }
  }
  return marked;
}
