// The explicit list of kernels: registers, once when the module starts, the kernel of every op this build contains
// (features.ts). A build without an op leaves its kernel out entirely: nothing else refers to it.

import {
  OP_ACTIVATION, OP_ADD, OP_AVG_POOL2D, OP_CONV2D, OP_DENSE, OP_DEPTHWISE_CONV2D, OP_GLOBAL_AVG_POOL2D,
  OP_GLOBAL_MAX_POOL2D, OP_MAX_POOL2D, OP_PRELU, OP_RESHAPE, OP_ZERO_PAD2D, OP_CROP2D, OP_UP_SAMPLING2D,
  OP_CONCAT, OP_MULTIPLY, OP_AVERAGE, OP_MAXIMUM, OP_MINIMUM, OP_TRANSPOSE, OP_RESCALE, OP_THRESHOLDED_RELU,
  OP_CONV2D_TRANSPOSE,
} from '../../formats/constants';
import { opBuilt } from '../features';
import { registerActivation } from './activation';
import { registerAdd } from './add';
import { registerAverage } from './average';
import { registerAvgPool2d } from './avg_pool2d';
import { registerConcat } from './concat';
import { registerConv2d } from './conv2d';
import { registerConv2dTranspose } from './conv2d_transpose';
import { registerCrop2d } from './crop2d';
import { registerDense } from './dense';
import { registerDepthwiseConv2d } from './depthwise_conv2d';
import { registerGlobalAvgPool2d, registerGlobalMaxPool2d } from './global_pool2d';
import { registerMaxPool2d } from './max_pool2d';
import { registerMaximum } from './maximum';
import { registerMinimum } from './minimum';
import { registerMultiply } from './multiply';
import { registerPrelu } from './prelu';
import { registerRescale } from './rescale';
import { registerReshape } from './reshape';
import { registerThresholdedRelu } from './thresholded_relu';
import { registerTranspose } from './transpose';
import { registerUpSampling2d } from './up_sampling2d';
import { registerZeroPad2d } from './zero_pad2d';

export function registerKernels(): void {
  if (opBuilt(OP_DENSE)) registerDense();
  if (opBuilt(OP_CONV2D)) registerConv2d();
  if (opBuilt(OP_DEPTHWISE_CONV2D)) registerDepthwiseConv2d();
  if (opBuilt(OP_MAX_POOL2D)) registerMaxPool2d();
  if (opBuilt(OP_AVG_POOL2D)) registerAvgPool2d();
  if (opBuilt(OP_GLOBAL_AVG_POOL2D)) registerGlobalAvgPool2d();
  if (opBuilt(OP_GLOBAL_MAX_POOL2D)) registerGlobalMaxPool2d();
  if (opBuilt(OP_ACTIVATION)) registerActivation();
  if (opBuilt(OP_ADD)) registerAdd();
  if (opBuilt(OP_RESHAPE)) registerReshape();
  if (opBuilt(OP_PRELU)) registerPrelu();
  if (opBuilt(OP_ZERO_PAD2D)) registerZeroPad2d();
  if (opBuilt(OP_CROP2D)) registerCrop2d();
  if (opBuilt(OP_UP_SAMPLING2D)) registerUpSampling2d();
  if (opBuilt(OP_CONCAT)) registerConcat();
  if (opBuilt(OP_MULTIPLY)) registerMultiply();
  if (opBuilt(OP_AVERAGE)) registerAverage();
  if (opBuilt(OP_MAXIMUM)) registerMaximum();
  if (opBuilt(OP_MINIMUM)) registerMinimum();
  if (opBuilt(OP_TRANSPOSE)) registerTranspose();
  if (opBuilt(OP_RESCALE)) registerRescale();
  if (opBuilt(OP_THRESHOLDED_RELU)) registerThresholdedRelu();
  if (opBuilt(OP_CONV2D_TRANSPOSE)) registerConv2dTranspose();
}
