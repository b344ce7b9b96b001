// A runtime per model (`sqz runtime`): the tailored module holds what its models need and no more, runs them
// bit-identically to the general runtime, and refuses anything else at load with an error that names what is
// missing and how to rebuild.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ACT_LINEAR,
  ACT_RELU,
  ACT_TANH,
  ENC_F16,
  ENC_F32,
  ENC_SPARSE_RICE,
  ERR_UNSUPPORTED,
  OP_AVG_POOL2D,
  OP_CONV2D,
  OP_DENSE,
  OP_MAX_POOL2D,
  PAD_SAME,
  PAD_VALID,
  PATH_DENSE_COMPRESSED,
  PATH_POOL_2X2,
  PATH_POOL_CELLS,
  PATH_POOL_WINDOW,
  SqzFormatError,
  encodeTensorAs,
  f16ToF32,
  f32ToF16,
  newOp,
  writeSqz,
  type ModelMessage,
} from '../../formats/index.js';
import { runtimeFeatures } from '../../compiler/runtime_build/features.js';
import { SqzModel } from '../../runtime/index.js';
import { tailoredRuntime } from '../fixtures/tailored_runtime.js';
import { rng } from '../fixtures/random.js';
import { randomFloats, singleOpModel } from './helpers.js';

const CLI = fileURLToPath(new URL('../../compiler/cli.js', import.meta.url));

/** dense [6 → 5], weights f16 (a model the tailored runtime is built for) or sparse Rice (one it is not). */
function denseModel(activation = ACT_TANH, encoding = ENC_F16): ModelMessage {
  const values = randomFloats(rng(4), 30, 0.5).map((v, i) =>
    f16ToF32(f32ToF16(encoding === ENC_SPARSE_RICE && i % 3 !== 0 ? 0 : v)),
  );
  return {
    values: [{ shape: [6] }, { shape: [5] }],
    tensors: [encodeTensorAs(values, [6, 5], encoding)],
    ops: [newOp({ type: OP_DENSE, inputs: [0], outputs: [1], weight: 1, activation })],
    inputs: [0],
    outputs: [1],
  };
}

/** conv2d 3×3 [5, 5, 2] → [3, 3, 2], weights f32. */
function convModel(): ModelMessage {
  return {
    values: [{ shape: [5, 5, 2] }, { shape: [3, 3, 2] }],
    tensors: [encodeTensorAs(randomFloats(rng(5), 36, 0.5), [3, 3, 2, 2], ENC_F32)],
    ops: [newOp({ type: OP_CONV2D, inputs: [0], outputs: [1], weight: 1 })],
    inputs: [0],
    outputs: [1],
  };
}

let dense: Uint8Array;
let runtimes: { simd: boolean; bytes: Uint8Array }[];
let general: number;

before(async () => {
  dense = writeSqz(denseModel());
  runtimes = [];
  for (const simd of [true, false]) runtimes.push({ simd, bytes: await tailoredRuntime([dense], simd) });
  general = readFileSync(new URL('../../../build/sqz.wasm', import.meta.url)).length;
});

test("the tailored runtime holds its model's features only, is much smaller, runs it like the general one, and has no test hooks", async () => {
  assert.deepEqual(await runtimeFeatures([dense]), {
    ops: [OP_DENSE],
    activations: [ACT_TANH],
    encodings: [ENC_F16],
    paths: [0],
  });
  const x = randomFloats(rng(9), 12, 2);
  for (const { simd, bytes } of runtimes) {
    assert.ok(
      bytes.length < general * 0.7,
      `${simd ? 'simd' : 'scalar'}: ${bytes.length} bytes against the general ${general}`,
    );
    const tailored = await SqzModel.load(dense, { wasm: bytes });
    const exports = tailored.wasmExports;
    assert.equal(exports.builtOps(), 1 << OP_DENSE);
    assert.equal(exports.builtActivations(), 1 << ACT_TANH);
    const reference = await SqzModel.load(dense, { simd });
    assert.deepEqual(tailored.predict(x, 2), reference.predict(x, 2), 'bit-identical to the general runtime');
    // The general runtime's test hooks are left out; asking for one says so.
    assert.equal(exports.decodeTensor, undefined);
    assert.equal(exports.planOverlaps, undefined);
    assert.throws(() => tailored.decodeTensor(0), /sqz bad-state: decodeTensor is a test hook of the general runtime/);
    assert.equal(reference.decodeTensor(0).length, 30);
    tailored.dispose();
    reference.dispose();
  }
});

