// `sqz compress --report-html` on a short run (1,000 training digits, 2 + 1 epochs): the page must carry Chart.js
// inline and reference nothing external, and hold the per-layer figures and the per-epoch history of the JSON
// report. `sqz inspect` on the compressed file must agree with the report's per-layer nonzeros and bits.
import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { MLP_MODEL, runCli, tempDir } from './helpers.js';

const dir = await tempDir('report');
test.after(() => rm(dir, { recursive: true, force: true }));
const output = path.join(dir, 'mlp.sqz');
const reportJson = path.join(dir, 'report.json');
const reportHtml = path.join(dir, 'report.html');

test(
  'compress --report-html writes a self-contained page with the layers and the epochs',
  { timeout: 240_000 },
  async () => {
    const r = await runCli([
      'compress',
      MLP_MODEL,
      '--data',
      'mnist',
      '--train-samples',
      '1000',
      '--test-samples',
      '200',
      '--epochs',
      '2',
      '--finetune-epochs',
      '1',
      '--seed',
      '7',
      '--backend',
      'wasm',
      '--quiet',
      '--target-size',
      '5000',
      '-o',
      output,
      '--report',
      reportJson,
      '--report-html',
      reportHtml,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(await readFile(reportJson, 'utf8'));
    const html = await readFile(reportHtml, 'utf8');

    // Chart.js inlined, nothing fetched: no src/href pointing outside the page.
    const chartJs = await readFile(path.join(path.dirname(chartJsMain()), 'chart.umd.js'), 'utf8');
    assert.ok(html.includes(chartJs.slice(0, 2000)), 'the Chart.js UMD build is inlined');
    assert.doesNotMatch(html, /<script[^>]*\ssrc=/i);
    assert.doesNotMatch(html, /<link[^>]*\shref=/i);
    assert.doesNotMatch(html, /sourceMappingURL/);
    for (const id of ['density', 'bits', 'bytes-split', 'accuracy', 'residual', 'nonzeros', 'bytes'])
      assert.match(html, new RegExp(`<canvas id="${id}">`));

    // The embedded data is the report, with a history entry per epoch carrying the charts' series.
    const embedded = JSON.parse(/<script type="application\/json" id="sqz-report">(.*?)<\/script>/s.exec(html)![1]!);
    assert.deepEqual(embedded.layers, report.layers);
    assert.equal(embedded.history.length, 3);
    for (const h of embedded.history) {
      assert.ok(h.nonzeros > 0 && h.estimatedBytes > 0 && h.estimatedBytes <= 5000, JSON.stringify(h));
      assert.equal(h.bits.length, 2);
      if (h.phase === 'admm') assert.ok(h.residual > 0 && h.residual < 1, `residual ${h.residual}`);
    }
    // The stacked chart draws each part of every layer's bytes from the embedded report.
    assert.match(html, /getElementById\('bytes-split'\)[^;]*stacked: true/s);
    for (const part of ['values', 'positions', 'codebook', 'framing', 'bias']) {
      assert.ok(html.includes(`"${part}"`), `the stacked chart has a ${part} series`);
      for (const l of embedded.layers)
        assert.ok(Number.isInteger(l.bytes[part]) && l.bytes[part] >= 0, `${l.name} ${part}`);
    }
    // The per-layer table is in the page as text too.
    for (const l of report.layers) {
      assert.ok(
        html.includes(`<td>${l.name}</td><td>${l.type}</td><td>[${l.shape.join('×')}]</td>`),
        `row of ${l.name}`,
      );
    }
    assert.ok(html.includes(`${(report.fileBytes as number).toLocaleString('en-US')} bytes (target 5,000)`));

    // inspect reads the same per-layer figures back from the file.
    const inspected = await runCli(['inspect', output, '--json']);
    assert.equal(inspected.code, 0, inspected.stderr);
    const summary = JSON.parse(inspected.stdout);
    assert.equal(summary.totals.fileBytes, (await stat(output)).size);
    assert.equal(summary.totals.fileBytes, report.fileBytes);
    const weights = summary.ops.map((op: { tensors: { role: string }[] }) =>
      op.tensors.find((t) => t.role === 'weight'),
    );
    assert.deepEqual(
      weights.map((t: { nonzeros: number }) => t.nonzeros),
      report.layers.map((l: { nonzeros: number }) => l.nonzeros),
    );
    assert.deepEqual(
      weights.map((t: { bits: number }) => t.bits),
      report.layers.map((l: { bits: number }) => l.bits),
    );

    // Where the bytes go: the report's per-layer split is inspect's, read back from the file, and adds up exactly.
    type Bytes = { values: number; positions: number; codebook: number; framing: number; bias: number };
    const layers = report.layers as { kernelBytes: number; bytes: Bytes }[];
    assert.deepEqual(
      layers.map((l) => l.bytes),
      summary.layers.map((l: { bytes: Bytes }) => l.bytes),
    );
    for (const l of layers)
      assert.equal(l.bytes.values + l.bytes.positions + l.bytes.codebook + l.bytes.framing, l.kernelBytes);
    assert.ok(
      layers.some((l) => l.bytes.positions > 0),
      'a 5,000-byte MLP is sparse: some layer stores positions',
    );
    const t = summary.totals.bytes;
    const layerTotal = layers.reduce((s, l) => s + l.kernelBytes + l.bytes.bias, 0);
    assert.equal(layerTotal + t.graph + t.header + t.other, report.fileBytes);
    assert.equal(t.other, 0);
  },
);

/** Chart.js's main entry (dist/chart.cjs); its exports map hides dist/chart.umd.js from require.resolve. */
function chartJsMain(): string {
  return createRequire(import.meta.url).resolve('chart.js');
}
