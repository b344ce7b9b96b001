// Whether the classifier keeps its hidden dense layer. At the highest ratios the joint projection of the given
// model can open only a handful of hidden units (LeNet-5 on Fashion-MNIST at 1000×: 1 of 500 units for 10
// classes), a bottleneck far narrower than the map it feeds. The simplest model a user could train instead has no
// such layer: conv → conv → classifier. So there sqz replaces the pair by one dense layer, fitted to the pair's
// outputs (collapse_fit.ts), and compresses that. The decision uses ADMM's own first projection (step 0:
// importance 1, three measured rounds, the probe loss judging layouts): it depends on the model, the target and the
// probe batch, which the seed's validation split draws from the training data.
//
// Where the line lies was measured (BENCHMARKS.md, "Removing the hidden layer"): on Fashion-MNIST LeNet-5 at 1000×
// removing fc1 paid at the seeds whose first projection kept 1 unit (85.81% → 85.83%, 85.15% → 86.97%), and cost
// mnist LeNet-5 at 1000× (6–10 units kept: 96.99% → 96.53% over 3 seeds). Hence a hidden layer is removed only
// when fewer than half as many of its units as the next layer has outputs survive. Only after convolutions: in an
// MLP the hidden layers are the features, and removing LeNet-300-100's fc2 at 1000× cost 2 to 14 points.
import { subset, type Split } from '../data/dataset.js';
import { isCompressible, type Graph } from '../ir/graph.js';
import { collapseDensePair, lastDensePair } from '../ir/passes/collapse_dense.js';
import { fitCollapsedPair } from './collapse_fit.js';
import { initialCosts, openableUnits, projectJoint, type ProjectionSetup } from './joint_projection.js';
import { compressibleLayers } from './layers.js';

/** Training samples the collapsed layer is fitted on (stratified, deterministic). */
const FIT_SAMPLES = 8192;

/**
 * Units the first layer keeps open after a collapse. Its channels are then the classifier's only view of the input,
 * and the probe loss cannot see what a second channel is worth until later layers learn to read it: the knapsack
 * left LeNet-5's conv1 with one channel. Fashion-MNIST LeNet-5 1000×, collapsed, seed 1: 85.02% test without this
 * floor, 85.83% with it. (Without a collapse the same floor cost 1.1 points there, seed 1, so it is not general.)
 */
const FIRST_LAYER_MIN_UNITS = 4;

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
 * The graph to compress: `setup.graph` itself (with `kept`, the check's figures, when there was a pair), or, when the first projection at `targetBytes` keeps fewer units of
 * its last hidden dense layer than half the next layer's outputs, the graph without that layer, and the floor on
 * its first layer's units that its projections keep (ProjectionSetup.minOpen).
 */
export function collapseNarrowHead(
  setup: ProjectionSetup,
  targetBytes: number,
  train: Split,
  inputShape: readonly number[],
): { graph: Graph; collapse?: HeadCollapse; minOpen?: number[]; kept?: HeadCollapse } {
  const { graph, layers } = setup;
  const pair = lastDensePair(graph);
  if (!pair || !graph.ops.slice(0, pair.hidden).some((op) => isCompressible(op) && op.type !== 'dense')) {
    return { graph };
  }
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
  const check = { removed: graph.ops[pair.hidden]!.name, into: graph.ops[pair.next]!.name, keptUnits, outputs };
  if (2 * keptUnits >= outputs) return { graph, kept: check };
  const fit = fitCollapsedPair(graph, pair, subset(train, FIT_SAMPLES), inputShape);
  const collapsed = collapseDensePair(graph, pair, fit.kernel, fit.bias);
  const openable = openableUnits({ graph: collapsed, layers: compressibleLayers(collapsed) });
  return {
    graph: collapsed,
    collapse: check,
    minOpen: openable.map((units, i) => (i === 0 ? Math.min(units, FIRST_LAYER_MIN_UNITS) : 0)),
  };
}
