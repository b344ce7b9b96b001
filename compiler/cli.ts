#!/usr/bin/env node
// The `sqz` command line. Each subcommand lives in compiler/commands/ and registers itself on the program.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { registerCompressCommand } from './commands/compress.js';
import { registerConvertCommand } from './commands/convert.js';
import { registerDemoCommand } from './commands/demo.js';

/** The commander program with every subcommand registered. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('sqz')
    .description('compress neural networks to a target file size and run them from the compressed form')
    .showHelpAfterError('(run sqz --help for usage)');
  registerConvertCommand(program);
  registerCompressCommand(program);
  registerDemoCommand(program);
  return program;
}

/** Runs the CLI on `argv` (process.argv form). Errors print one line (a stack with SQZ_DEBUG=1) and set exit code 1. */
export async function main(argv: string[]): Promise<void> {
  const debug = process.env['SQZ_DEBUG'] === '1';
  if (!debug) tf.env().set('PROD', true); // silences tfjs's console banners
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (debug) console.error(err);
    else console.error(`sqz: error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
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

if (isEntryPoint()) await main(process.argv);
