// The training context every compared method starts from: the baseline checkpoint imported into the compiler's IR,
// the dataset split exactly as `sqz compress` splits it (prepareData), and a RunContext so the compiler's own
// fine-tune phase (compiler/compress/finetune_phase.ts) can run on a mask and bitwidths chosen by another method.
import { readModelArtifacts, importModelFromArtifacts } from '../../compiler/import/index.js';
import { loadDataset } from '../../compiler/data/index.js';
import { selectBackend } from '../../compiler/engine/backend.js';
import type { RunContext } from '../../compiler/compress/context.js';
import { compressibleLayers } from '../../compiler/compress/layers.js';
import { createProgress } from '../../compiler/compress/progress.js';
import { checkCompatible, prepareData, resolveHyper, maxShiftFor } from '../../compiler/compress/run_setup.js';
import { TrainState } from '../../compiler/compress/train_state.js';
import { divergedLoss } from '../../compiler/compress/sgd.js';
import { createRng } from '../../compiler/util/rng.js';

export interface CompareSetup {
  /** Bytes of the fp32 weights (what --ratio divides). */
  fp32WeightBytes: number;
  /** Weights in the compressible kernels (Σn of the paper measure). */
  kernelWeights: number;
  /** sqz compress's default epochs for this training split: ADMM and fine-tune. */
  jointEpochs: { admm: number; finetune: number };
  /** A fresh RunContext on the baseline weights (new TrainState, seeded rng); dispose ctx.state when done. */
  context(opts?: { finetuneEpochs?: number }): RunContext;
}

export interface SetupOptions {
  model: string;
  data: string;
  trainSamples?: number;
  testSamples?: number;
  /** Seeds the validation split, batch order and k-means as `sqz compress --seed` does; default 1. */
  seed?: number;
}

export async function compareSetup(opts: SetupOptions): Promise<CompareSetup> {
  await selectBackend('auto');
  const artifacts = await readModelArtifacts(opts.model);
  const fp32WeightBytes = 4 * (artifacts.weightSpecs ?? []).reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
  const graph = await importModelFromArtifacts(artifacts, opts.model);
  const dataset = await loadDataset(opts.data);
  const { inputShape, numClasses, task } = checkCompatible(graph, dataset, opts.model);
  const options = {
    model: opts.model,
    data: opts.data,
    output: '',
    ratio: 1,
    trainSamples: opts.trainSamples,
    testSamples: opts.testSamples,
    hyper: opts.seed === undefined ? undefined : { seed: opts.seed },
  };
  const data = prepareData(dataset, options, task.name);
  const layers = compressibleLayers(graph);
  const maxShift = maxShiftFor(inputShape, task.name);
  const defaults = resolveHyper(options, data.train.count, maxShift);
  return {
    fp32WeightBytes,
    kernelWeights: layers.reduce((s, l) => s + l.n, 0),
    jointEpochs: { admm: defaults.epochs, finetune: defaults.finetuneEpochs },
    context(o = {}) {
      // The same defaults sqz compress resolves for this training-set size (epochs and fine-tune epochs included).
      const hyper = resolveHyper(options, data.train.count, maxShift);
      if (o.finetuneEpochs !== undefined) hyper.finetuneEpochs = o.finetuneEpochs;
      return {
        graph,
        layers,
        inputShape,
        numClasses,
        task,
        divergedAbove: divergedLoss(task.name, 1),
        data,
        targetBytes: 0,
        hyper,
        state: new TrainState(graph),
        rng: createRng(hyper.seed),
        progress: createProgress(true),
        setup: { graph, layers },
        // The baselines train on the labels alone, as the methods they stand for do.
        loss: { distill: 0, temperature: hyper.temperature },
      };
    },
  };
}
