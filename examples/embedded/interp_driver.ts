// Builds the module wabt's `wasm-interp` runs in place of a host. wasm-interp can only instantiate one module and
// call its exports that take no arguments (`--run-all-exports`, in export order, printing each result); it
// cannot call alloc(len) or copy a file into memory. So the driver is the runtime's own code (wasm2wat of
// sqz-scalar.wasm, its exports removed, nothing else touched) plus:
//   - two passive data segments, the .sqz file and the input samples;
//   - `load()`: p = alloc(len); memory.init the file to p; load(p, len, exec) → ERR_* (10 if alloc failed);
//   - `sample_<k>()` for each sample: memory.init sample k to inputPtr(0); run(1) → ERR_*, then each output f32 as
//     its i32 bits (exact: wasm-interp prints floats with 6 decimals).
// These are the calls sqz_host.c makes; the driver only moves the file and inputs into memory the one way
// wasm-interp allows, data segments.

/** Every byte as a WAT string escape. */
function watBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += `\\${b.toString(16).padStart(2, '0')}`;
  return out;
}

/** The function index `(export "name" (func N))` gives, from the runtime's WAT. */
function exportedFunction(runtimeWat: string, name: string): number {
  const match = new RegExp(`\\(export "${name}" \\(func (\\d+)\\)\\)`).exec(runtimeWat);
  if (match === null) throw new Error(`interp driver: the runtime module exports no function "${name}"`);
  return Number(match[1]);
}

export interface DriverSpec {
  /** The .sqz file. */
  model: Uint8Array;
  /** samples × inputFloats raw little-endian f32; empty for a driver that only loads. */
  inputs: Uint8Array;
  /** Floats per sample of input 0 and output 0 (the driver's result count is 1 + outputFloats). */
  inputFloats: number;
  outputFloats: number;
  /** EXEC_* for load. */
  execMode: number;
}

/**
 * The driver module's WAT: `runtimeWat` (wasm2wat of the runtime) without its exports, plus the segments and the
 * `load` / `sample_<k>` exports described above.
 */
export function driverWat(runtimeWat: string, spec: DriverSpec): string {
  const sampleBytes = spec.inputFloats * 4;
  if (spec.inputs.length > 0 && (sampleBytes === 0 || spec.inputs.length % sampleBytes !== 0)) {
    throw new Error(
      `interp driver: the inputs hold ${spec.inputs.length / 4} floats, not a positive multiple of ${spec.inputFloats}`,
    );
  }
  const call = (name: string): string => `call ${exportedFunction(runtimeWat, name)}`;
  const body = runtimeWat.trimEnd();
  if (!body.endsWith(')')) throw new Error('interp driver: the runtime WAT does not end with the module\'s ")"');
  const withoutExports = body
    .slice(0, -1)
    .split('\n')
    .filter((line) => !/^\s*\(export "/.test(line))
    .join('\n');
  const outputs = Array.from(
    { length: spec.outputFloats },
    (_, j) => `    (i32.load offset=${j * 4} (local.get $out))`,
  ).join('\n');
  const results = ' i32'.repeat(spec.outputFloats);
  const samples = Array.from(
    { length: spec.inputs.length === 0 ? 0 : spec.inputs.length / sampleBytes },
    (_, k) => `
  (func (export "sample_${k}") (result i32${results}) (local $err i32) (local $out i32)
    (memory.init $sqz_inputs (${call('inputPtr')} (i32.const 0)) (i32.const ${k * sampleBytes}) (i32.const ${sampleBytes}))
    (local.set $err (${call('run')} (i32.const 1)))
    (local.set $out (${call('outputPtr')} (i32.const 0)))
    (local.get $err)
${outputs})`,
  ).join('');
  return `${withoutExports}
  (data $sqz_model "${watBytes(spec.model)}")
  (data $sqz_inputs "${watBytes(spec.inputs)}")
  (func (export "load") (result i32) (local $p i32)
    (local.set $p (${call('alloc')} (i32.const ${spec.model.length})))
    (if (i32.eqz (local.get $p)) (then (return (i32.const 10))))
    (memory.init $sqz_model (local.get $p) (i32.const 0) (i32.const ${spec.model.length}))
    (${call('load')} (local.get $p) (i32.const ${spec.model.length}) (i32.const ${spec.execMode})))${samples})
`;
}
