#!/usr/bin/env node
// The `sqz` command line. Each subcommand lives in compiler/commands/ and registers itself on the program.
// This file owns what the process reports: one line per error (the stack with --verbose or SQZ_DEBUG=1) and an
// exit code per class of error (EXIT_CODES), so scripts can tell a typo from a missing file from a tight budget.
import './quiet_tfjs.js'; // first: before any module can run tfjs
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { SqzError, SqzFormatError, SqzInputError } from '../formats/errors.js';
import { registerCompressCommand } from './commands/compress.js';
import { registerConvertCommand } from './commands/convert.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerEvalCommand } from './commands/eval.js';
import { registerInspectCommand } from './commands/inspect.js';
import { registerRunCommand } from './commands/run.js';
import { registerRuntimeCommand } from './commands/runtime.js';
import { ImpossibleTargetError } from './compress/fit_budget.js';
import { TrainingDivergedError } from './compress/sgd.js';
import { WorkerError } from './engine/worker_pool.js';
import { DataError, FileError, UsageError } from './errors.js';
import { UnsupportedModelError } from './import/errors.js';

type ErrorClass = abstract new (...args: never[]) => Error;

/** Exit codes by error class, first match wins; 0 is success and anything unlisted is 1 (internal). */
export const EXIT_CODES: readonly { code: number; meaning: string; classes: readonly ErrorClass[] }[] = [
  {
    code: 2,
    meaning: 'usage: unknown command or option, a bad or missing value, conflicting options',
    classes: [UsageError, CommanderError],
  },
  {
    code: 3,
    meaning: 'file: missing, a directory, unreadable, not a valid .sqz / model.json / PNG, or not writable',
    classes: [FileError, SqzFormatError],
  },
  {
    code: 4,
    meaning: 'data: dataset missing or malformed, samples or inputs of the wrong size',
    classes: [DataError, SqzInputError],
  },
  {
    code: 5,
    meaning: 'impossible budget: the target is below the smallest file the model can produce',
    classes: [ImpossibleTargetError],
  },
  {
    code: 6,
    meaning: 'unsupported model: a layer, activation or attribute sqz cannot convert',
    classes: [UnsupportedModelError],
  },
  { code: 7, meaning: 'training diverged: lower --lr', classes: [TrainingDivergedError] },
  {
    code: 8,
    meaning: 'a training worker (--workers) crashed or ran out of memory: rerun with fewer workers, with --resume',
    classes: [WorkerError],
  },
];
export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;

/** The exit code for `err`. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError && ['commander.helpDisplayed', 'commander.version'].includes(err.code))
    return EXIT_OK;
  return EXIT_CODES.find((entry) => entry.classes.some((cls) => err instanceof cls))?.code ?? EXIT_INTERNAL;
}

const EXIT_CODES_HELP = [
  '',
  'Exit codes:',
  `  ${EXIT_OK}  success`,
  `  ${EXIT_INTERNAL}  internal error (a bug: rerun with --verbose and report the stack trace)`,
  ...EXIT_CODES.map((e) => `  ${e.code}  ${e.meaning}`),
].join('\n');

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The commander program with every subcommand registered. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('sqz')
    .description('compress neural networks to a target file size and run them from the compressed form')
    .version(packageVersion(), '-V, --version')
    .option('--verbose', 'on errors, print the stack trace (as does SQZ_DEBUG=1)')
    // Commander's errors are thrown (not printed and exited on) so main() reports them like every other error.
    // Subcommands inherit both settings from the program when they are created.
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .addHelpText(
      'after',
      `
Examples:
  $ sqz demo
  $ sqz convert model.json -o model.sqz
  $ sqz compress model.json --data mnist --target-size 8KB -o model.sqz --report-html report.html
  $ sqz inspect model.sqz
  $ sqz eval model.sqz --data mnist
  $ sqz run model.sqz --input digit.png
  $ sqz runtime model.sqz -o runtime.wasm

Run sqz <command> --help for a command's options.`,
    );
  registerConvertCommand(program);
  registerCompressCommand(program);
  registerInspectCommand(program);
  registerEvalCommand(program);
  registerRunCommand(program);
  registerRuntimeCommand(program);
  registerDemoCommand(program);
  program.addHelpText('after', EXIT_CODES_HELP);
  for (const command of program.commands)
    command.addHelpText('after', `${EXIT_CODES_HELP}\n\nGlobal option: --verbose prints the stack trace of an error.`);
  return program;
}

/** `--verbose` among the arguments (before any `--`); read directly because a parse error leaves opts() unset. */
function verboseRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--verbose');
}

/** The error's message on one line, with what to do when the message cannot say it (usage, internal). */
function oneLineMessage(err: unknown, argv: readonly string[], program: Command): string {
  const text = (err instanceof Error ? err.message : String(err))
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  if (err instanceof CommanderError) {
    const command = program.commands.find((c) => argv.slice(2).includes(c.name()));
    return `${text} (see sqz ${command ? `${command.name()} ` : ''}--help)`;
  }
  if (exitCodeFor(err) === EXIT_INTERNAL && !(err instanceof SqzError)) {
    return `${text} (internal error: rerun with --verbose for the stack trace and report it)`;
  }
  return text;
}

/** Runs the CLI on `argv` (process.argv form) and sets process.exitCode (see EXIT_CODES). */
export async function main(argv: string[]): Promise<void> {
  const verbose = process.env['SQZ_DEBUG'] === '1' || verboseRequested(argv);
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    process.exitCode = EXIT_OK;
  } catch (err) {
    const code = exitCodeFor(err);
    process.exitCode = code;
    if (code === EXIT_OK) return; // --help, --version: commander has printed them
    if (err instanceof CommanderError && err.code === 'commander.help') return; // no command: the help went to stderr
    if (verbose) console.error(err);
    else console.error(`sqz: error: ${oneLineMessage(err, argv, program)}`);
  }
}

/** True when this file is the process's entry point (also through npm's bin symlink). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // A reader that closed the pipe early (`sqz compress --help | head`) wants no more output, not a crash trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? EXIT_OK);
  });
  await main(process.argv);
}
