// The reference architectures of the benchmarks, as TensorFlow.js layers models, at their published widths or at
// any narrower widths (the small models bench/compare trains from scratch).
import * as tfl from '@tensorflow/tfjs-layers';

export type ArchName = 'lenet5' | 'lenet300' | 'mlp-small';

/** What the last layer outputs: class probabilities (what is saved and compressed) or logits (for training). */
export type OutputActivation = 'softmax' | 'linear';

/** The published widths: LeNet-5 conv1/conv2/fc1, LeNet-300-100's two hidden layers, the demo MLP's one. */
export const FULL_WIDTHS: Record<ArchName, readonly number[]> = {
  lenet5: [20, 50, 500],
  lenet300: [300, 100],
  'mlp-small': [64],
};

/**
 * LeNet-5 as in Yang et al. (the Caffe variant): conv 20@5×5 → maxpool 2 → conv 50@5×5 → maxpool 2 →
 * dense 500 relu → dense 10. 430,500 kernel weights. `widths` [c1, c2, f1] narrows it; [c1, c2] drops fc1
 * (the flattened 4·4·c2 features go straight to the 10 classes).
 */
export function lenet5(
  seed: number,
  widths: readonly number[] = FULL_WIDTHS.lenet5,
  output: OutputActivation = 'softmax',
): tfl.Sequential {
  if (widths.length !== 2 && widths.length !== 3)
    throw new Error(`lenet5: widths must be [conv1, conv2] or [conv1, conv2, fc1], got [${widths}]`);
  const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed + k });
  const layers: tfl.layers.Layer[] = [
    tfl.layers.conv2d({
      inputShape: [28, 28, 1],
      filters: widths[0]!,
      kernelSize: 5,
      name: 'conv1',
      kernelInitializer: init(0),
    }),
    tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool1' }),
    tfl.layers.conv2d({ filters: widths[1]!, kernelSize: 5, name: 'conv2', kernelInitializer: init(1) }),
    tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool2' }),
    tfl.layers.flatten({ name: 'flatten' }),
  ];
  if (widths.length === 3)
    layers.push(tfl.layers.dense({ units: widths[2]!, activation: 'relu', name: 'fc1', kernelInitializer: init(2) }));
  layers.push(
    tfl.layers.dense({ units: 10, activation: output, name: `fc${widths.length - 1}`, kernelInitializer: init(3) }),
  );
  return tfl.sequential({ name: 'lenet5', layers });
}

/** LeNet-300-100: 784 → 300 relu → 100 relu → 10. 266,200 kernel weights; `widths` [h1, h2] narrows it. */
export function lenet300(
  seed: number,
  widths: readonly number[] = FULL_WIDTHS.lenet300,
  output: OutputActivation = 'softmax',
): tfl.Sequential {
  if (widths.length !== 2) throw new Error(`lenet300: widths must be [hidden1, hidden2], got [${widths}]`);
  return mlp('lenet300', widths, seed, output);
}

/** The demo's small MLP: 784 → 64 relu → 10 (50,816 kernel weights), trains in seconds. */
export function mlpSmall(
  seed: number,
  widths: readonly number[] = FULL_WIDTHS['mlp-small'],
  output: OutputActivation = 'softmax',
): tfl.Sequential {
  return mlp('mlp-small', widths, seed, output);
}

function mlp(name: string, hidden: readonly number[], seed: number, output: OutputActivation): tfl.Sequential {
  const model = tfl.sequential({ name });
  model.add(tfl.layers.flatten({ inputShape: [28, 28, 1], name: 'flatten' }));
  hidden.forEach((units, i) =>
    model.add(
      tfl.layers.dense({
        units,
        activation: 'relu',
        name: `fc${i + 1}`,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + i }),
      }),
    ),
  );
  model.add(
    tfl.layers.dense({
      units: 10,
      activation: output,
      name: `fc${hidden.length + 1}`,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + hidden.length }),
    }),
  );
  return model;
}

export const ARCHITECTURES: Record<
  ArchName,
  (seed: number, widths?: readonly number[], output?: OutputActivation) => tfl.Sequential
> = {
  lenet5,
  lenet300,
  'mlp-small': mlpSmall,
};

/**
 * Weights (kernels and biases) of `arch` at `widths`, counted from the layer shapes as the model above builds them
 * (28×28×1 inputs, 10 classes); 4× this is its fp32 weights file in bytes.
 */
export function weightCount(arch: ArchName, widths: readonly number[]): number {
  if (arch === 'lenet5') {
    const [c1, c2, f1] = widths as [number, number, number?];
    const convs = 25 * c1 + c1 + 25 * c1 * c2 + c2;
    const flat = 4 * 4 * c2;
    return f1 === undefined ? convs + flat * 10 + 10 : convs + flat * f1 + f1 + f1 * 10 + 10;
  }
  let n = 0;
  let inputs = 28 * 28;
  for (const units of widths) {
    n += inputs * units + units;
    inputs = units;
  }
  return n + inputs * 10 + 10;
}
