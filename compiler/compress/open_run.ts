// Opening a compression run: engine, model, data, teacher, target, hyper-parameters, training state, and the
// checkpoint to resume from (or a clean checkpoint folder).
import * as path from 'node:path';
import { loadDataSource } from '../data/source.js';
import { selectBackend, type BackendInfo } from '../engine/backend.js';
import { WorkerPool } from '../engine/worker_pool.js';
import { readFileSync } from 'node:fs';
import type { Dataset } from '../data/dataset.js';
import { DataError, describeFsError, FileError, UsageError } from '../errors.js';
import type { GraphMetadata } from '../ir/graph.js';
import { importModelFromArtifacts, readModelArtifacts } from '../import/index.js';
import { removeStaleTemps } from '../util/atomic_write.js';
import { createRng } from '../util/rng.js';
import { clearCheckpoints, loadLatestCheckpoint, removeStaleCheckpointTemps, type Checkpoint } from './checkpoint.js';
import type { RunContext } from './context.js';
import { graphTeacher, teacherTargets, withTeacherTargets } from './distill.js';
import { ImpossibleTargetError, minimumFileBytes } from './fit_budget.js';
import { compressibleLayers, type CompressibleLayer } from './layers.js';
import { DEFAULT_WORKERS, type CompressOptions } from './options.js';
import { probeScorer, probeSplit } from './probe_score.js';
import type { Progress } from './progress.js';
import {
  checkCompatible,
  fingerprintOf,
  loadOptionsFor,
  loadTeacher,
  prepareData,
  resolveHyper,
  resolveTarget,
  maxShiftFor,
} from './run_setup.js';
import { divergedLoss, evaluateTask } from './sgd.js';
import { expectedOutputs, formatScore, scoreOf, type TaskMetrics, type TaskSpec } from './task.js';
import { TrainState } from './train_state.js';
import { collapseNarrowHead, type HeadCollapse } from './head_collapse.js';
import type { JointProjection } from './joint_projection.js';

export interface OpenRun {
  ctx: RunContext;
  backend: string;
  fp32WeightBytes: number;
  /** Test metrics of the model as given. */
  baseline: TaskMetrics;
  layers: CompressibleLayer[];
  fingerprint: string;
  /** Worker threads of the run (--workers; 1 = everything in this thread). */
  workers: number;
  /** The given model's compressible layers (layers differ from them after a head collapse). */
  givenLayers: CompressibleLayer[];
  /** The hidden dense layer removed before compressing (head_collapse.ts), if any. */
  collapse?: HeadCollapse;
  /** Frees the probe batch and the training state, and ends the workers. */
  dispose(): void;
}

/**
 * What the .sqz says beyond its graph (counted in its bytes like the rest): the class names, from --labels or an
 * images: folder's subfolders (a classifier's, one per output value), and the input range images were mapped to
 * (images: data or --input-range).
 */
function fileMetadata(
  options: CompressOptions,
  dataset: Dataset,
  task: TaskSpec,
  inputRange: readonly [number, number] | undefined,
  progress: Progress,
): GraphMetadata | undefined {
  const metadata: GraphMetadata = {};
  const names = options.labels !== undefined ? readLabelsFile(options.labels) : dataset.classNames;
  if (names && task.name === 'classification') {
    if (names.length === task.numClasses) metadata.classNames = names;
    else if (options.labels !== undefined) {
      throw new DataError(
        `--labels ${options.labels} names ${names.length} classes but ${options.model} scores ${task.numClasses}; give one name per line per class`,
      );
    } else {
      progress.log(
        `class names not stored: ${dataset.name} has ${names.length} classes, the model scores ${task.numClasses}`,
      );
    }
  } else if (options.labels !== undefined) {
    throw new UsageError(`--labels names classes; it needs classification, not ${task.name}`);
  }
  const images = typeof options.data === 'string' && options.data.trim().startsWith('images:');
  if (options.inputRange || images) metadata.inputRange = [...(inputRange ?? [0, 1])] as [number, number];
  return metadata.classNames || metadata.inputRange ? metadata : undefined;
}

