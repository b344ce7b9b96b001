// `sqz convert model.json -o model.sqz [--weights f32|f16|q8] [--exec auto|dense|compressed]`
import * as path from 'node:path';
import { Command, Option } from 'commander';
import type { ExecChoice } from '../../runtime/index.js';
import { exportModelDetailed, type ExportResult } from '../export/export_model.js';
import { WEIGHT_MODES, type WeightMode } from '../export/quantize_weights.js';
import { RUNTIME_CHECK_TOLERANCE, verifyWithRuntime, type RuntimeCheck } from '../export/verify_runtime.js';
import { importModel } from '../import/import_model.js';
import type { Graph } from '../ir/graph.js';
import { countParameters } from '../ir/graph_utils.js';
import { removeDeadUnits } from '../ir/passes/remove_dead_units.js';
import { UsageError } from '../errors.js';
import { writeOutputFile } from '../util/write_output.js';

export interface ConvertOptions {
  /** Path of model.json (or the folder holding it). */
  input: string;
  /** Path of the .sqz to write; default: the input's path with .sqz instead of .json. */
  output?: string;
  /** Default 'f32' (exact). */
  weights?: WeightMode;
  /**
   * Before writing, run the file in the wasm runtime with this execution mode and compare it with the IR's
   * forward pass in tfjs; a mismatch beyond RUNTIME_CHECK_TOLERANCE is an error and nothing is written.
   */
  exec?: ExecChoice;
}

export interface ConvertReport {
  input: string;
  output: string;
  weights: WeightMode;
  /** The imported graph (BatchNorm folded), before dead units are removed. */
  imported: Graph;
  export: ExportResult;
  /** Weight values stored. */
  parameters: number;
  /** Bytes of the weights as raw f32 (parameters · 4). */
  fp32WeightBytes: number;
  /** Bytes of the .sqz file. */
  fileBytes: number;
  /** Present when `exec` was given. */
  runtimeCheck?: RuntimeCheck;
}

const EXEC_CHOICES: readonly ExecChoice[] = ['auto', 'dense', 'compressed'];

/** The default output path: model.json → model.sqz in the same folder (a folder → <folder>/model.sqz). */
function defaultOutputPath(input: string): string {
  const parsed = path.parse(input);
  if (parsed.ext.toLowerCase() !== '.json') return path.join(input, 'model.sqz');
  return path.join(parsed.dir, `${parsed.name}.sqz`);
}

/**
 * Imports a TensorFlow.js layers model, removes dead units, rounds weights as `weights` asks, and writes the
 * .sqz file atomically (an existing output is left untouched on any failure). Throws on bad input.
 */
export async function convert(opts: ConvertOptions): Promise<ConvertReport> {
  const weights = opts.weights ?? 'f32';
  if (!WEIGHT_MODES.includes(weights))
    throw new UsageError(`unknown --weights '${String(weights)}'; use one of ${WEIGHT_MODES.join(', ')}`);
  if (opts.exec !== undefined && !EXEC_CHOICES.includes(opts.exec)) {
    throw new UsageError(`unknown --exec '${String(opts.exec)}'; use one of ${EXEC_CHOICES.join(', ')}`);
  }
  const output = opts.output ?? defaultOutputPath(opts.input);
  const imported = await importModel(opts.input);
  const result = exportModelDetailed(removeDeadUnits(imported), { weights });
  let runtimeCheck: RuntimeCheck | undefined;
  if (opts.exec !== undefined) {
    runtimeCheck = await verifyWithRuntime(result.bytes, result.graph, opts.exec);
    if (!(runtimeCheck.maxRelativeError <= RUNTIME_CHECK_TOLERANCE)) {
      throw new Error(
        `the wasm runtime (exec ${opts.exec}) disagrees with tfjs on this model: max relative error ` +
          `${runtimeCheck.maxRelativeError} > ${RUNTIME_CHECK_TOLERANCE}; ${output} was not written (please report this)`,
      );
    }
  }
  await writeOutputFile(output, result.bytes);
  const parameters = countParameters(result.graph);
  return {
    input: opts.input,
    output,
    weights,
    imported,
    export: result,
    parameters,
    fp32WeightBytes: parameters * 4,
    fileBytes: result.bytes.length,
    ...(runtimeCheck ? { runtimeCheck } : {}),
  };
}

const number = (n: number) => n.toLocaleString('en-US');

/** A short human-readable summary: ops, parameters, file bytes vs fp32 weight bytes, each tensor's encoding. */
export function formatConvertReport(report: ConvertReport): string {
  const ops = report.export.message.ops.length;
  const percent = (100 * report.fileBytes) / Math.max(1, report.fp32WeightBytes);
  const lines = [
    `${report.input} → ${report.output} (weights: ${report.weights})`,
    `  ops: ${ops}   parameters: ${number(report.parameters)}`,
    `  file: ${number(report.fileBytes)} bytes   fp32 weights: ${number(report.fp32WeightBytes)} bytes   ` +
      `(file = ${percent.toFixed(1)}% of fp32)`,
  ];
  const removed = countParameters(report.imported) - report.parameters;
  if (removed > 0) lines.push(`  dead units removed: ${number(removed)} parameters`);
  lines.push('  tensors:');
  const width = Math.max(0, ...report.export.tensors.map((t) => `${t.op}/${t.role}`.length));
  for (const t of report.export.tensors) {
    const encoding = t.bits > 0 ? `${t.encoding} ${t.bits}-bit` : t.encoding;
    const stored = t.encoding.startsWith('sparse') ? `  nnz ${number(t.stored)}` : '';
    lines.push(
      `    ${`${t.op}/${t.role}`.padEnd(width)}  [${t.shape.join('×')}]  ${encoding}  ${number(t.bytes)} bytes${stored}`,
    );
  }
  const check = report.runtimeCheck;
  if (check) {
    lines.push(
      `  runtime check (${check.variant}, exec ${check.exec}, batch ${check.batch}): matches tfjs, ` +
        `max relative error ${check.maxRelativeError.toExponential(2)}`,
    );
  }
  return lines.join('\n');
}

/** Adds `convert` to the CLI program. */
export function registerConvertCommand(program: Command): void {
  program
    .command('convert')
    .description('convert a TensorFlow.js layers model (model.json + weight shards) to a .sqz file')
    .argument('<model.json>', 'TensorFlow.js layers model (or the folder holding model.json)')
    .option('-o, --output <file>', 'output .sqz path (default: next to model.json, .sqz extension)')
    .addOption(
      new Option('--weights <mode>', 'weight storage: f32 exact, f16 rounded, q8 = ≤256 k-means levels per kernel')
        .choices(['f32', 'exact', 'f16', 'q8'])
        .default('f32'),
    )
    .addOption(
      new Option(
        '--exec <mode>',
        'before writing, check the file in the wasm runtime with this execution mode',
      ).choices([...EXEC_CHOICES]),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ sqz convert model.json                        # writes model.sqz next to it, exact f32 weights
  $ sqz convert model.json -o small.sqz --weights q8
  $ sqz convert model.json --exec compressed      # check the file in the wasm runtime before writing it`,
    )
    .action(async (input: string, options: { output?: string; weights: WeightMode; exec?: ExecChoice }) => {
      const report = await convert({ input, output: options.output, weights: options.weights, exec: options.exec });
      console.log(formatConvertReport(report));
    });
}
