// The reference architectures of the benchmarks, as TensorFlow.js layers models.
import * as tfl from '@tensorflow/tfjs-layers';

export type ArchName = 'lenet5' | 'lenet300' | 'mlp-small';

/**
 * LeNet-5 as in Yang et al. (the Caffe variant): conv 20@5×5 → maxpool 2 → conv 50@5×5 → maxpool 2 →
 * dense 500 relu → dense 10. 430,500 kernel weights.
 */
export function lenet5(seed: number): tfl.Sequential {
  return tfl.sequential({
    name: 'lenet5',
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 20, kernelSize: 5, name: 'conv1',
        kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool1' }),
      tfl.layers.conv2d({ filters: 50, kernelSize: 5, name: 'conv2', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool2' }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({ units: 500, activation: 'relu', name: 'fc1', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 2 }) }),
      tfl.layers.dense({ units: 10, activation: 'softmax', name: 'fc2', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 3 }) }),
    ],
  });
}

/** LeNet-300-100: 784 → 300 relu → 100 relu → 10. 266,200 kernel weights. */
export function lenet300(seed: number): tfl.Sequential {
  return mlp('lenet300', [300, 100], seed);
}

/** The demo's small MLP: 784 → 64 relu → 10 (50,816 kernel weights), trains in seconds. */
export function mlpSmall(seed: number): tfl.Sequential {
  return mlp('mlp-small', [64], seed);
}

function mlp(name: string, hidden: number[], seed: number): tfl.Sequential {
  const model = tfl.sequential({ name });
  model.add(tfl.layers.flatten({ inputShape: [28, 28, 1], name: 'flatten' }));
  hidden.forEach((units, i) => model.add(tfl.layers.dense({
    units, activation: 'relu', name: `fc${i + 1}`, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + i }),
  })));
  model.add(tfl.layers.dense({ units: 10, activation: 'softmax', name: `fc${hidden.length + 1}`,
    kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + hidden.length }) }));
  return model;
}

export const ARCHITECTURES: Record<ArchName, (seed: number) => tfl.Sequential> = {
  lenet5, lenet300, 'mlp-small': mlpSmall,
};
