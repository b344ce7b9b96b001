// The arena planner over random graphs: no two buffers that are live at the same time overlap (checked here from
// the graph itself, and by the runtime's own overlap check), reuse really happens, and the outputs still match
// the reference interpreter at batch 1 and after re-planning for batch 3.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ACT_LINEAR,
  ACT_RELU,
  ACT_TANH,
  ENC_F32,
  OP_ACTIVATION,
  OP_ADD,
  OP_DENSE,
  OP_RESHAPE,
  type ModelMessage,
  type OpMessage,
  encodeTensorAs,
  newOp,
  writeSqz,
} from '../../formats/index.js';
import { SqzModel } from '../../runtime/index.js';
import { assertClose, randomFloats } from './helpers.js';
import { rng } from '../fixtures/random.js';
import { runModelReference } from './reference/run_model.js';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** A random valid graph of dense, activation, add and reshape ops over vectors of a few sizes. */
function randomGraph(seed: number): ModelMessage {
  const random = rng(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const sizes = [4, 6, 12, 24];
  const model: ModelMessage = { values: [{ shape: [pick(sizes)] }], tensors: [], ops: [], inputs: [0], outputs: [] };
  if (random() < 0.5) {
    model.values.push({ shape: [pick(sizes)] });
    model.inputs.push(1);
  }
  const opCount = 3 + Math.floor(random() * 25);
  for (let k = 0; k < opCount; k++) {
    const written = model.values.length;
    const recent = Math.max(0, written - 6); // mostly read recent values, sometimes old ones (long lives)
    const input = random() < 0.8 ? recent + Math.floor(random() * (written - recent)) : Math.floor(random() * written);
    const inSize = size(model.values[input].shape);
    const kind = random();
    let op: OpMessage;
    if (kind < 0.35) {
      const outSize = pick(sizes);
      model.tensors.push(encodeTensorAs(randomFloats(random, inSize * outSize, 0.4), [inSize, outSize], ENC_F32));
      model.values.push({ shape: [outSize] });
      op = newOp({
        type: OP_DENSE,
        inputs: [input],
        outputs: [written],
        weight: model.tensors.length,
        activation: pick([ACT_LINEAR, ACT_TANH]),
      });
    } else if (kind < 0.55) {
      const shape = model.values[input].shape;
      const same = model.values.map((_, i) => i).filter((i) => model.values[i].shape.join() === shape.join());
      const inputs = [input, pick(same), ...(random() < 0.3 ? [pick(same)] : [])];
      model.values.push({ shape });
      op = newOp({ type: OP_ADD, inputs, outputs: [written], activation: pick([ACT_LINEAR, ACT_RELU]) });
    } else if (kind < 0.8) {
      model.values.push({ shape: inSize % 2 === 0 ? [2, inSize / 2] : [inSize] });
      op = newOp({
        type: OP_RESHAPE,
        inputs: [input],
        outputs: [written],
        activation: random() < 0.7 ? ACT_LINEAR : ACT_TANH,
      });
    } else {
      model.values.push({ shape: model.values[input].shape });
      op = newOp({ type: OP_ACTIVATION, inputs: [input], outputs: [written], activation: ACT_TANH });
    }
    model.ops.push(op);
  }
  const last = model.values.length - 1;
  model.outputs = [last, ...model.values.map((_, i) => i).filter((i) => i !== last && random() < 0.15)];
  return model;
}

/** Lifetime [first, last] per value as the planner must see it, with linear reshapes sharing their input's buffer. */
function lifetimes(model: ModelMessage): { group: number[]; first: number[]; last: number[] } {
  const n = model.values.length;
  const group = Array.from({ length: n }, (_, i) => i);
  const first = new Array<number>(n).fill(-1);
  const last = new Array<number>(n).fill(-1);
  for (const v of model.inputs) first[v] = 0;
  model.ops.forEach((op, k) => {
    for (const v of op.inputs) last[group[v]] = Math.max(last[group[v]], k);
    const out = op.outputs[0];
    if (op.type === OP_RESHAPE && op.activation === ACT_LINEAR) group[out] = group[op.inputs[0]];
    else first[out] = k;
    last[group[out]] = Math.max(last[group[out]], k);
  });
  for (const v of model.outputs) last[group[v]] = model.ops.length;
  return { group, first: group.map((g) => first[g]), last: group.map((g) => last[g]) };
}

test('random graphs: live buffers never overlap, memory is reused, outputs match the reference', async () => {
  let reused = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const model = randomGraph(seed);
    const sqz = await SqzModel.load(writeSqz(model), { simd: seed % 2 === 0 });
    const { group, first, last } = lifetimes(model);
    for (const batch of [1, 3]) {
      const inputs = model.inputs.map((v) => randomFloats(rng(seed * 10 + batch), size(model.values[v].shape) * batch));
      const actual = sqz.predictAll(inputs.length === 1 ? inputs[0] : inputs, batch);
      runModelReference(model, inputs, batch).forEach((e, i) =>
        assertClose(actual[i], e, `seed ${seed} batch ${batch} output ${i}`),
      );
      const exports = sqz.wasmExports;
      assert.equal(exports.planOverlaps!(), 0, `seed ${seed}: the runtime's own overlap check`);
      let total = 0;
      for (let a = 0; a < model.values.length; a++) {
        if (first[a] < 0) continue;
        const aStart = exports.valueOffset(a),
          aEnd = aStart + size(model.values[a].shape) * 4 * batch;
        total += group[a] === a ? aEnd - aStart : 0;
        assert.ok(aStart >= 0 && aEnd <= exports.arenaBytes(), `seed ${seed}: value ${a} outside the arena`);
        for (let b = a + 1; b < model.values.length; b++) {
          if (first[b] < 0 || group[a] === group[b]) continue;
          if (first[a] > last[b] || first[b] > last[a]) continue;
          const bStart = exports.valueOffset(b),
            bEnd = bStart + size(model.values[b].shape) * 4 * batch;
          assert.ok(
            aEnd <= bStart || bEnd <= aStart,
            `seed ${seed} batch ${batch}: values ${a} [${first[a]}, ${last[a]}] and ${b} [${first[b]}, ${last[b]}] overlap`,
          );
        }
      }
      if (exports.arenaBytes() < total) reused++;
    }
  }
  assert.ok(reused > 100, `the arena was smaller than the sum of buffers in only ${reused} of 300 plans`);
});
