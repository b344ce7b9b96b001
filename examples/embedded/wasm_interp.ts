// Runs a .sqz model in wabt's interpreter, `wasm-interp` (Debian package wabt), through the driver module of
// interp_driver.ts: wasm2wat the runtime, add the file, the inputs and the no-argument exports, wat2wasm, then
// `wasm-interp driver.wasm --run-all-exports` and read the printed results back.
//
//   node dist/examples/embedded/wasm_interp.js MODEL.sqz INPUTS.f32 [--exec auto|dense|compressed]
//
// Prints one line per sample, every output (shortest text that reads back as the same f32), like sqz_host.
// Exit codes as sqz_host: 1 usage or tool error, 2 the runtime refused the file, 3 the wasm code trapped.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EXEC_AUTO, EXEC_COMPRESSED, EXEC_DENSE } from '../../formats/constants.js';
import { readSqz } from '../../formats/container.js';
import { errorCodeName } from '../../formats/errors.js';
import { driverWat } from './interp_driver.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const EXEC_MODES = { auto: EXEC_AUTO, dense: EXEC_DENSE, compressed: EXEC_COMPRESSED } as const;

export interface InterpRun {
  /** ERR_* of load (0 = loaded). */
  loadError: number;
  /** ERR_* of each sample's run. */
  runErrors: number[];
  /** One array per sample: output 0. */
  outputs: Float32Array[];
  /** The first trap wasm-interp reported, if any. */
  trap?: string;
}

function tool(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (result.error !== undefined)
    throw new Error(`${command}: ${result.error.message} (install wabt: bash scripts/system-deps.sh)`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

const elements = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Runs every sample of `inputs` (raw f32, input 0's length each) through `model` in wasm-interp, batch 1.
 * @param runtime the runtime module (default build/sqz-scalar.wasm)
 */
export function runWithWasmInterp(
  model: Uint8Array,
  inputs: Uint8Array,
  exec: keyof typeof EXEC_MODES,
  runtime = process.env.SQZ_WASM ?? join(ROOT, 'build/sqz-scalar.wasm'),
): InterpRun {
  // The driver's shapes come from the TS reader. A file it rejects gets a driver that only loads, so that the
  // runtime in wasm-interp reports the problem itself.
  const message = (() => {
    try {
      return readSqz(model);
    } catch {
      return undefined;
    }
  })();
  const outputFloats = message === undefined ? 0 : elements(message.values[message.outputs[0]!]!.shape);
  const spec = {
    model,
    inputs: message === undefined ? new Uint8Array(0) : inputs,
    outputFloats,
    execMode: EXEC_MODES[exec],
    inputFloats: message === undefined ? 0 : elements(message.values[message.inputs[0]!]!.shape),
  };
  const dir = mkdtempSync(join(tmpdir(), 'sqz-interp-'));
  try {
    writeFileSync(join(dir, 'driver.wat'), driverWat(tool('wasm2wat', [runtime]), spec));
    tool('wat2wasm', [join(dir, 'driver.wat'), '-o', join(dir, 'driver.wasm')]);
    const printed = spawnSync('wasm-interp', [join(dir, 'driver.wasm'), '--run-all-exports'], {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    });
    if (printed.error !== undefined) throw new Error(`wasm-interp: ${printed.error.message}`);
    return parseResults(printed.stdout + printed.stderr, outputFloats);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads `load() => i32:E` and `sample_k() => i32:E, i32:bits, ...` lines (wasm-interp prints i32 unsigned). */
function parseResults(text: string, outputFloats: number): InterpRun {
  const run: InterpRun = { loadError: -1, runErrors: [], outputs: [] };
  for (const line of text.split('\n')) {
    const match = /^(load|sample_(\d+))\(\) => (.*)$/.exec(line.trim());
    if (match === null) continue;
    if (/^error/.test(match[3]!)) {
      run.trap ??= line.trim();
      continue;
    }
    const values = [...match[3]!.matchAll(/i32:(\d+)/g)].map((m) => Number(m[1]));
    if (match[1] === 'load') {
      run.loadError = values[0]!;
      continue;
    }
    if (values.length !== 1 + outputFloats)
      throw new Error(`wasm-interp printed ${values.length} results for ${match[1]}: ${line}`);
    run.runErrors.push(values[0]!);
    run.outputs.push(new Float32Array(Uint32Array.from(values.slice(1)).buffer));
  }
  if (run.loadError < 0 && run.trap === undefined)
    throw new Error(`wasm-interp printed no load() result:\n${text.slice(0, 2000)}`);
  return run;
}

function main(argv: string[]): number {
  const positional = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--exec');
  const execIndex = argv.indexOf('--exec');
  const exec = (execIndex >= 0 ? argv[execIndex + 1] : 'auto') as keyof typeof EXEC_MODES;
  if (positional.length !== 2 || !(exec in EXEC_MODES)) {
    console.error('usage: wasm_interp MODEL.sqz INPUTS.f32 [--exec auto|dense|compressed]');
    return 1;
  }
  const run = runWithWasmInterp(readFileSync(positional[0]!), readFileSync(positional[1]!), exec);
  if (run.trap !== undefined) {
    console.error(`wasm_interp: the wasm code trapped: ${run.trap}`);
    return 3;
  }
  if (run.loadError !== 0) {
    console.error(`wasm_interp: load failed: sqz ${errorCodeName(run.loadError)}`);
    return 2;
  }
  for (const [k, outputs] of run.outputs.entries()) {
    if (run.runErrors[k] !== 0) {
      console.error(`wasm_interp: run failed on sample ${k}: sqz ${errorCodeName(run.runErrors[k]!)}`);
      return 2;
    }
    console.log(Array.from(outputs, String).join(' '));
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(`wasm_interp: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
