// `sqz compress --report-html`: the report as one self-contained HTML page. Chart.js (MIT) is inlined from the
// installed package, so the page opens offline and from a mail attachment; the report itself is embedded as
// JSON and drawn by a short script: per-layer density, bits and bytes by part (stacked), and per-epoch accuracy,
// ‖W−V‖, nonzeros, bytes.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { CompressReport } from './report.js';
import { formatMse } from './task.js';

/** The UMD build of Chart.js (defines window.Chart). The package's exports map hides dist/, so find it from the main entry. */
async function chartJsSource(): Promise<string> {
  const main = createRequire(import.meta.url).resolve('chart.js'); // …/chart.js/dist/chart.cjs
  const source = await readFile(path.join(path.dirname(main), 'chart.umd.js'), 'utf8');
  // The source map is not shipped with the page; "</script" would end the inline script early.
  return source.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n').replace(/<\/script/gi, '<\\/script');
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON that is safe inside <script>: no "<" can close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

const int = (n: number) => n.toLocaleString('en-US');

/** The parts of a layer's bytes, in the table's and the stacked chart's order. */
const BYTE_PARTS = ['values', 'positions', 'codebook', 'framing', 'bias'] as const;
const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : `${(100 * x).toFixed(2)}%`);

function summaryRows(r: CompressReport): [string, string][] {
  return [
    ['model', r.model],
    [
      'data',
      `${r.data} (${int(r.samples.train)} train / ${int(r.samples.validation)} validation / ${int(r.samples.test)} test)`,
    ],
    ['file', `${int(r.fileBytes)} bytes (target ${int(r.targetBytes)}) → ${r.output}`],
    [
      'fp32 weights',
      `${int(r.fp32WeightBytes)} bytes: ${r.fileRatio.toFixed(1)}× smaller; ${r.paperRatio.toFixed(1)}× on 32·Σn / Σ nnz·b`,
    ],
    ...metricRows(r),
    [
      'time',
      `${r.seconds.total.toFixed(1)} s on ${r.backend} (ADMM ${r.seconds.admm.toFixed(1)} s, fine-tune ${r.seconds.finetune.toFixed(1)} s)`,
    ],
  ];
}

/** The task's before/after rows: accuracy for classification, MSE (and MAE) otherwise. */
function metricRows(r: CompressReport): [string, string][] {
  if (r.accuracy) {
    return [
      [
        'test accuracy',
        `${pct(r.accuracy.before)} before → ${pct(r.accuracy.after)} after (compiler)` +
          (r.accuracy.runtime !== undefined ? `, ${pct(r.accuracy.runtime)} in the wasm runtime` : ''),
      ],
      ['validation accuracy', `${pct(r.accuracy.validation)} (the kept result)`],
    ];
  }
  const m = r.metrics;
  return [
    [
      `test MSE (${r.task})`,
      `${formatMse(m.before.mse)} before → ${formatMse(m.after.mse)} after (compiler)` +
        (m.runtime ? `, ${formatMse(m.runtime.mse)} in the wasm runtime` : ''),
    ],
    ['test MAE', `${formatMse(m.before.mae)} before → ${formatMse(m.after.mae)} after`],
    ['validation MSE', `${formatMse(-m.validationScore)} (the kept result)`],
  ];
}

function layerTable(r: CompressReport): string {
  const head = [
    'layer',
    'type',
    'shape',
    'units kept',
    'weights',
    'nonzeros',
    'density',
    'bits',
    'bytes',
    'encoding',
    'values',
    'positions',
    'codebook',
    'framing',
    'bias',
  ];
  const rows = r.layers.map((l) => [
    l.name,
    l.type,
    `[${l.shape.join('×')}]`,
    `${l.units.kept} of ${l.units.of}`,
    int(l.weights),
    int(l.nonzeros),
    pct(l.density),
    String(l.bits),
    int(l.kernelBytes),
    l.encoding,
    ...BYTE_PARTS.map((part) => int(l.bytes[part])),
  ]);
  const cells = (row: string[], tag: string) => row.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('');
  return `<table><thead><tr>${cells(head, 'th')}</tr></thead><tbody>${rows.map((row) => `<tr>${cells(row, 'td')}</tr>`).join('')}</tbody></table>`;
}

