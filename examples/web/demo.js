// @ts-check
// The sqz web demo: loads a .sqz model by URL into the compiled runtime (dist/runtime/index.js, imported by a
// relative URL: no bundler), classifies a drawn or bundled digit and shows the class, the scores and the timing.
// The wasm module is the runtime tailored to the model (`sqz runtime`): mnist-mlp.wasm, or mnist-mlp-scalar.wasm
// for the scalar variant, next to the page.
//
// URL parameters: model=URL of the .sqz (default mnist-mlp.sqz next to this page); runtime=URL of the tailored
// SIMD module (default mnist-mlp.wasm; the scalar one is the same name with -scalar), or runtime=general for the
// general build in build/; variant=simd|scalar;
// exec=auto|dense|compressed; digit=0..9 classifies that bundled digit once loaded; report=URL POSTs the result
// JSON there (test/hosts/browser.test.ts uses it). Every classification (drawn or bundled) also writes its result
// JSON, including the 784 pixels the model was fed, to <output id="result"> (test/hosts/browser_draw.test.ts reads
// it to run the same pixels through the Node runtime).

import { DIGITS, digitPixels } from './digits.js';

const RUNTIME_URL = '../../dist/runtime/index.js';
const MAKE_MODEL =
  'node dist/compiler/cli.js convert examples/models/mnist-mlp/model.json --weights q8 -o examples/web/mnist-mlp.sqz';
const MAKE_RUNTIME =
  'node dist/compiler/cli.js runtime examples/web/mnist-mlp.sqz --exec any -o examples/web/mnist-mlp.wasm\n  ' +
  'node dist/compiler/cli.js runtime examples/web/mnist-mlp.sqz --exec any --scalar -o examples/web/mnist-mlp-scalar.wasm';
const SIDE = 28;

const params = new URLSearchParams(location.search);
const modelUrl = new URL(params.get('model') ?? 'mnist-mlp.sqz', location.href).href;
const runtimeParam = params.get('runtime') ?? 'mnist-mlp.wasm';
/** The tailored module's URL for a variant, or undefined for the general build. */
const runtimeUrl = (/** @type {boolean} */ simd) =>
  runtimeParam === 'general'
    ? undefined
    : new URL(simd ? runtimeParam : runtimeParam.replace(/\.wasm$/, '-scalar.wasm'), location.href).href;
/** @type {Map<string, Uint8Array>} tailored module bytes by URL */
const runtimes = new Map();

/** The tailored module at `url`, fetched once. */
async function runtimeBytes(/** @type {string} */ url) {
  let bytes = runtimes.get(url);
  if (bytes === undefined) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`could not fetch the runtime ${url}: HTTP ${response.status}`);
    bytes = new Uint8Array(await response.arrayBuffer());
    runtimes.set(url, bytes);
  }
  return bytes;
}
const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const pad = /** @type {HTMLCanvasElement} */ ($('pad'));
const ctx = /** @type {CanvasRenderingContext2D} */ (pad.getContext('2d', { willReadFrequently: true }));
const variantSelect = /** @type {HTMLSelectElement} */ ($('variant'));
const execSelect = /** @type {HTMLSelectElement} */ ($('exec'));

/** @type {any} the runtime module */
let sqz;
/** @type {any} the loaded SqzModel */
let model;

function setStatus(/** @type {string} */ text, isError = false) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

/** Shows the result, keeps it in <output id="result"> and POSTs it to ?report= when given. */
async function publish(/** @type {object} */ result) {
  const json = JSON.stringify(result);
  $('result').textContent = json;
  const report = params.get('report');
  if (report !== null)
    await fetch(report, { method: 'POST', body: json, headers: { 'content-type': 'application/json' } });
}

