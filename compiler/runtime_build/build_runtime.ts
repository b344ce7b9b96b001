// Compiles a tailored wasm runtime: the sources in assembly/ with asconfig.json's options and its SIMD or scalar
// target, but with the feature masks of assembly/features.ts set to what some models need (features.ts), so the
// AssemblyScript compiler leaves out every kernel, activation, decoder and path they do not use, and without the
// general runtime's test hooks.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { featureMasks, type RuntimeFeatures } from './features.js';

/** The package root (this file runs from dist/compiler/runtime_build/). */
const PACKAGE_ROOT = new URL('../../../', import.meta.url);
/** The entry file of the general runtime's test hooks (decodeTensor, planOverlaps): a tailored runtime leaves it out. */
const TEST_HOOKS_ENTRY = 'assembly/hooks.ts';

interface AsConfig {
  entries: string[];
  options: Record<string, unknown>;
  targets: Record<'simd' | 'scalar', Record<string, unknown>>;
}

/** asc arguments for one option of asconfig.json (`use` keeps only the aliases that are not feature masks). */
function optionArgs(key: string, value: unknown): string[] {
  if (key === 'outFile' || key === 'textFile') return [];
  if (value === true) return [`--${key}`];
  if (value === false) return [];
  if (Array.isArray(value)) {
    const kept = key === 'use' ? value.filter((v) => !String(v).startsWith('SQZ_')) : value;
    return kept.flatMap((v) => [`--${key}`, String(v)]);
  }
  return [`--${key}`, String(value)];
}

/** The asc command line for a runtime with `features`, written to a file named runtime.wasm. */
function ascArguments(features: RuntimeFeatures, simd: boolean): string[] {
  const config = JSON.parse(readFileSync(new URL('asconfig.json', PACKAGE_ROOT), 'utf8')) as AsConfig;
  const masks = Object.entries(featureMasks(features)).flatMap(([name, mask]) => ['--use', `${name}=${mask}`]);
  const options = { ...config.options, ...config.targets[simd ? 'simd' : 'scalar'] };
  return [
    ...config.entries
      .filter((entry) => entry !== TEST_HOOKS_ENTRY)
      .map((entry) => fileURLToPath(new URL(entry, PACKAGE_ROOT))),
    // A base folder without an asconfig.json, so asc applies only these arguments.
    '--baseDir',
    fileURLToPath(new URL('assembly/', PACKAGE_ROOT)),
    ...Object.entries(options).flatMap(([key, value]) => optionArgs(key, value)),
    ...masks,
    '--outFile',
    'runtime.wasm',
  ];
}

/**
 * The runtime module with only `features`, SIMD or scalar.
 * @throws Error with the compiler's output when asc fails (a broken installation: the sources compile in the build)
 */
export async function buildRuntime(features: RuntimeFeatures, options: { simd: boolean }): Promise<Uint8Array> {
  const { default: asc } = await import('assemblyscript/asc');
  let binary: Uint8Array | undefined;
  const output: string[] = [];
  const stream = {
    write: (chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    },
  };
  const result = await asc.main(ascArguments(features, options.simd), {
    stdout: stream,
    stderr: stream,
    writeFile: (name: string, contents: Uint8Array | string) => {
      if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
    },
  });
  if (result.error !== null || binary === undefined) {
    throw new Error(
      `sqz runtime: the AssemblyScript compiler failed: ${result.error?.message ?? 'no module written'}\n${output.join('')}`,
    );
  }
  return binary;
}
