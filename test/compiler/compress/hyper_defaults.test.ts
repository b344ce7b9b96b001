// Defaults that depend on the data: ADMM and fine-tune epochs by training-set size, and --augment-shift (on for
// image classifiers and autoencoders with small training sets, refused where shifting would not make sense).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../../compiler/errors.js';
import { type CompressOptions } from '../../../compiler/compress/options.js';
import { maxShiftFor, resolveHyper } from '../../../compiler/compress/run_setup.js';

const options = (augmentShift?: number): CompressOptions => ({
  model: 'model.json',
  data: 'mnist',
  output: 'out.sqz',
  ratio: 10,
  ...(augmentShift === undefined ? {} : { hyper: { augmentShift } }),
});

describe('--augment-shift', () => {
  it('shifts the images of classifiers and autoencoders, not regression inputs or vectors', () => {
    assert.equal(maxShiftFor([28, 28, 1], 'classification'), 13);
    assert.equal(maxShiftFor([28, 28, 1], 'reconstruction'), 13);
    assert.equal(maxShiftFor([28, 28, 1], 'regression'), 0);
    assert.equal(maxShiftFor([784], 'classification'), 0);
    assert.equal(maxShiftFor([28, 28], 'classification'), 0);
  });

  it('defaults to ±1 pixel for small training sets (many ADMM epochs), to 0 for large ones and elsewhere', () => {
    assert.equal(resolveHyper(options(), 7497, 13).augmentShift, 1); // 30 epochs
    assert.equal(resolveHyper(options(), 54000, 13).augmentShift, 0); // 5 epochs
    assert.equal(resolveHyper({ ...options(), hyper: { epochs: 12 } }, 54000, 13).augmentShift, 1);
    assert.equal(resolveHyper(options(), 1000, 0).augmentShift, 0);
    assert.equal(resolveHyper(options(0), 1000, 0).augmentShift, 0);
    assert.equal(resolveHyper(options(3), 1000, 13).augmentShift, 3);
  });

  it('refuses an explicit shift where it does not apply, one larger than the images allow, and a fractional one', () => {
    assert.throws(
      () => resolveHyper(options(2), 1000, 0),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.match(err.message, /--augment-shift 2 shifts images.*use --augment-shift 0/);
        return true;
      },
    );
    assert.throws(
      () => resolveHyper(options(14), 1000, 13),
      /--augment-shift 14 is more than these images allow; use at most 13/,
    );
    assert.throws(() => resolveHyper(options(1.5), 1000, 13), /whole number of pixels/);
  });
});

describe('epochs', () => {
  it('gives ADMM about 250,000 samples and the fine-tune twice its epochs, at most 10', () => {
    const at = (trainCount: number, epochs?: number) => {
      const h = resolveHyper({ ...options(), ...(epochs ? { hyper: { epochs } } : {}) }, trainCount, 13);
      return [h.epochs, h.finetuneEpochs];
    };
    assert.deepEqual(at(54000), [5, 10]);
    assert.deepEqual(at(7497), [30, 10]);
    assert.deepEqual(at(200000), [2, 4]);
    assert.deepEqual(at(54000, 3), [3, 6]);
    assert.equal(resolveHyper({ ...options(), hyper: { finetuneEpochs: 2 } }, 54000, 13).finetuneEpochs, 2);
  });
});
