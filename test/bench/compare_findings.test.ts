// The verdicts the comparison prints about sqz joint: they decide what the README may claim, so each is checked
// on hand-made results whose means, spreads and ranges are worked out by hand below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { findings, frontierFindings, summary, type CompareResult } from '../../bench/compare/report.js';
import { SMALL_DISTILLED, SMALL_FROM_SCRATCH } from '../../bench/compare/frontier_methods.js';

function row(method: string, seed: number, accuracy: number, bytes = 1000): CompareResult {
  return {
    name: 'm',
    data: 'mnist',
    grid: 'quick, equal epochs',
    ratio: 100,
    targetBytes: 1000,
    method,
    bytes,
    fileRatio: 100,
    paperRatio: 200,
    testAccuracy: accuracy,
    testSamples: 1000,
    wallSeconds: 1,
    note: '',
    bits: [],
    density: [],
    finetuneEpochs: 1,
    overTarget: false,
    command: '',
    seed,
  };
}

const run = (rs: CompareResult[]) =>
  findings(
    'm (quick, equal epochs grid)',
    rs.filter((r) => r.seed === 1),
    rs,
  );

test('one seed: ahead (no win claimed without a noise measure) or behind, with the gap in points', () => {
  const [f] = run([row('sqz joint', 1, 0.9), row('a', 1, 0.85), row('b', 1, 0.88)]);
  assert.equal(f!.verdict, 'ahead');
  assert.match(summary([f!]).join('\n'), /is ahead by 2\.0 points \(no noise measure\)/);
  assert.equal(f!.other, 'b');
  assert.ok(Math.abs(f!.gap - 2) < 1e-9);
  const [g] = run([row('sqz joint', 1, 0.8), row('a', 1, 0.85)]);
  assert.equal(g!.verdict, 'loses');
});

