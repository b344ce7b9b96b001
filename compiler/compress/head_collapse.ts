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
import {
  initialCosts,
  openableUnits,
  projectJoint,
  type JointProjection,
  type ProjectionSetup,
} from './joint_projection.js';
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

/** The check's figures, for the log and the report (the report keeps them only when the layer was removed). */
export interface HeadCollapse {
  /** The hidden dense layer checked. */
  hidden: string;
  /** The dense layer after it, which reads the hidden layer's input once that is removed. */
  into: string;
  /** Hidden units the first projection of the given model kept. */
  keptUnits: number;
  /** Outputs of the layer after it. */
  outputs: number;
}

/** What the check decided: no dense pair after convolutions, the layer kept, or the layer removed. */
export type HeadDecision =
  | { kind: 'none' }
  /** `first` is ADMM's first projection of the given graph, which ADMM takes instead of computing it again. */
  | { kind: 'kept'; check: HeadCollapse; first: JointProjection }
  /** `graph` has the pair collapsed; `minOpen` is the floor on its first layer's units (ProjectionSetup.minOpen). */
  | { kind: 'removed'; check: HeadCollapse; graph: Graph; minOpen: number[] };

/**
 * Decides whether `setup.graph` keeps its last hidden dense layer: it is removed when the first projection at
 * `targetBytes` keeps fewer of its units than half the next layer's outputs. `biases` are the training state's.
 */
export function collapseNarrowHead(
  setup: ProjectionSetup,
  biases: ReadonlyMap<number, Float32Array>,
  targetBytes: number,
  train: Split,
  inputShape: readonly number[],
): HeadDecision {
  const { graph, layers } = setup;
  const pair = lastDensePair(graph);
  if (!pair || !graph.ops.slice(0, pair.hidden).some((op) => isCompressible(op) && op.type !== 'dense')) {
    return { kind: 'none' };
  }
  const hiddenLayer = layers.findIndex((l) => l.opIndex === pair.hidden);
  const z = layers.map((l) => graph.ops[l.opIndex]!.kernel!.values);
  // Exactly ADMM's first projection (admm_phase.ts: importance 1, select = z as U is 0, three measured rounds).
  const first = projectJoint(setup, z, biases, initialCosts(setup, biases, targetBytes), targetBytes, {
    rounds: 3,
    searchBits: true,
    widthMoves: false,
  });
  const keptUnits = first.costs.live.units[hiddenLayer]!;
  const outputs = graph.ops[pair.next]!.kernel!.shape[1]!;
  const check = { hidden: graph.ops[pair.hidden]!.name, into: graph.ops[pair.next]!.name, keptUnits, outputs };
  if (2 * keptUnits >= outputs) return { kind: 'kept', check, first };
  const fit = fitCollapsedPair(graph, pair, subset(train, FIT_SAMPLES), inputShape);
  const collapsed = collapseDensePair(graph, pair, fit.kernel, fit.bias);
  const openable = openableUnits({ graph: collapsed, layers: compressibleLayers(collapsed) });
  return {
    kind: 'removed',
    check,
    graph: collapsed,
    minOpen: openable.map((units, i) => (i === 0 ? Math.min(units, FIRST_LAYER_MIN_UNITS) : 0)),
  };
}
