// `sqz run model.sqz --input x.png|x.json|x.bin [-o out.json|out.bin] [--batch N]`: run a model on one input
// file in the wasm runtime and write its first output.
import * as path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { f32Bytes, readModelInput } from '../io/model_input.js';
import { loadSqzFile } from '../io/sqz_file.js';
import { writeOutputFile } from '../util/write_output.js';
import { parsePositiveInt } from './option_parsers.js';

interface RunOutput {
  /** Per-sample shape of the output. */
  outputShape: number[];
  batch: number;
  /** One row of outputShape's product floats per sample. */
  outputs: number[][];
  /** When the file names its classes: each sample's top class (argmax of its output row) by index and name. */
  top?: { index: number; name: string; score: number }[];
}

/** Runs `modelFile` on the samples in `inputFile`; returns the first output, one row per sample. */
async function runModel(modelFile: string, inputFile: string, batch: number): Promise<RunOutput> {
  const model = await loadSqzFile(modelFile);
  try {
    const info = model.info;
    if (info.inputs.length !== 1)
      throw new UsageError(`${modelFile} takes ${info.inputs.length} inputs; sqz run feeds models with one`);
    const shape = info.inputs[0]!.shape;
    const input = await readModelInput(inputFile, { perSample: shape.reduce((a, b) => a * b, 1), shape, batch });
    const flat = model.predict(input, batch);
    const outputShape = info.outputs[0]!.shape;
    const size = outputShape.reduce((a, b) => a * b, 1);
    const outputs = Array.from({ length: batch }, (_, i) => Array.from(flat.subarray(i * size, (i + 1) * size)));
    const names = info.classNames;
    if (names.length !== size) return { outputShape, batch, outputs };
    const top = outputs.map((row) => {
      const index = row.indexOf(Math.max(...row));
      return { index, name: names[index]!, score: row[index]! };
    });
    return { outputShape, batch, outputs, top };
  } finally {
    model.dispose();
  }
}

/** Adds `run` to the CLI program. */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run a .sqz model on an input file in the wasm runtime and write its output')
    .argument('<model.sqz>', 'the .sqz file')
    .requiredOption(
      '--input <file>',
      '.png (grayscale, scaled to [0, 1]), .json (array of numbers, flat or nested) or .bin (raw little-endian f32)',
    )
    .option(
      '-o, --output <file>',
      'write the output here: .json, or .bin for raw little-endian f32 (default: JSON on stdout)',
    )
    .option('--batch <n>', 'samples in the input (a PNG holds them stacked vertically)', parsePositiveInt, 1)
    .addHelpText(
      'after',
      `
Examples:
  $ sqz run model.sqz --input digit.png
  $ sqz run model.sqz --input samples.json --batch 8 -o scores.json
  $ sqz run model.sqz --input samples.bin --batch 100 -o scores.bin

The JSON output is {"outputShape": [...], "batch": N, "outputs": [[sample 0], [sample 1], ...]}, plus "top" (each
sample's top class by index, name and score) when the file names its classes; the name is also printed on stderr.
The .bin output is the same floats, sample after sample. The input must hold exactly batch × the model's input size values.`,
    )
    .action(async (modelFile: string, o: { input: string; output?: string; batch: number }) => {
      const result = await runModel(modelFile, o.input, o.batch);
      if (o.output === undefined) {
        console.log(JSON.stringify(result));
        // The top class by name, for a file that names its classes (to stderr: stdout stays one JSON document).
        for (const [i, t] of (result.top ?? []).entries()) {
          console.error(
            `${result.batch > 1 ? `sample ${i}: ` : ''}${t.name} (class ${t.index}, score ${t.score.toPrecision(4)})`,
          );
        }
      } else if (path.extname(o.output).toLowerCase() === '.bin') {
        await writeOutputFile(o.output, f32Bytes(Float32Array.from(result.outputs.flat())));
      } else {
        await writeOutputFile(o.output, `${JSON.stringify(result)}\n`);
      }
    });
}
