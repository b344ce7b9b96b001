// Whether the classifier keeps its hidden dense layer. At the highest ratios the joint projection of the given
// model opens fewer hidden units than the classifier has outputs (LeNet-5 on Fashion-MNIST at 1000×: 1 of 500
// units for 10 classes), a bottleneck narrower than the map it feeds. The simplest model a user could train
// instead has no such layer: conv → conv → classifier. So there sqz replaces the pair by one dense layer, fitted
// to the pair's outputs (collapse_fit.ts), and compresses that. The decision uses ADMM's own first projection
// (step 0: importance 1, three measured rounds, the probe loss judging layouts), so it depends only on the model,
// the data and the target, never on the seed.
import { subset, type Split } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { collapseDensePair, lastDensePair } from '../ir/passes/collapse_dense.js';
import { fitCollapsedPair } from './collapse_fit.js';
import { initialCosts, projectJoint, type ProjectionSetup } from './joint_projection.js';

/** Training samples the collapsed layer is fitted on (stratified, deterministic). */
const FIT_SAMPLES = 8192;

/** What a collapse did, for the log and the report. */
export interface HeadCollapse {
  /** The hidden dense layer removed. */
  removed: string;
  /** The dense layer that now reads the removed layer's input. */
  into: string;
  /** Hidden units the first projection of the given model kept. */
  keptUnits: number;
  /** Outputs of the layer after it. */
  outputs: number;
}

/**
 * The graph to compress: `setup.graph` itself, or, when the first projection at `targetBytes` keeps fewer units
 * of its last hidden dense layer than the next layer has outputs, the graph without that layer.
 */
export function collapseNarrowHead(
  setup: ProjectionSetup,
  targetBytes: number,
  train: Split,
  inputShape: readonly number[],
): { graph: Graph; collapse?: HeadCollapse } {
  const { graph, layers } = setup;
  const pair = lastDensePair(graph);
  if (!pair) return { graph };
  const hiddenLayer = layers.findIndex((l) => l.opIndex === pair.hidden);
  const biases = new Map<number, Float32Array>();
  graph.ops.forEach((op, i) => {
    if (op.bias) biases.set(i, op.bias.values);
  });
  const z = layers.map((l) => graph.ops[l.opIndex]!.kernel!.values);
  const first = projectJoint(setup, z, biases, initialCosts(setup, biases, targetBytes), targetBytes, {
    rounds: 3,
    searchBits: true,
    widthMoves: false,
  });
  const keptUnits = first.costs.live.units[hiddenLayer]!;
  const outputs = graph.ops[pair.next]!.kernel!.shape[1]!;
  if (keptUnits >= outputs) return { graph };
  const fit = fitCollapsedPair(graph, pair, subset(train, FIT_SAMPLES), inputShape);
  return {
    graph: collapseDensePair(graph, pair, fit.kernel, fit.bias),
    collapse: { removed: graph.ops[pair.hidden]!.name, into: graph.ops[pair.next]!.name, keptUnits, outputs },
  };
}