// Runs in the page: draws the charts from the embedded report.
const DRAW_CHARTS = `
Chart.defaults.animation = false; // a report, not a show: printed and screenshotted pages must be complete
const r = JSON.parse(document.getElementById('sqz-report').textContent);
const names = r.layers.map((l) => l.name);
const epochs = r.history.map((h) => (h.phase === 'admm' ? 'admm ' : 'fine-tune ') + (h.epoch + 1));
const bar = (id, label, data, max) => new Chart(document.getElementById(id), { type: 'bar',
  data: { labels: names, datasets: [{ label, data }] }, options: { scales: { y: { beginAtZero: true, max } } } });
const line = (id, datasets, y = {}) => new Chart(document.getElementById(id), { type: 'line',
  data: { labels: epochs, datasets }, options: { spanGaps: false, scales: { y } } });
bar('density', 'density (% of weights kept)', r.layers.map((l) => 100 * l.density), 100);
bar('bits', 'bits per weight', r.layers.map((l) => l.bits), 8);
new Chart(document.getElementById('bytes-split'), { type: 'bar',
  data: { labels: names, datasets: ${JSON.stringify(BYTE_PARTS)}.map((part) => ({ label: part, data: r.layers.map((l) => l.bytes[part]) })) },
  options: { plugins: { title: { display: true, text: 'bytes per layer: kernel values, positions, codebook, framing, and the bias' } },
    scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, title: { display: true, text: 'bytes' } } } } });
line('accuracy', r.accuracy ? [{ label: 'validation accuracy (%)', data: r.history.map((h) => 100 * h.validationAccuracy) }]
  : [{ label: 'validation MSE', data: r.history.map((h) => -h.validationAccuracy) }]);
line('residual', [{ label: '‖W − V‖ / ‖W‖ (ADMM)', data: r.history.map((h) => h.residual ?? null) }], { type: 'logarithmic' });
line('nonzeros', [{ label: 'nonzero weights', data: r.history.map((h) => h.nonzeros) }]);
line('bytes', [{ label: 'file bytes', data: r.history.map((h) => h.estimatedBytes) },
  { label: 'target', data: r.history.map(() => r.targetBytes), borderDash: [6, 4], pointRadius: 0 }]);
`;

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child,td:nth-child(2){text-align:left}.summary td{text-align:left}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1.5em}canvas{max-height:300px}
.warning{background:#fde8e8;border:1px solid #c33;padding:.6em 1em}`;

/** The whole page, as a string (no external references). */
export async function reportHtml(r: CompressReport): Promise<string> {
  const summary = summaryRows(r)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sqz report: ${escapeHtml(path.basename(r.output))}</title>
<style>${STYLE}</style></head><body>
<h1>sqz compress: ${escapeHtml(r.output)}</h1>
${(r.warnings ?? []).map((w) => `<p class="warning"><strong>Warning:</strong> ${escapeHtml(w)}</p>`).join('\n')}
<table class="summary">${summary}</table>
<h2>Layers</h2>
${layerTable(r)}
<div class="grid"><div><canvas id="density"></canvas></div><div><canvas id="bits"></canvas></div></div>
<h2>Where the bytes go</h2>
<p>Each layer's bytes in the file: the kernel's packed codes or raw values, its positions (bitmap or Rice stream), its
codebook and its protobuf framing, and the layer's bias tensor. The rest of the file is the graph and the 14-byte header.</p>
<div><canvas id="bytes-split"></canvas></div>
<h2>Over the epochs</h2>
<p>Each ADMM epoch is measured at its hard projection fitted to the target (what the run would write if it stopped there);
fine-tune epochs keep mask and bits.</p>
<div class="grid"><div><canvas id="accuracy"></canvas></div><div><canvas id="residual"></canvas></div>
<div><canvas id="nonzeros"></canvas></div><div><canvas id="bytes"></canvas></div></div>
<script type="application/json" id="sqz-report">${scriptJson(r)}</script>
<script>${await chartJsSource()}</script>
<script>${DRAW_CHARTS}</script>
</body></html>
`;
}
