import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyBasisPoints, formatMinor, minorToJson, toMinor, AppError } from '@platform/core';

test('toMinor accepts whole cents from MySQL strings and JSON integers', () => {
  assert.equal(toMinor('9223372036854775807'), 9223372036854775807n);
  assert.equal(toMinor(1234), 1234n);
  assert.equal(toMinor(-5n), -5n);
});

test('toMinor refuses fractions, floats and out-of-range values', () => {
  for (const bad of [1.5, Number.MAX_SAFE_INTEGER + 1, NaN, '1.50', '', '1e3', '99999999999999999999']) {
    assert.throws(() => toMinor(bad), AppError, `accepted ${String(bad)}`);
  }
});

test('minorToJson refuses amounts a double cannot hold', () => {
  assert.equal(minorToJson(42n), 42);
  assert.throws(() => minorToJson(2n ** 60n), RangeError);
});

test('applyBasisPoints rounds in the direction it is told, toward -∞ or +∞, for either sign', () => {
  assert.equal(applyBasisPoints(999n, 9_500, 'floor'), 949n); // 949.05 -> 949
  assert.equal(applyBasisPoints(999n, 9_500, 'ceil'), 950n);
  assert.equal(applyBasisPoints(100n, 10_000, 'floor'), 100n);
  assert.equal(applyBasisPoints(100n, 10_000, 'ceil'), 100n);
  // Negatives: floor goes further from zero, ceil toward it (not both toward zero).
  assert.equal(applyBasisPoints(-999n, 9_500, 'floor'), -950n); // -949.05 -> -950
  assert.equal(applyBasisPoints(-999n, 9_500, 'ceil'), -949n);
  assert.equal(applyBasisPoints(-100n, 10_000, 'floor'), -100n);
  assert.equal(applyBasisPoints(-100n, 10_000, 'ceil'), -100n);
  assert.equal(applyBasisPoints(999n, -9_500, 'floor'), -950n);
  assert.equal(applyBasisPoints(0n, 9_500, 'ceil'), 0n);
  assert.throws(() => applyBasisPoints(1n, 1.5, 'floor'), RangeError);
});

test('formatMinor renders cents', () => {
  assert.equal(formatMinor(123456n), '1234.56');
  assert.equal(formatMinor(-5n), '-0.05');
});