test('three seeds: the gap of the means against the larger seed spread decides', () => {
  // joint 0.90/0.93/0.96 (mean 0.93, spread 6 points), b 0.90/0.905/0.91 (mean 0.905): +2.5 < 6 → within noise,
  // although joint's seed 1 ties b's seed 1.
  const marginal = run([
    row('sqz joint', 1, 0.9),
    row('sqz joint', 2, 0.93),
    row('sqz joint', 3, 0.96),
    row('b', 1, 0.9),
    row('b', 2, 0.905),
    row('b', 3, 0.91),
  ]);
  assert.equal(marginal[0]!.verdict, 'marginal');
  assert.ok(Math.abs(marginal[0]!.gap - 2.5) < 1e-9);
  assert.match(marginal[0]!.line, /within noise/);
  assert.match(marginal[0]!.line, /not above every other method's best seed/);
  // joint 0.95/0.96/0.97 (spread 2), b as above (spread 1): +5.5 > 2 → wins; worst joint seed 0.95 > best b 0.91.
  const wins = run([
    row('sqz joint', 1, 0.95),
    row('sqz joint', 2, 0.96),
    row('sqz joint', 3, 0.97),
    row('b', 1, 0.9),
    row('b', 2, 0.905),
    row('b', 3, 0.91),
  ]);
  assert.equal(wins[0]!.verdict, 'wins');
  assert.match(wins[0]!.line, /the gap exceeds noise; joint's worst seed is above/);
  // The best other is chosen by its mean, not by its seed 1: c wins seed 1 but b has the higher mean.
  const loses = run([
    row('sqz joint', 1, 0.9),
    row('sqz joint', 2, 0.9),
    row('sqz joint', 3, 0.9),
    row('b', 1, 0.9),
    row('b', 2, 0.95),
    row('b', 3, 0.95),
    row('c', 1, 0.99),
    row('c', 2, 0.5),
    row('c', 3, 0.5),
  ]);
  assert.equal(loses[0]!.verdict, 'loses');
  assert.equal(loses[0]!.other, 'b');
  assert.match(summary(loses).join('\n'), /\*\*behind\*\* b by 3\.3 points/);
});

const frontier = (rs: CompareResult[]) =>
  frontierFindings(
    'm (quick, equal epochs grid)',
    rs.filter((r) => r.seed === 1),
    rs,
  );

test('frontier: sqz joint against each small-model method apart, never counted as the best compression method', () => {
  const rows = [
    row('sqz joint', 1, 0.9),
    row('b', 1, 0.85),
    row(SMALL_FROM_SCRATCH, 1, 0.93, 990),
    row(SMALL_DISTILLED, 1, 0.88, 980),
  ];
  // The best compression method is b (0.85): the small models (0.93, 0.88) are not compression methods.
  const [best] = run(rows);
  assert.equal(best!.other, 'b');
  assert.ok(Math.abs(best!.gap - 5) < 1e-9);
  const [scratch, distilled] = frontier(rows);
  assert.equal(scratch!.kind, 'frontier');
  assert.equal(scratch!.other, SMALL_FROM_SCRATCH);
  assert.equal(scratch!.verdict, 'loses');
  assert.ok(Math.abs(scratch!.gap + 3) < 1e-9);
  assert.match(
    scratch!.line,
    /against small model from scratch: sqz joint 90\.00% in 1000 B, small model from scratch 93\.00% in 990 B \(-3\.00 points/,
  );
  assert.equal(distilled!.other, SMALL_DISTILLED);
  assert.equal(distilled!.verdict, 'ahead');
  const text = summary([best!, scratch!, distilled!]).join('\n');
  assert.match(text, /is \*\*behind\*\* small model from scratch by 3\.0 points\./);
  assert.match(text, /is ahead of small model \+ distillation by 2\.0 points \(no noise measure\)/);
  // No sqz joint at the target: nothing to say.
  assert.deepEqual(frontier([row(SMALL_FROM_SCRATCH, 1, 0.9)]), []);
});

test('frontier over seeds: the gap of the means against the larger spread, behind beyond or within noise', () => {
  const joint = [row('sqz joint', 1, 0.9), row('sqz joint', 2, 0.91), row('sqz joint', 3, 0.92)]; // mean 0.91, spread 2
  // Small model 0.86/0.87/0.88 (mean 0.87, spread 2): +4 > 2 → wins; joint's worst 0.90 > its best 0.88.
  const [wins] = frontier([
    ...joint,
    row(SMALL_FROM_SCRATCH, 1, 0.86),
    row(SMALL_FROM_SCRATCH, 2, 0.87),
    row(SMALL_FROM_SCRATCH, 3, 0.88),
  ]);
  assert.equal(wins!.verdict, 'wins');
  assert.equal(wins!.seeds, 3);
  assert.ok(Math.abs(wins!.gap - 4) < 1e-9 && Math.abs(wins!.noise! - 2) < 1e-9);
  assert.match(wins!.line, /the gap exceeds noise; joint's worst seed is above its best seed/);
  assert.match(summary([wins!]).join('\n'), /beats small model from scratch by 4\.0 points on the mean, beyond noise/);
  // Small model 0.93/0.95/0.97 (mean 0.95, spread 4): −4 points, |−4| ≤ 4 → behind within noise.
  const [within] = frontier([
    ...joint,
    row(SMALL_DISTILLED, 1, 0.93),
    row(SMALL_DISTILLED, 2, 0.95),
    row(SMALL_DISTILLED, 3, 0.97),
  ]);
  assert.equal(within!.verdict, 'loses');
  assert.match(within!.line, /\*\*sqz joint is behind, within noise\*\*/);
  assert.match(
    summary([within!]).join('\n'),
    /\*\*behind\*\* small model \+ distillation by 4\.0 points on the mean, within noise/,
  );
  // 0.94/0.95/0.96 (mean 0.95, spread 2): −4 beyond the spread of 2.
  const [beyond] = frontier([
    ...joint,
    row(SMALL_DISTILLED, 1, 0.94),
    row(SMALL_DISTILLED, 2, 0.95),
    row(SMALL_DISTILLED, 3, 0.96),
  ]);
  assert.match(beyond!.line, /\*\*sqz joint is behind, beyond noise\*\*/);
  // One seed of the small model: no noise measure, the seed-1 gap.
  const [single] = frontier([...joint, row(SMALL_FROM_SCRATCH, 1, 0.95)]);
  assert.equal(single!.seeds, 1);
  assert.equal(single!.noise, undefined);
  assert.ok(Math.abs(single!.gap + 5) < 1e-9);
});

test('the committed results file is consistent with itself', () => {
  const results = JSON.parse(readFileSync('bench/results/compare.json', 'utf8')) as CompareResult[];
  assert.ok(results.length > 0);
  for (const r of results) {
    const where = `${r.name} ${r.grid} ${r.method} ${r.ratio}× seed ${r.seed ?? 1}`;
    assert.equal(r.overTarget, r.targetBytes !== null && r.bytes > r.targetBytes, `${where}: over-target flag`);
    assert.ok(r.testAccuracy >= 0 && r.testAccuracy <= 1, `${where}: accuracy`);
    // Accuracy is a count of correct answers over the test split.
    const correct = r.testAccuracy * r.testSamples;
    assert.ok(Math.abs(correct - Math.round(correct)) < 1e-6, `${where}: ${r.testAccuracy} is not k/${r.testSamples}`);
    if (r.targetBytes !== null)
      assert.ok(Math.abs((r.fileRatio * r.bytes) / (r.ratio! * r.targetBytes) - 1) < 0.01, `${where}: ratio`);
  }
});
