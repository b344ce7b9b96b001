// The layers the optimizer compresses: every dense, conv2d and depthwiseConv2d kernel of the graph.
import { isCompressible, type Graph } from '../ir/graph.js';

export interface CompressibleLayer {
  /** Index of the op in graph.ops. */
  opIndex: number;
  /** Source layer name, for reports. */
  name: string;
  type: string;
  /** Kernel shape. */
  shape: number[];
  /** Number of kernel weights. */
  n: number;
}

/** The compressible layers of `graph`, in op order. Throws if there are none. */
export function compressibleLayers(graph: Graph): CompressibleLayer[] {
  const layers: CompressibleLayer[] = [];
  graph.ops.forEach((op, opIndex) => {
    if (!isCompressible(op)) return;
    layers.push({ opIndex, name: op.name, type: op.type, shape: [...op.kernel.shape], n: op.kernel.values.length });
  });
  if (layers.length === 0) {
    throw new Error('compress: the model has no Dense, Conv2D or DepthwiseConv2D kernel to compress');
  }
  return layers;
}
