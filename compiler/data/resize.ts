// Bilinear resizing of one H×W×C image (row-major, channels last), with half-pixel centres and no antialiasing:
// the sampling of tf.image.resize (Keras' image_dataset_from_directory) and of tfjs's resizeBilinear with
// halfPixelCenters, which the tests use as the oracle. Same-size input comes back unchanged.

/**
 * `src` ([inH, inW, c]) resized to [outH, outW, c]. Output pixel (r, q) samples the source at
 * ((r + 0.5)·inH/outH − 0.5, (q + 0.5)·inW/outW − 0.5), clamped at the borders.
 */
export function resizeBilinear(
  src: Float32Array,
  inH: number,
  inW: number,
  c: number,
  outH: number,
  outW: number,
): Float32Array {
  if (inH === outH && inW === outW) return src;
  const out = new Float32Array(outH * outW * c);
  const rowRatio = inH / outH;
  const colRatio = inW / outW;
  let o = 0;
  for (let r = 0; r < outH; r++) {
    const fr = rowRatio * (r + 0.5) - 0.5;
    const r0 = Math.max(0, Math.floor(fr));
    const r1 = Math.min(inH - 1, Math.ceil(fr));
    const dr = fr - r0;
    for (let q = 0; q < outW; q++) {
      const fc = colRatio * (q + 0.5) - 0.5;
      const c0 = Math.max(0, Math.floor(fc));
      const c1 = Math.min(inW - 1, Math.ceil(fc));
      const dc = fc - c0;
      for (let k = 0; k < c; k++) {
        const tl = src[(r0 * inW + c0) * c + k]!;
        const tr = src[(r0 * inW + c1) * c + k]!;
        const bl = src[(r1 * inW + c0) * c + k]!;
        const br = src[(r1 * inW + c1) * c + k]!;
        const top = tl + (tr - tl) * dc;
        const bottom = bl + (br - bl) * dc;
        out[o++] = top + (bottom - top) * dr;
      }
    }
  }
  return out;
}