/** The load error of `model` (bytes) in the tailored runtime. */
async function refusal(
  model: Uint8Array,
  bytes: Uint8Array,
  exec: 'auto' | 'dense' | 'compressed' = 'auto',
): Promise<SqzFormatError> {
  const error = await SqzModel.load(model, { wasm: bytes, exec }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof SqzFormatError, String(error));
  assert.equal(error.code, ERR_UNSUPPORTED);
  return error;
}

test('a model needing an op, activation, encoding or exec path the runtime lacks is refused, naming it and the fix', async () => {
  for (const { bytes } of runtimes) {
    const cases: [Uint8Array, 'auto' | 'compressed', RegExp, number][] = [
      [writeSqz(convModel()), 'auto', /without the op 'conv2d'/, (1 << 16) | OP_CONV2D],
      [writeSqz(denseModel(ACT_RELU)), 'auto', /without the activation 'relu'/, (2 << 16) | ACT_RELU],
      [
        writeSqz(denseModel(ACT_TANH, ENC_SPARSE_RICE)),
        'auto',
        /without the encoding 'sparse-rice'/,
        (3 << 16) | ENC_SPARSE_RICE,
      ],
      [dense, 'compressed', /without the execution path 'dense-compressed'/, (4 << 16) | PATH_DENSE_COMPRESSED],
    ];
    for (const [model, exec, named, missing] of cases) {
      const error = await refusal(model, bytes, exec);
      assert.match(error.message, /not built into this runtime \(rebuild it with sqz runtime\)/);
      assert.match(error.message, named);
      assert.match(error.message, /rebuild it with `sqz runtime model\.sqz \[more\.sqz …\] -o runtime\.wasm`/);
      const raw = await SqzModel.load(dense, { wasm: bytes });
      const exports = raw.wasmExports;
      const ptr = exports.alloc(model.length) >>> 0;
      new Uint8Array(exports.memory.buffer, ptr, model.length).set(model);
      assert.equal(exports.load(ptr, model.length, exec === 'compressed' ? 2 : 0), ERR_UNSUPPORTED);
      assert.equal(exports.missingFeature(), missing);
      raw.dispose();
    }
  }
});

/** One pooling op on [h, w, c] (window and stride k, the given padding), as a file. */
function poolModel(type: number, [h, w, c]: number[], k: number, padding = PAD_VALID): Uint8Array {
  const out = (n: number) => (padding === PAD_SAME ? Math.ceil(n / k) : Math.floor((n - k) / k) + 1);
  return writeSqz(
    singleOpModel([h, w, c], [out(h), out(w), c], {
      type,
      kernel: [k, k],
      strides: [k, k],
      padding,
      activation: ACT_LINEAR,
    }),
  );
}