async function loadModel() {
  model?.dispose();
  model = undefined;
  const simd = variantSelect.value === 'simd';
  const wasmUrl = runtimeUrl(simd);
  setStatus(
    `Loading ${modelUrl} (${simd ? 'SIMD' : 'scalar'} ${wasmUrl === undefined ? 'general' : 'tailored'} runtime)…`,
  );
  const started = performance.now();
  const wasm = wasmUrl === undefined ? undefined : await runtimeBytes(wasmUrl);
  model = await sqz.SqzModel.load(
    modelUrl,
    wasm === undefined ? { simd, exec: execSelect.value } : { wasm, exec: execSelect.value },
  );
  const loadMs = performance.now() - started;
  const info = model.info;
  const inputSize = info.inputs[0].shape.reduce((/** @type {number} */ a, /** @type {number} */ b) => a * b, 1);
  if (info.inputs.length !== 1 || inputSize !== SIDE * SIDE) {
    throw new Error(`this demo feeds 28×28 digits, but the model takes input shape [${info.inputs[0].shape}]`);
  }
  const compressed = info.tensors.filter((/** @type {any} */ t) => t.exec === 'compressed').length;
  $('info').textContent =
    `${info.fileBytes.toLocaleString()} B file, ${info.parameters.toLocaleString()} parameters, ` +
    `${info.ops.length} ops, ${info.tensors.length} tensors (${compressed} run compressed); ` +
    `heap ${info.heapBytes.toLocaleString()} B, ${simd ? 'SIMD' : 'scalar'} ` +
    `${wasm === undefined ? 'general runtime' : `runtime tailored to the model, ${wasm.length.toLocaleString()} B`}.`;
  setStatus(`Loaded in ${loadMs.toFixed(1)} ms. Draw a digit or pick one.`);
  return loadMs;
}

/**
 * Runs the model on 784 pixels in [0, 1]; shows the result, keeps it (with the pixels) in <output id="result"> and
 * returns it.
 */
function classify(/** @type {Float32Array} */ pixels, /** @type {string} */ source) {
  const outputs = model.predict(pixels);
  // Time enough repetitions for a stable figure (at least 50 ms or 2000 runs).
  let runs = 0;
  const started = performance.now();
  while (runs < 2000 && (runs < 5 || performance.now() - started < 50)) {
    model.predict(pixels);
    runs++;
  }
  const micros = ((performance.now() - started) * 1000) / runs;
  let best = 0;
  for (let j = 1; j < outputs.length; j++) if (outputs[j] > outputs[best]) best = j;
  $('prediction').textContent = String(best);
  const max = Math.max(...outputs, 1e-9);
  $('bars').replaceChildren(
    ...Array.from(outputs, (value, j) => {
      const row = document.createElement('div');
      row.className = j === best ? 'bar best' : 'bar';
      const label = document.createElement('span');
      label.textContent = String(j);
      const bar = document.createElement('div');
      bar.style.width = `${Math.max(0, (value / max) * 160)}px`;
      const text = document.createElement('span');
      text.textContent = value.toFixed(3);
      row.append(label, bar, text);
      return row;
    }),
  );
  $('timing').textContent = `predict: ${micros.toFixed(1)} µs per digit (mean of ${runs} runs)`;
  const result = {
    source,
    class: best,
    outputs: Array.from(outputs),
    predictMicros: micros,
    input: Array.from(pixels),
  };
  $('result').textContent = JSON.stringify(result);
  return result;
}

// ── Drawing ─────────────────────────────────────────────────────────────────

function clearPad() {
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, pad.width, pad.height);
}

/** Draws 28×28 pixels onto the pad, scaled up. */
function showPixels(/** @type {Float32Array} */ pixels) {
  const small = document.createElement('canvas');
  small.width = small.height = SIDE;
  const image = new ImageData(SIDE, SIDE);
  pixels.forEach((v, i) => image.data.set([v * 255, v * 255, v * 255, 255], i * 4));
  /** @type {CanvasRenderingContext2D} */ (small.getContext('2d')).putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, pad.width, pad.height);
}

/**
 * The drawing as MNIST prepared its digits: the ink's bounding box scaled (area-averaged) into 20×20, then shifted so
 * its centre of mass sits at the middle of 28×28. Null when nothing is drawn.
 */