/** Class names from a text file, one per line (blank lines at the end ignored). @throws FileError */
function readLabelsFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FileError(file, `cannot read --labels ${file}: ${describeFsError(err)}`, { cause: err });
  }
  const names = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((s) => s.trim());
  while (names.length > 0 && names[names.length - 1] === '') names.pop();
  if (names.length === 0) throw new DataError(`--labels ${file} holds no class names (one per line)`);
  return names;
}

/** Mean of the squares of `values` (0 for none). */
function meanSquare(values: Float32Array): number {
  let s = 0;
  for (const v of values) s += v * v;
  return values.length === 0 ? 0 : s / values.length;
}

/** Everything a run needs before its first epoch; fails fast on an impossible target. */
export async function openRun(options: CompressOptions, progress: Progress): Promise<OpenRun> {
  const backend = await selectBackend(options.backend ?? 'auto');
  const artifacts = await readModelArtifacts(options.model);
  const fp32WeightBytes = 4 * (artifacts.weightSpecs ?? []).reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
  let graph = await importModelFromArtifacts(artifacts, options.model);
  const loadOptions = loadOptionsFor(graph, options);
  const dataset = await loadDataSource(options.data, loadOptions);
  const { inputShape, numClasses, task, taskReason } = checkCompatible(graph, dataset, options.model, options.task);
  graph.metadata = fileMetadata(options, dataset, task, loadOptions.inputRange, progress);
  const data = prepareData(dataset, options, task.name);
  const targetBytes = resolveTarget(options, fp32WeightBytes);
  let layers = compressibleLayers(graph);
  const givenLayers = layers;
  const hyper = resolveHyper(options, data.train.count, maxShiftFor(inputShape, task.name));
  const minimum = minimumFileBytes({ graph, layers });
  if (targetBytes < minimum) throw new ImpossibleTargetError(targetBytes, minimum);
  if (hyper.distill > 0 && task.name !== 'classification') {
    throw new UsageError(
      `--distill trains on a teacher's class probabilities; it needs classification, not ${task.name}`,
    );
  }
  const teacher = hyper.distill > 0 ? await loadTeacher(options, graph, inputShape, numClasses) : undefined;
  const workers = options.workers ?? DEFAULT_WORKERS;
  const fingerprint = await fingerprintOf(
    options,
    artifacts,
    targetBytes,
    hyper,
    backend.name,
    data,
    task.name,
    teacher?.artifacts,
    workers,
  );

  const baseline = evaluateTask(graph, () => undefined, data.test, inputShape, task.name);
  progress.log(
    `sqz compress: ${options.model} on ${dataset.name} (${data.train.count} train / ${data.validation.count} validation / ` +
      `${data.test.count} test), target ${targetBytes} bytes (minimum ${minimum}), backend ${backend.name}`,
  );
  progress.log(
    `${taskReason}; baseline test ${formatScore(task.name, scoreOf(task.name, baseline))}; ${layers.length} layers, up to ${hyper.epochs} ADMM + ` +
      `${hyper.finetuneEpochs} fine-tune epochs` +
      (hyper.augmentShift > 0
        ? `; training images shifted by up to ${hyper.augmentShift} px (--augment-shift 0 turns it off)`
        : ''),
  );
  if (teacher) {
    const started = performance.now();
    const scorer = graphTeacher(teacher.graph);
    try {
      data.train = withTeacherTargets(
        data.train,
        teacherTargets(scorer, data.train, inputShape, numClasses, hyper.temperature),
      );
    } finally {
      scorer.dispose();
    }
    progress.log(
      `teacher ${teacher.name}: soft targets for ${data.train.count} training samples at temperature ${hyper.temperature} ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s (distillation weight ${hyper.distill})`,
    );
  }
  const loss = { distill: teacher ? hyper.distill : 0, temperature: hyper.temperature };
  const probeBatch = probeSplit(data.train);
  const pool =
    workers > 1
      ? await WorkerPool.start({
          count: workers,
          backend: workerBackend(backend),
          inputShape,
          task,
          validation: data.validation,
          probe: probeBatch,
        })
      : undefined;
  if (pool) progress.log(`${workers} worker threads: each batch is split ${workers} ways`);
  let state = new TrainState(graph);
  let probe = probeScorer(state, layers, probeBatch, inputShape, task, loss);
  let collapse: HeadCollapse | undefined;
  let minOpen: number[] | undefined;
  let firstProjection: JointProjection | undefined;
  if (options.collapseHead !== false) {
    const decision = collapseNarrowHead(
      { graph, layers, score: probe.score },
      state.readBiases(),
      targetBytes,
      data.train,
      inputShape,
    );
    if (decision.kind === 'kept') {
      const k = decision.check;
      firstProjection = decision.first;
      progress.log(
        `${k.hidden} kept: the first projection keeps ${k.keptUnits} of its units for the ${k.outputs} outputs of ${k.into}`,
      );
    } else if (decision.kind === 'removed') {
      ({ check: collapse, minOpen } = decision);
      probe.dispose();
      state.dispose();
      graph = decision.graph;
      layers = compressibleLayers(graph);
      state = new TrainState(graph);
      probe = probeScorer(state, layers, probeBatch, inputShape, task, loss);
      progress.log(
        `${collapse.hidden} removed: the first projection kept ${collapse.keptUnits} of its units, fewer than half ` +
          `the ${collapse.outputs} outputs of ${collapse.into}, which now reads ${collapse.hidden}'s input ` +
          '(least-squares fit of the pair; --no-collapse-head keeps it)',
      );
    }
  }
  const ctx: RunContext = {
    graph,
    layers,
    inputShape,
    numClasses,
    task,
    divergedAbove: divergedLoss(task.name, meanSquare(expectedOutputs(task.name, data.train))),
    data,
    targetBytes,
    hyper,
    state,
    progress,
    rng: createRng(hyper.seed),
    loss,
    setup: { graph, layers, score: probe.score, ...(minOpen ? { minOpen } : {}) },
    pool,
    ...(firstProjection ? { firstProjection } : {}),
  };
  return {
    ctx,
    backend: backend.name,
    fp32WeightBytes,
    baseline,
    layers,
    fingerprint,
    workers,
    givenLayers,
    ...(collapse ? { collapse } : {}),
    dispose: () => {
      probe.dispose();
      state.dispose();
      void pool?.dispose();
    },
  };
}

