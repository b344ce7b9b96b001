// Running the real CLI (`node dist/compiler/cli.js ...`) as a child process, and the small files the CLI tests
// share: a .sqz of the bundled digit MLP made by `sqz convert`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = path.join(ROOT, 'dist/compiler/cli.js');
export const MLP_MODEL = path.join(ROOT, 'examples/models/mnist-mlp/model.json');

export interface CliResult {
  code: number | null;
  /** The signal that ended the process, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `sqz ...args` to completion, or until it is sent SIGKILL after `killAfterMs`. `env` is added to the
 * test's environment (SQZ_DEBUG and SQZ_FAULT are removed unless given).
 */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  killAfterMs?: number,
): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of ['SQZ_DEBUG', 'SQZ_FAULT']) if (env[name] === undefined) delete childEnv[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: childEnv });
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Runs `sqz ...args` inside this process through the CLI's own main() (no process start-up: for tables of cases
 * that only read files). Captures what main prints with console.log / console.error and its exit code.
 */
export async function runCliInProcess(args: readonly string[]): Promise<CliResult> {
  const { main } = await import('../../compiler/cli.js');
  const out: string[] = [];
  const err: string[] = [];
  const saved = { log: console.log, error: console.error, exitCode: process.exitCode };
  console.log = (...parts: unknown[]) => {
    out.push(`${parts.join(' ')}\n`);
  };
  console.error = (...parts: unknown[]) => {
    err.push(`${parts.join(' ')}\n`);
  };
  try {
    await main(['node', CLI, ...args]);
    return { code: Number(process.exitCode ?? 0), signal: null, stdout: out.join(''), stderr: err.join('') };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
    process.exitCode = saved.exitCode;
  }
}

/** A fresh temporary folder. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `sqz-cli-${prefix}-`));
}

/** `sqz convert` of the bundled digit MLP (exact f32 weights) into `dir`; returns the .sqz path. */
export async function convertMlp(dir: string): Promise<string> {
  const out = path.join(dir, 'mlp.sqz');
  const r = await runCli(['convert', MLP_MODEL, '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  return out;
}

/** Asserts the process failed with `code` and printed exactly one error line on stderr, without a stack trace. */
export function assertOneLineError(r: CliResult, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit code ${r.code}, stderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^sqz: error: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace was printed');
  assert.equal(r.stdout, '');
}
