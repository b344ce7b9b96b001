// What `tensorflowjs_converter --quantize_uint8` would ship: every float32 weight affine-quantized to one byte
// (per tensor: scale = (max − min) / 255, min nudged so that 0 is exactly representable when the range covers
// it, as the converter's quantization.py does), the shard holding one byte per weight and model.json gaining a
// `quantization` entry per weight. Its size is model.json bytes + shard bytes; its accuracy is that of the dequantized weights.

export interface AffineParams {
  scale: number;
  min: number;
}

export function affineParams(values: Float32Array): AffineParams {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // As tensorflowjs/quantization.py: a constant tensor gets scale 1 (every code 0); otherwise scale = range / 255,
  // and when the range covers 0 the minimum is nudged so that 0 is a code exactly.
  if (!(hi > lo)) return { scale: 1, min: Number.isFinite(lo) ? lo : 0 };
  const scale = (hi - lo) / 255;
  return { scale, min: lo <= 0 && hi >= 0 ? -Math.round(-lo / scale) * scale : lo };
}

/** The values tfjs reconstructs when loading the uint8 weights: min + scale·q, q = clamp(round((w − min)/scale)). */
export function dequantizeAffine(values: Float32Array, p: AffineParams): Float32Array {
  return Float32Array.from(
    values,
    (v) => p.min + p.scale * Math.min(255, Math.max(0, Math.round((v - p.min) / p.scale))),
  );
}

interface ManifestGroup {
  paths: string[];
  weights: { name: string; shape: number[]; dtype: string; quantization?: unknown }[];
}

/**
 * model.json of the uint8 conversion (topology unchanged; one shard; per-weight quantization entries, f32 values
 * of min and scale) and the shard's size, from the original model.json text and its weights' values by name.
 */
export function affineUint8Files(
  modelJsonText: string,
  weights: ReadonlyMap<string, Float32Array>,
): { modelJson: string; shardBytes: number } {
  const model = JSON.parse(modelJsonText) as { weightsManifest: ManifestGroup[] };
  let shardBytes = 0;
  const entries = model.weightsManifest
    .flatMap((g) => g.weights)
    .map((w) => {
      const values = weights.get(w.name);
      if (!values) throw new Error(`affineUint8Files: no values for weight '${w.name}'`);
      const p = affineParams(values);
      shardBytes += values.length;
      return {
        name: w.name,
        shape: w.shape,
        dtype: 'float32',
        quantization: {
          dtype: 'uint8',
          min: Math.fround(p.min),
          scale: Math.fround(p.scale),
          original_dtype: 'float32',
        },
      };
    });
  model.weightsManifest = [{ paths: ['group1-shard1of1.bin'], weights: entries }];
  return { modelJson: JSON.stringify(model), shardBytes };
}

/** The f32 weight data with every tensor (in manifest order) replaced by what tfjs dequantizes it to. */
export function dequantizedWeightData(
  specs: readonly { name: string; shape: number[] }[],
  data: ArrayBuffer,
): ArrayBuffer {
  const all = new Float32Array(data.slice(0));
  let at = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const values = all.subarray(at, at + n);
    values.set(dequantizeAffine(values, affineParams(values)));
    at += n;
  }
  return all.buffer;
}

/** Weight values by name from f32 weight data in manifest order. */
export function weightsByName(
  specs: readonly { name: string; shape: number[] }[],
  data: ArrayBuffer,
): Map<string, Float32Array> {
  const all = new Float32Array(data);
  const out = new Map<string, Float32Array>();
  let at = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    out.set(spec.name, all.subarray(at, at + n));
    at += n;
  }
  return out;
}
