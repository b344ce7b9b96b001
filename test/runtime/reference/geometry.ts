// TensorFlow's window geometry (formats/README.md): valid OH = ceil((H − KH + 1) / SH); same OH = ceil(H / SH)
// with pad_total = max((OH − 1)·SH + KH − H, 0) and pad_top = floor(pad_total / 2).

export type Padding = 'valid' | 'same';

export interface Axis {
  out: number;
  /** Padding before the first input cell. */
  before: number;
}

export function windowAxis(input: number, window: number, stride: number, padding: Padding): Axis {
  if (padding === 'valid') return { out: Math.ceil((input - window + 1) / stride), before: 0 };
  const out = Math.ceil(input / stride);
  const total = Math.max((out - 1) * stride + window - input, 0);
  return { out, before: Math.floor(total / 2) };
}
