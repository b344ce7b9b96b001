// Accuracy-vs-bytes curves as SVG, drawn by vega-lite compiled to vega and rendered headless in Node.
import * as vega from 'vega';
import * as vl from 'vega-lite';

export interface ChartPoint {
  method: string;
  bytes: number;
  accuracy: number;
  /** The range over seeds, drawn as a bar through the point, where more than one seed was run. */
  min?: number;
  max?: number;
}

export async function accuracyVsBytesSvg(title: string, points: readonly ChartPoint[]): Promise<string> {
  const spec: vl.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 520,
    height: 300,
    data: {
      values: points.map((p) => ({
        ...p,
        accuracy: 100 * p.accuracy,
        min: p.min === undefined ? null : 100 * p.min,
        max: p.max === undefined ? null : 100 * p.max,
      })),
    },
    encoding: {
      x: { field: 'bytes', type: 'quantitative', scale: { type: 'log' }, title: 'file bytes (log)' },
      color: { field: 'method', type: 'nominal', legend: { labelLimit: 320 } },
    },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: {
          y: {
            field: 'accuracy',
            type: 'quantitative',
            scale: { zero: false },
            title: points.some((p) => p.min !== undefined)
              ? 'test accuracy, wasm runtime (%); bars: range over seeds'
              : 'test accuracy, wasm runtime (%)',
          },
          order: { field: 'bytes', type: 'quantitative' },
        },
      },
      {
        transform: [{ filter: 'isValid(datum.min)' }],
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: { y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } },
      },
    ],
  };
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
