// Accuracy-vs-bytes curves as SVG, drawn by vega-lite compiled to vega and rendered headless in Node.
import * as vega from 'vega';
import * as vl from 'vega-lite';

export interface ChartPoint { method: string; bytes: number; accuracy: number }

export async function accuracyVsBytesSvg(title: string, points: readonly ChartPoint[]): Promise<string> {
  const spec: vl.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title, width: 520, height: 300,
    data: { values: points.map((p) => ({ ...p, accuracy: 100 * p.accuracy })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'bytes', type: 'quantitative', scale: { type: 'log' }, title: 'file bytes (log)' },
      y: { field: 'accuracy', type: 'quantitative', scale: { zero: false }, title: 'test accuracy, wasm runtime (%)' },
      color: { field: 'method', type: 'nominal', legend: { labelLimit: 320 } },
      order: { field: 'bytes', type: 'quantitative' },
    },
  };
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