/** The backend choice that gives workers the engine this thread chose. */
function workerBackend(info: BackendInfo): string {
  return info.package === '@tensorflow/tfjs-node-gpu' ? 'tensorflow-gpu' : info.name;
}

/**
 * The checkpoint to resume from (--resume), checked against this run's fingerprint; without --resume, a
 * --checkpoint folder is cleared. Either way, temporary files a killed run left are removed.
 * @throws UsageError when the checkpoint belongs to another run
 */
export async function openCheckpoint(
  options: CompressOptions,
  fingerprint: string,
  outputs: readonly string[],
  progress: Progress,
): Promise<Checkpoint | undefined> {
  let ckpt: Checkpoint | undefined;
  if (options.resume) {
    const found = await loadLatestCheckpoint(options.checkpointDir!);
    if (found) {
      if (found.checkpoint.fingerprint !== fingerprint) {
        throw new UsageError(
          `checkpoint ${found.path} belongs to a different run (model, data, target or options differ); ` +
            'use another --checkpoint folder or rerun with the same options',
        );
      }
      ckpt = found.checkpoint;
      progress.log(`resuming from ${found.path} (${ckpt.phase} epoch ${ckpt.epoch})`);
    } else {
      progress.log(`no checkpoint in ${options.checkpointDir} yet: starting from the beginning`);
    }
  } else if (options.checkpointDir) {
    await clearCheckpoints(options.checkpointDir);
  }
  // What a killed run left half-written is never read, but is not left lying around either.
  if (options.checkpointDir) await removeStaleCheckpointTemps(options.checkpointDir);
  for (const output of outputs)
    await removeStaleTemps(path.dirname(path.resolve(output)), (name) => name === path.basename(output));
  return ckpt;
}