test('pooling loops are paths: a runtime for 2x2 max pools holds that loop only, and refuses the others naming them', async () => {
  const pool2x2 = poolModel(OP_MAX_POOL2D, [8, 6, 6], 2);
  assert.deepEqual((await runtimeFeatures([pool2x2])).paths, [PATH_POOL_2X2]);
  assert.deepEqual((await runtimeFeatures([poolModel(OP_MAX_POOL2D, [7, 7, 6], 3)])).paths, [PATH_POOL_WINDOW]);
  assert.deepEqual(
    (await runtimeFeatures([poolModel(OP_MAX_POOL2D, [7, 6, 6], 2, PAD_SAME)])).paths,
    [PATH_POOL_WINDOW],
    'a padded last window is not the plain 2x2 loop',
  );
  assert.deepEqual((await runtimeFeatures([poolModel(OP_MAX_POOL2D, [8, 6, 3], 2)])).paths, [PATH_POOL_CELLS]);
  assert.deepEqual((await runtimeFeatures([poolModel(OP_AVG_POOL2D, [8, 6, 6], 2)])).paths, [PATH_POOL_CELLS]);
  const x = randomFloats(rng(12), 8 * 6 * 6 * 3);
  for (const simd of [true, false]) {
    const bytes = await tailoredRuntime([pool2x2], simd);
    const tailored = await SqzModel.load(pool2x2, { wasm: bytes });
    assert.equal(tailored.wasmExports.builtPaths(), 1 << PATH_POOL_2X2);
    const reference = await SqzModel.load(pool2x2, { simd });
    assert.deepEqual(tailored.predict(x, 3), reference.predict(x, 3), `${simd ? 'simd' : 'scalar'}: bit-identical`);
    tailored.dispose();
    reference.dispose();
    for (const [model, named] of [
      [poolModel(OP_MAX_POOL2D, [7, 7, 6], 3), /without the execution path 'pool-window'/],
      [poolModel(OP_MAX_POOL2D, [8, 6, 3], 2), /without the execution path 'pool-cells'/],
      [poolModel(OP_AVG_POOL2D, [8, 6, 6], 2), /without the op 'avgPool2d'/],
    ] as const) {
      assert.match((await refusal(model, bytes)).message, named);
    }
  }
});

test('sqz runtime writes the module and says what it holds; a bad file exits 3 naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqz-runtime-'));
  try {
    writeFileSync(join(dir, 'a.sqz'), dense);
    writeFileSync(join(dir, 'b.sqz'), writeSqz(convModel()));
    const ok = spawnSync(
      process.execPath,
      [CLI, 'runtime', join(dir, 'a.sqz'), join(dir, 'b.sqz'), '-o', join(dir, 'rt.wasm'), '--scalar'],
      { encoding: 'utf8' },
    );
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /rt\.wasm: [\d,]+ bytes \(scalar\) for 2 models/);
    assert.match(ok.stdout, /ops +dense, conv2d/);
    assert.match(ok.stdout, /encodings +f32, f16/);
    assert.match(ok.stdout, /exec paths +decoded/);
    const module = new WebAssembly.Module(readFileSync(join(dir, 'rt.wasm')));
    assert.deepEqual(WebAssembly.Module.imports(module), [], 'imports nothing');
    writeFileSync(join(dir, 'bad.sqz'), 'not a model');
    const bad = spawnSync(process.execPath, [CLI, 'runtime', join(dir, 'bad.sqz'), '-o', join(dir, 'x.wasm')], {
      encoding: 'utf8',
    });
    assert.equal(bad.status, 3);
    assert.match(bad.stderr, /bad\.sqz/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PARAM_OPS of assembly/features.ts lists exactly the ops whose entry takes params (else a build parses them or skips them wrongly)', async () => {
  const { OPS } = await import('../../formats/ops.js');
  const constants = (await import('../../formats/constants.js')) as unknown as Record<string, number>;
  const source = readFileSync(new URL('../../../assembly/features.ts', import.meta.url), 'utf8');
  const listed = /const PARAM_OPS: u32 = ([^;]+);/.exec(source);
  assert.ok(listed, 'PARAM_OPS in assembly/features.ts');
  const codes = [...listed[1]!.matchAll(/\(1 << (OP_[A-Z0-9_]+)\)/g)]
    .map((m) => constants[m[1]!])
    .sort((a, b) => a! - b!);
  const expected = OPS.filter((op) => op.attributes.includes('params'))
    .map((op) => op.code)
    .sort((a, b) => a - b);
  assert.deepEqual(codes, expected);
});
