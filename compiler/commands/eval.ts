// `sqz eval model.sqz|model.json --data <spec> [--limit N] [--json]`: test accuracy on the dataset's test split.
import { Command, Option } from 'commander';
import { DATASET_SPECS } from '../data/index.js';
import { BACKEND_CHOICES, type BackendChoice } from '../engine/backend.js';
import { evaluate } from '../eval/evaluate.js';
import { formatMse, parseTaskName, TASK_NAMES, type TaskName } from '../compress/task.js';
import { parsePositiveInt, parseRange } from './option_parsers.js';

interface EvalCliOptions {
  data: string;
  limit?: number;
  backend: BackendChoice;
  json?: boolean;
  inputRange?: [number, number];
  labelColumn?: string;
  task?: TaskName;
}

/** Adds `eval` to the CLI program. */
export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('test accuracy of a .sqz (in the wasm runtime) or a TensorFlow.js model.json (in tfjs) on a dataset')
    .argument('<model>', 'a .sqz file, or a TensorFlow.js model.json (or its folder)')
    .requiredOption('--data <spec>', `dataset, as for compress: ${DATASET_SPECS.join(' | ')}`)
    .option('--input-range <A,B>', 'images: map pixels 0..255 to [A, B] (default 0,1)', parseRange)
    .option('--label-column <name>', 'csv: the column holding y (default: the last column)')
    .option('--task <task>', `${TASK_NAMES.join(' | ')} (default: inferred, as compress does)`, parseTaskName)
    .option('--limit <n>', 'use only this many test samples (stratified, as compress --test-samples)', parsePositiveInt)
    .addOption(
      new Option('--backend <name>', 'tfjs engine for a model.json').choices([...BACKEND_CHOICES]).default('auto'),
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ sqz eval model.sqz --data mnist
  $ sqz eval model.json --data fashion-mnist --limit 1000
  $ sqz eval model.sqz --data idx:images.idx.gz,labels.idx.gz --json

A .sqz and the model.json it came from are evaluated on the same test split as sqz compress uses, so the
numbers compare with the report's "before" and "wasm runtime" accuracies.`,
    )
    .action(async (model: string, o: EvalCliOptions) => {
      const r = await evaluate({
        model,
        data: o.data,
        limit: o.limit,
        backend: o.backend,
        inputRange: o.inputRange,
        labelColumn: o.labelColumn,
        task: o.task,
      });
      if (o.json) console.log(JSON.stringify(r, null, 2));
      else {
        const figure =
          r.task === 'classification'
            ? `test accuracy ${(100 * r.accuracy!).toFixed(2)}% (${r.correct!.toLocaleString('en-US')} of `
            : `${r.task} test MSE ${formatMse(r.metrics.mse)}, MAE ${formatMse(r.metrics.mae)} (over all output values of `;
        console.log(
          `${model}: ${figure}${r.samples.toLocaleString('en-US')} ${o.data} test samples) in ${r.engine}, ${r.seconds.toFixed(2)} s`,
        );
      }
    });
}
