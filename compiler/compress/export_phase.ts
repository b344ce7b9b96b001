// The end of a run: the best result written as a file within the target, checked in the wasm runtime, and the
// report (JSON, HTML, the printed table).
import { describeDataSource } from '../data/source.js';
import { writeOutputFile } from '../util/write_output.js';
import { RESUME_ADVICE, weightMaps } from './checkpoint.js';
import type { RunContext } from './context.js';
import { uselessResultWarning } from './chance.js';
import { fitFinalFile } from './fit_budget.js';
import { layerReports, paperRatio, projectionShare, verifyInRuntime } from './finish.js';
import type { CompressibleLayer } from './layers.js';
import type { HeadCollapse } from './head_collapse.js';
import type { CompressOptions } from './options.js';
import { formatReport, type CompressReport } from './report.js';
import { reportHtml } from './report_html.js';
import type { RunRecord } from './run_record.js';
import { arrayParams, evaluateTask } from './sgd.js';
import type { TaskMetrics } from './task.js';
import type { Graph } from '../ir/graph.js';

export interface RunFacts {
  backend: string;
  /** Worker threads that computed the gradients (--workers). */
  workers: number;
  fp32WeightBytes: number;
  /** Test metrics of the model as given. */
  baseline: TaskMetrics;
  /** The compressed graph's compressible layers (the report's "weights" are theirs). */
  originalLayers: readonly CompressibleLayer[];
  /** The given model's compressible layers: the paper ratio's dense side (they differ after a head collapse). */
  givenLayers: readonly CompressibleLayer[];
  /** The hidden dense layer removed before compressing, if any. */
  collapse?: HeadCollapse;
  seconds: { admm: number; finetune: number };
  /** Epochs each phase took (ADMM may end early; the fine-tune gets the rest, and stops early if it blows up). */
  epochs: { admm: number; finetune: number };
  /** Warnings of the training phases (a fine-tune stopped by a blow-up). */
  warnings: string[];
}

/**
 * Writes the best result of `ctx` (the fine-tune's compact model) to options.output, never over the target, then
 * verifies it and writes the reports. Returns the report, the file and the graph it holds exactly.
 */
export async function exportResult(
  ctx: RunContext,
  record: RunRecord,
  options: CompressOptions,
  facts: RunFacts,
): Promise<{ report: CompressReport; bytes: Uint8Array; stored: Graph }> {
  const { layers, targetBytes, data, inputShape, progress } = ctx;
  const best = record.best!;
  const final = weightMaps(best.weights);
  const measure = fitFinalFile(
    ctx.setup,
    layers.map((l) => final.kernels.get(l.opIndex)!),
    final.biases,
    targetBytes,
    progress.log,
  );
  const bytes = measure.exported.bytes;
  // A full disk stops the run with the checkpoints intact; say how to continue.
  const then = options.checkpointDir ? RESUME_ADVICE : undefined;
  await writeOutputFile(options.output, bytes, { option: '-o', then, faults: 'export' });

  const stored = measure.exported.graph;
  const storedParams = arrayParams(stored, new Map(), new Map());
  const task = ctx.task.name;
  const after = evaluateTask(stored, storedParams.params, data.test, inputShape, task);
  storedParams.dispose();
  const runtime =
    options.verify === false ? undefined : await verifyInRuntime(bytes, stored, data.test, inputShape, task);
  const { history } = record;
  const useless = uselessResultWarning(task, facts.baseline, runtime?.metrics ?? after, data);
  const report: CompressReport = {
    model: options.model,
    data: describeDataSource(options.data),
    output: options.output,
    backend: facts.backend,
    workers: facts.workers,
    targetBytes,
    fileBytes: bytes.length,
    fp32WeightBytes: facts.fp32WeightBytes,
    fileRatio: facts.fp32WeightBytes / bytes.length,
    paperRatio: paperRatio(facts.givenLayers, measure),
    task,
    metrics: { before: facts.baseline, after, runtime: runtime?.metrics, validationScore: best.accuracy },
    ...(task === 'classification'
      ? {
          accuracy: {
            before: facts.baseline.accuracy!,
            after: after.accuracy!,
            runtime: runtime?.metrics.accuracy,
            agreement: runtime?.agreement,
            validation: best.accuracy,
          },
        }
      : {}),
    samples: { train: data.train.count, validation: data.validation.count, test: data.test.count },
    layers: layerReports(facts.originalLayers, measure),
    history,
    seconds: {
      total: record.elapsed(),
      admm: facts.seconds.admm,
      finetune: facts.seconds.finetune,
      selection: history.reduce((sum, h) => sum + h.selectionSeconds, 0),
    },
    projectionShare: projectionShare(history),
    epochs: facts.epochs,
    hyper: { ...ctx.hyper },
    restarts: record.restarts,
    ...(facts.collapse ? { collapsedHead: facts.collapse } : {}),
    warnings: [...facts.warnings, ...(useless ? [useless] : [])],
  };
  if (options.reportPath) {
    await writeOutputFile(options.reportPath, `${JSON.stringify(report, null, 2)}\n`, {
      option: '--report',
      then,
      faults: 'report',
    });
  }
  if (options.reportHtmlPath)
    await writeOutputFile(options.reportHtmlPath, await reportHtml(report), { option: '--report-html', then });
  progress.log(formatReport(report));
  for (const warning of report.warnings) progress.warn(warning);
  return { report, bytes, stored };
}
