// Picks the tfjs backend the compiler trains on, in the order DESIGN.md gives: tfjs-node-gpu, tfjs-node,
// wasm (SIMD), cpu. The two native packages are optional peers that are usually absent (their install
// downloads libtensorflow); in 'auto' mode their absence is silent, when forced it is a clear error.
//
// Two traps this module exists to avoid:
//  - `tf.setBackend` reports failure only through its boolean result; we always check it.
//  - tfjs-core's Node bundle registers no gradient functions (the union package `@tensorflow/tfjs` does that,
//    and it is not installed). tfjs-layers' Node bundle registers all of tfjs-core's gradients into the
//    shared global registry when it loads, so importing it here makes `tf.variableGrads` work.
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // side effect: registers every gradient (see above)
import { UsageError } from '../errors.js';
import { registerSqzKernels } from './kernels/register.js';

export type BackendChoice = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** The backend in use after `selectBackend`. */
export interface BackendInfo {
  /** tfjs backend name: 'tensorflow', 'wasm' or 'cpu'. */
  name: string;
  /** npm package that provides it. */
  package: string;
  /** wasm only: whether the SIMD build is running. */
  simd?: boolean;
  /** wasm only: XNNPACK threads (1 in Node, where tfjs-backend-wasm does not use workers). */
  threads?: number;
  /** 'auto' only: why a higher-priority engine that IS installed could not be used (absent ones are not listed). */
  fallbacks?: string[];
}

interface NativeEngine {
  choice: 'tensorflow-gpu' | 'tensorflow';
  package: string;
  install: string;
}

const NATIVE: readonly NativeEngine[] = [
  {
    choice: 'tensorflow-gpu',
    package: '@tensorflow/tfjs-node-gpu',
    install: 'install @tensorflow/tfjs-node-gpu (needs CUDA and network access to download libtensorflow)',
  },
  {
    choice: 'tensorflow',
    package: '@tensorflow/tfjs-node',
    install: 'install @tensorflow/tfjs-node (needs network access to download libtensorflow)',
  },
];

const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
const CPU_PACKAGE = '@tensorflow/tfjs-backend-cpu';

let lastChoice: BackendChoice | undefined;
let lastInfo: BackendInfo | undefined;

/**
 * Makes the best available (or the requested) backend current, with sqz's extra gradient kernels registered.
 * Calling it again with the same choice returns the same answer without re-initialising anything.
 * @throws when a forced backend cannot be used, saying what to install or why it failed
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  if (!BACKEND_CHOICES.includes(choice)) {
    throw new UsageError(`unknown backend '${String(choice)}'; valid choices: ${BACKEND_CHOICES.join(', ')}`);
  }
  if (lastChoice === choice && lastInfo !== undefined && tf.getBackend() === lastInfo.name) return lastInfo;
  registerSqzKernels('wasm');
  const info = await pick(choice);
  lastChoice = choice;
  lastInfo = info;
  return info;
}

async function pick(choice: BackendChoice): Promise<BackendInfo> {
  if (choice === 'wasm') return useWasm();
  if (choice === 'cpu') return useCpu();
  if (choice !== 'auto') {
    const engine = NATIVE.find((e) => e.choice === choice)!;
    const loaded = await loadNative(engine);
    if (loaded.status === 'absent') throw new Error(`Backend '${choice}' is not available: ${engine.install}`);
    if (loaded.status === 'failed') throw new Error(`Backend '${choice}' failed to start: ${loaded.reason}`);
    return loaded.info;
  }
  const fallbacks: string[] = [];
  for (const engine of NATIVE) {
    const loaded = await loadNative(engine);
    if (loaded.status === 'ok') return loaded.info;
    if (loaded.status === 'failed') fallbacks.push(`${engine.package}: ${loaded.reason}`);
  }
  try {
    const info = await useWasm();
    return fallbacks.length > 0 ? { ...info, fallbacks } : info;
  } catch (err) {
    fallbacks.push(`${WASM_PACKAGE}: ${(err as Error).message}`);
  }
  return { ...(await useCpu()), fallbacks };
}

type NativeResult = { status: 'ok'; info: BackendInfo } | { status: 'absent' } | { status: 'failed'; reason: string };

/** Imports a native tfjs-node package (which registers the 'tensorflow' backend) and switches to it. */
async function loadNative(engine: NativeEngine): Promise<NativeResult> {
  try {
    // A variable specifier keeps TypeScript from resolving a package that is normally not installed.
    const specifier: string = engine.package;
    await import(specifier);
  } catch (err) {
    if (isMissingPackage(err, engine.package)) return { status: 'absent' };
    return { status: 'failed', reason: `could not load ${engine.package}: ${(err as Error).message}` };
  }
  const ok = await trySetBackend('tensorflow');
  if (!ok)
    return { status: 'failed', reason: `${engine.package} loaded but tf.setBackend('tensorflow') returned false` };
  return { status: 'ok', info: { name: 'tensorflow', package: engine.package } };
}

function isMissingPackage(err: unknown, pkg: string): boolean {
  const e = err as { code?: string; message?: string };
  return (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') && (e.message ?? '').includes(pkg);
}

async function useWasm(): Promise<BackendInfo> {
  // Point the backend at its own dist folder, so that it loads its .wasm files from disk whatever the caller's
  // working directory or bundling. This must happen before the backend's first initialisation.
  if (tf.findBackend('wasm') === null) {
    const entry = createRequire(import.meta.url).resolve(WASM_PACKAGE);
    setWasmPaths(dirname(entry) + sep);
  }
  if (!(await trySetBackend('wasm'))) {
    throw new Error(
      `Backend 'wasm' failed to start (tf.setBackend('wasm') returned false); its .wasm files are expected in ` +
        `the ${WASM_PACKAGE} package's dist folder. Reinstall the package, or use backend 'cpu'.`,
    );
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  return { name: 'wasm', package: WASM_PACKAGE, simd, threads: getThreadsCount() };
}

async function useCpu(): Promise<BackendInfo> {
  if (!(await trySetBackend('cpu'))) {
    throw new Error(`Backend 'cpu' failed to start (tf.setBackend('cpu') returned false)`);
  }
  // The cpu backend prints a banner recommending tfjs-node on its first write; we have just tried that, so
  // the banner would only mislead. `firstUse` is its private flag; if a later version drops it, nothing breaks.
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu !== null && cpu.firstUse === true) cpu.firstUse = false;
  return { name: 'cpu', package: CPU_PACKAGE };
}

/** tf.setBackend, with both of its failure modes (false, or a rejected promise) turned into false. */
async function trySetBackend(name: string): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}
