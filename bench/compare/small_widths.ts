// Which narrow versions of a baseline architecture the small-model methods train, and which of them each size
// target tries. A width multiplier grid over two shapes per architecture; per target, the few whose fp32 weights
// file is nearest to a few times the target (a model far larger needs heavy pruning, one far smaller leaves bytes
// unused).
import { weightCount } from '../baselines/models.js';

export type SmallArch = 'lenet5' | 'lenet300';

/** Width multipliers 2^(−k/2), k = 1..14 (0.71 down to 0.0078): each step about halves a model's weights. */
export const WIDTH_MULTIPLIERS: readonly number[] = Array.from({ length: 14 }, (_, i) => 2 ** (-(i + 1) / 2));

/** No layer narrower than this: a 1-unit or 1-channel layer is a bottleneck, not a small model. */
export const MIN_WIDTH = 2;

/**
 * Per architecture, the layer widths each multiplier scales. LeNet-5: conv1/conv2/fc1 in the published
 * proportions, and the same convs without fc1 (flatten straight to the classes). LeNet-300-100: hidden widths 3:1
 * as published, and two equal hidden layers.
 */
export const WIDTH_SHAPES: Record<SmallArch, readonly { name: string; base: readonly number[] }[]> = {
  lenet5: [
    { name: 'conv1/conv2/fc1 20:50:500', base: [20, 50, 500] },
    { name: 'conv1/conv2, no fc1, 20:50', base: [20, 50] },
  ],
  lenet300: [
    { name: 'hidden 300:100', base: [300, 100] },
    { name: 'hidden equal', base: [300, 300] },
  ],
};

/** The grid's fp32 weights file per target byte the choice aims at: √32 ≈ 5.7, the middle of 4–8× in ratio. */
export const FP32_BYTES_PER_TARGET_BYTE = Math.sqrt(32);

/** How many widths each target tries by default. */
export const DEFAULT_CANDIDATES = 3;

export interface SmallWidths {
  widths: number[];
  /** fp32 weights file bytes (kernels and biases, 4 bytes each). */
  fp32Bytes: number;
}

/** Every distinct width list of `arch`'s grid (shapes × multipliers, rounded, at least MIN_WIDTH), smallest first. */
export function widthGrid(arch: SmallArch): SmallWidths[] {
  const seen = new Map<string, SmallWidths>();
  for (const shape of WIDTH_SHAPES[arch]) {
    for (const m of WIDTH_MULTIPLIERS) {
      const widths = shape.base.map((w) => Math.max(MIN_WIDTH, Math.round(w * m)));
      seen.set(widthsKey(widths), { widths, fp32Bytes: 4 * weightCount(arch, widths) });
    }
  }
  return [...seen.values()].sort((a, b) => a.fp32Bytes - b.fp32Bytes);
}

/**
 * The `count` grid entries whose fp32 bytes are nearest to FP32_BYTES_PER_TARGET_BYTE × `targetBytes`, nearest
 * by ratio (|ln(fp32 / aim)|), ties to the smaller model; returned smallest first.
 */
export function chooseWidths(arch: SmallArch, targetBytes: number, count = DEFAULT_CANDIDATES): SmallWidths[] {
  if (!(targetBytes > 0))
    throw new Error(`chooseWidths: target must be a positive number of bytes, got ${targetBytes}`);
  const aim = FP32_BYTES_PER_TARGET_BYTE * targetBytes;
  const distance = (s: SmallWidths) => Math.abs(Math.log(s.fp32Bytes / aim));
  return widthGrid(arch)
    .sort((a, b) => distance(a) - distance(b) || a.fp32Bytes - b.fp32Bytes)
    .slice(0, count)
    .sort((a, b) => a.fp32Bytes - b.fp32Bytes);
}

/** "7-18" or "3-6-63": a width list as it appears in folder names and notes. */
export function widthsKey(widths: readonly number[]): string {
  return widths.join('-');
}
