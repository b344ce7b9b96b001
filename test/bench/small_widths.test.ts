// The small-model methods' width grid and the widths each target tries: the grid's byte counts must be the models'
// real weight counts (else "nearest 5.7× the target" aims at the wrong models), and the choice is checked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARCHITECTURES, weightCount } from '../../bench/baselines/models.js';
import { selectBackend } from '../../compiler/engine/backend.js';
import { chooseWidths, MIN_WIDTH, widthGrid, widthsKey } from '../../bench/compare/small_widths.js';

test("weightCount is the built model's parameter count, published and narrow widths, every shape", async () => {
  await selectBackend('auto');
  assert.equal(weightCount('lenet5', [20, 50, 500]), 431_080);
  assert.equal(weightCount('lenet300', [300, 100]), 266_610);
  // Issue 13's CNN: conv 5×5×8, conv 5×5×14, dense 224→10.
  assert.equal(weightCount('lenet5', [8, 14]), 5_272);
  for (const [arch, widths] of [
    ['lenet5', [3, 6, 63]],
    ['lenet5', [7, 18]],
    ['lenet300', [19, 6]],
    ['lenet300', [5, 5]],
  ] as const) {
    const model = ARCHITECTURES[arch](1, widths);
    assert.equal(weightCount(arch, widths), model.countParams(), `${arch} ${widthsKey(widths)}`);
    model.dispose();
  }
});

test('the grid: both shapes per architecture, rounded, at least MIN_WIDTH wide, no repeats, smallest first', () => {
  for (const arch of ['lenet5', 'lenet300'] as const) {
    const grid = widthGrid(arch);
    const keys = grid.map((g) => widthsKey(g.widths));
    assert.equal(new Set(keys).size, keys.length, `${arch}: a width list twice`);
    for (let i = 1; i < grid.length; i++)
      assert.ok(grid[i - 1]!.fp32Bytes <= grid[i]!.fp32Bytes, `${arch}: not sorted at ${keys[i]}`);
    for (const g of grid) {
      assert.ok(
        g.widths.every((w) => Number.isInteger(w) && w >= MIN_WIDTH),
        `${arch} ${widthsKey(g.widths)}`,
      );
      assert.equal(g.fp32Bytes, 4 * weightCount(arch, g.widths));
    }
  }
  // Multiplier 1/2 on each shape; 2^(−3) rounds 2.5 / 6.25 / 62.5 to 3 / 6 / 63.
  const lenet5 = widthGrid('lenet5').map((g) => widthsKey(g.widths));
  for (const k of ['10-25-250', '10-25', '3-6-63', '3-6']) assert.ok(lenet5.includes(k), `lenet5 grid lacks ${k}`);
  const lenet300 = widthGrid('lenet300').map((g) => widthsKey(g.widths));
  for (const k of ['150-50', '150-150', '38-13', '38-38']) assert.ok(lenet300.includes(k), `lenet300 grid lacks ${k}`);
  assert.ok(!lenet5.includes('20-50-500') && !lenet300.includes('300-100'), 'the grid holds the full model');
});

test('per target: the widths whose fp32 bytes are nearest 5.7× the target by ratio', () => {
  // Fashion-MNIST LeNet-5 at 300× (5,747 B): aim √32·5747 = 32,510 B. Nearest by |ln(bytes/aim)|:
  // 3-6-63 (29,140 B: 0.109), 10-25 (42,180 B: 0.260), 7-18 (24,960 B: 0.264); next 4-9-88 (58,652 B: 0.590).
  assert.deepEqual(
    chooseWidths('lenet5', 5747).map((c) => widthsKey(c.widths)),
    ['7-18', '3-6-63', '10-25'],
  );
  assert.deepEqual(
    chooseWidths('lenet5', 5747, 1).map((c) => widthsKey(c.widths)),
    ['3-6-63'],
  );
  // mnist LeNet-300-100 at 100× (10,664 B): aim 60,324 B. 19-6 (60,420 B: 0.002), 19-19 (61,980 B: 0.027),
  // then 27-9 (86,188 B: 0.357) ahead of 13-13 (42,108 B: 0.360).
  assert.deepEqual(
    chooseWidths('lenet300', 10664).map((c) => widthsKey(c.widths)),
    ['19-6', '19-19', '27-9'],
  );
  // A bigger target picks bigger models.
  const small = chooseWidths('lenet300', 3554);
  assert.ok(
    Math.max(...small.map((c) => c.fp32Bytes)) < Math.min(...chooseWidths('lenet300', 10664).map((c) => c.fp32Bytes)),
  );
  assert.throws(() => chooseWidths('lenet300', 0), /positive number of bytes/);
});