function padPixels() {
  const { data, width, height } = ctx.getImageData(0, 0, pad.width, pad.height);
  let x0 = width,
    y0 = height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[(y * width + x) * 4] > 20) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return null;
  const scale = 20 / Math.max(x1 - x0 + 1, y1 - y0 + 1);
  const boxed = new Float32Array(SIDE * SIDE);
  for (let y = y0; y <= y1; y++) {
    const ty = Math.min(SIDE - 1, Math.floor(4 + (y - y0 + 0.5) * scale));
    for (let x = x0; x <= x1; x++) {
      const tx = Math.min(SIDE - 1, Math.floor(4 + (x - x0 + 0.5) * scale));
      boxed[ty * SIDE + tx] += (data[(y * width + x) * 4] / 255) * scale * scale; // each source pixel covers scale² of a target one
    }
  }
  let mass = 0,
    mx = 0,
    my = 0;
  boxed.forEach((v, i) => {
    mass += v;
    mx += v * ((i % SIDE) + 0.5);
    my += v * (Math.floor(i / SIDE) + 0.5);
  });
  const dx = Math.round(SIDE / 2 - mx / mass),
    dy = Math.round(SIDE / 2 - my / mass);
  const out = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const sx = x - dx,
        sy = y - dy;
      if (sx >= 0 && sx < SIDE && sy >= 0 && sy < SIDE) out[y * SIDE + x] = Math.min(1, boxed[sy * SIDE + sx]);
    }
  }
  return out;
}

let drawing = false;
pad.addEventListener('pointerdown', (event) => {
  drawing = true;
  pad.setPointerCapture(event.pointerId);
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 24;
  ctx.lineCap = ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(event.offsetX, event.offsetY);
});
pad.addEventListener('pointermove', (event) => {
  if (!drawing) return;
  ctx.lineTo(event.offsetX, event.offsetY);
  ctx.stroke();
});
pad.addEventListener('pointerup', () => {
  drawing = false;
  const pixels = padPixels();
  if (pixels !== null && model !== undefined) classify(pixels, 'drawing');
});

// ── Start ───────────────────────────────────────────────────────────────────

async function main() {
  clearPad();
  try {
    sqz = await import(RUNTIME_URL);
  } catch (error) {
    throw new Error(`cannot import the runtime ${RUNTIME_URL}: ${error}. Build it first: npm run build`);
  }
  if (!sqz.detectSimd()) {
    variantSelect.value = 'scalar';
    /** @type {HTMLOptionElement} */ (variantSelect.options[0]).disabled = true;
  }
  if (params.get('variant') !== null) variantSelect.value = /** @type {string} */ (params.get('variant'));
  if (params.get('exec') !== null) execSelect.value = /** @type {string} */ (params.get('exec'));
  for (const digit of DIGITS) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = String(digit.label);
    button.title = `bundled MNIST test digit ${digit.label}`;
    button.addEventListener('click', () => {
      const pixels = digitPixels(digit);
      showPixels(pixels);
      if (model !== undefined) classify(pixels, `digit ${digit.label}`);
    });
    $('digits').append(button);
  }
  $('clear').addEventListener('click', () => {
    clearPad();
    $('prediction').textContent = '';
    $('bars').replaceChildren();
    $('timing').textContent = '';
  });
  const reload = () => loadModel().catch(showError);
  variantSelect.addEventListener('change', reload);
  execSelect.addEventListener('change', reload);
  const loadMs = await loadModel();
  const digitParam = params.get('digit');
  if (digitParam !== null) {
    const digit = DIGITS[Number(digitParam)];
    if (digit === undefined) throw new Error(`?digit= must be 0..${DIGITS.length - 1}, got ${digitParam}`);
    const pixels = digitPixels(digit);
    showPixels(pixels);
    const info = model.info;
    await publish({
      model: modelUrl,
      variant: variantSelect.value,
      runtime: runtimeUrl(variantSelect.value === 'simd') ?? 'general',
      exec: execSelect.value,
      digit: digit.label,
      loadMs,
      simdSupported: sqz.detectSimd(),
      fileBytes: info.fileBytes,
      ...classify(pixels, `digit ${digit.label}`),
    });
  }
}

function showError(/** @type {unknown} */ error) {
  let text = error instanceof Error ? error.message : String(error);
  if (/HTTP 404/.test(text) && /could not fetch the runtime/.test(text))
    text += `\nBuild the runtime with:\n  ${MAKE_RUNTIME}`;
  else if (/HTTP 404/.test(text) && /mnist-mlp\.sqz/.test(modelUrl)) text += `\nMake the model with:\n  ${MAKE_MODEL}`;
  setStatus(text, true);
  return publish({ error: text }).catch(() => {});
}

main().catch(showError);
