// `sqz runtime model.sqz [more.sqz …] -o runtime.wasm [--scalar] [--exec auto|dense|compressed|any]`: a wasm runtime
// holding only the ops, activations, encodings and execution paths those models use (compiler/runtime_build/).
// SqzModel.load(bytes, { wasm }) runs it; a model that needs something it lacks is refused with a message naming it.
import { Command, Option } from 'commander';
import { activationName } from '../../formats/activations.js';
import { encodingName } from '../../formats/encodings.js';
import { execPathName } from '../../formats/exec_paths.js';
import { opName } from '../../formats/ops.js';
import { withSqzFile } from '../io/sqz_file.js';
import { buildRuntime } from '../runtime_build/build_runtime.js';
import { mergeFeatures, runtimeFeatures, type RuntimeExec, type RuntimeFeatures } from '../runtime_build/features.js';
import { writeOutputFile } from '../util/write_output.js';

interface RuntimeCommandOptions {
  models: string[];
  output: string;
  scalar?: boolean;
  exec?: RuntimeExec[];
}

interface RuntimeReport {
  output: string;
  bytes: number;
  simd: boolean;
  features: RuntimeFeatures;
}

/** One line per kind: what the runtime holds, by name. */
export function describeFeatures(f: RuntimeFeatures): string[] {
  return [
    `ops          ${f.ops.map(opName).join(', ')}`,
    `activations  ${f.activations.map(activationName).join(', ')}`,
    `encodings    ${f.encodings.map(encodingName).join(', ')}`,
    `exec paths   ${f.paths.map(execPathName).join(', ') || '(none: no weights, no pools)'}`,
  ];
}

/** Builds and writes the tailored runtime for `options.models`. */
async function buildRuntimeFile(options: RuntimeCommandOptions): Promise<RuntimeReport> {
  const features = [];
  for (const model of options.models) {
    features.push(await withSqzFile(model, (bytes) => runtimeFeatures([bytes], options.exec ?? ['auto'])));
  }
  const all = features.reduce(mergeFeatures);
  const simd = options.scalar !== true;
  const bytes = await buildRuntime(all, { simd });
  await writeOutputFile(options.output, bytes, { what: 'runtime', option: '-o' });
  return { output: options.output, bytes: bytes.length, simd, features: all };
}

/** Adds `runtime` to the CLI program. */
export function registerRuntimeCommand(program: Command): void {
  program
    .command('runtime')
    .description(
      'build a wasm runtime holding only the ops, activations, encodings and execution paths some models use',
    )
    .argument('<models...>', '.sqz files the runtime must run')
    .requiredOption('-o, --output <runtime.wasm>', 'the runtime module to write')
    .option('--scalar', 'build the scalar (MVP) variant, for engines without WebAssembly SIMD')
    .addOption(
      new Option('--exec <modes...>', 'the exec modes SqzModel.load will use (any = all three)')
        .choices(['auto', 'dense', 'compressed', 'any'])
        .default(['auto']),
    )
    .addHelpText(
      'after',
      `
Run it with SqzModel.load(model, { wasm: bytes }) (or any WebAssembly host: it has the general runtime's ABI).
A model that needs an op, activation, encoding or exec path the runtime lacks is refused at load, naming it.

Examples:
  $ sqz runtime model.sqz -o runtime.wasm
  $ sqz runtime a.sqz b.sqz -o runtime-scalar.wasm --scalar
  $ sqz runtime model.sqz -o runtime.wasm --exec auto compressed`,
    )
    .action(async (models: string[], o: { output: string; scalar?: boolean; exec: RuntimeExec[] }) => {
      const report = await buildRuntimeFile({ models, output: o.output, scalar: o.scalar, exec: o.exec });
      console.log(
        `${report.output}: ${report.bytes.toLocaleString('en-US')} bytes (${report.simd ? 'SIMD' : 'scalar'}) ` +
          `for ${models.length} model${models.length === 1 ? '' : 's'}`,
      );
      for (const line of describeFeatures(report.features)) console.log(`  ${line}`);
    });
}
