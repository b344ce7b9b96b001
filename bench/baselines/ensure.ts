// The benchmarks' reference baselines (model + dataset pairs) and the seeded training that makes one when it is
// missing, shared by bench/compression.ts and bench/compare.ts so both start from the same checkpoint.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { runNode } from '../spawn_node.js';

export interface BaselineCase {
  data: string;
  arch: 'lenet5' | 'lenet300';
  baselineEpochs: number;
}

export const BASELINE_CASES: Record<string, BaselineCase> = {
  'mnist-lenet300': { data: 'mnist', arch: 'lenet300', baselineEpochs: 15 },
  'mnist-lenet5': { data: 'mnist', arch: 'lenet5', baselineEpochs: 15 },
  'fashion-mnist-lenet300': { data: 'fashion-mnist', arch: 'lenet300', baselineEpochs: 15 },
  'fashion-mnist-lenet5': { data: 'fashion-mnist', arch: 'lenet5', baselineEpochs: 10 },
};

export interface Baseline {
  testAccuracy: number;
  command: string;
}

/** bench/out/models/NAME (model.json + baseline.json), trained with bench/baselines/train.ts first when missing. */
export async function ensureBaseline(root: string, name: string): Promise<{ dir: string; baseline: Baseline }> {
  const c = BASELINE_CASES[name];
  if (!c) throw new Error(`unknown case '${name}' (one of ${Object.keys(BASELINE_CASES).join(', ')})`);
  const dir = path.join(root, 'bench/out/models', name);
  if (!existsSync(path.join(dir, 'baseline.json'))) {
    const r = await runNode(
      [
        'dist/bench/baselines/train.js',
        '--arch',
        c.arch,
        '--data',
        c.data,
        '--epochs',
        String(c.baselineEpochs),
        '--out',
        path.relative(root, dir),
      ],
      root,
    );
    if (r.code !== 0) throw new Error(`training the ${name} baseline failed`);
  }
  return { dir, baseline: JSON.parse(await readFile(path.join(dir, 'baseline.json'), 'utf8')) as Baseline };
}
