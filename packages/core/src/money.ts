/**
 * Money is an integer count of minor units (cents) of one currency, held as bigint so that
 * no amount ever passes through a float. It crosses JSON as an integer number, checked to be
 * a safe integer (the largest plausible balance is many orders of magnitude below 2^53), and
 * crosses MySQL as a BIGINT read back as a decimal string.
 */
import { AppError } from './errors.ts';

export type Minor = bigint;

const DECIMAL_INTEGER = /^-?\d{1,19}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Parses a value read from MySQL (BIGINT as string) or from JSON (safe integer). */
export function toMinor(value: string | number | bigint): Minor {
  let result: bigint;
  if (typeof value === 'bigint') result = value;
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new AppError('VALIDATION_FAILED', 'An amount must be a whole number of cents.');
    }
    result = BigInt(value);
  } else {
    if (!DECIMAL_INTEGER.test(value)) {
      throw new AppError('VALIDATION_FAILED', 'An amount must be a whole number of cents.');
    }
    result = BigInt(value);
  }
  if (result < INT64_MIN || result > INT64_MAX) {
    throw new AppError('VALIDATION_FAILED', 'The amount is out of range.');
  }
  return result;
}

/** For JSON output: refuses to silently round an amount that a double cannot hold exactly. */
export function minorToJson(amount: Minor): number {
  if (amount > BigInt(Number.MAX_SAFE_INTEGER) || amount < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`amount ${amount} is beyond the JSON-safe range`);
  }
  return Number(amount);
}

/** Integer division rounded toward -∞ (bigint `/` truncates toward zero). `d` > 0. */
export function divFloor(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n < 0n ? q - 1n : q;
}

/** Integer division rounded toward +∞. `d` > 0. */
export function divCeil(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n > 0n ? q + 1n : q;
}

/**
 * Applies a rate in basis points (1/100 of a percent) and drops the fraction of a cent in the
 * direction given, whatever the sign of the amount or the rate: 'floor' (toward -∞) for what
 * the site pays, 'ceil' (toward +∞) for what it charges, so the rounding cent never goes
 * against the site. A negative amount is not refused (adjustments and reversals are negative)
 * and not rounded toward zero: -949.05 floors to -950 and ceils to -949.
 */
export function applyBasisPoints(amount: Minor, basisPoints: number, rounding: 'floor' | 'ceil'): Minor {
  if (!Number.isInteger(basisPoints)) throw new RangeError('basis points must be an integer');
  const scaled = amount * BigInt(basisPoints);
  return rounding === 'floor' ? divFloor(scaled, 10_000n) : divCeil(scaled, 10_000n);
}

/** "12.34" style display for logs and humans; never parsed back. */
export function formatMinor(amount: Minor, fractionDigits = 2): string {
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const base = 10n ** BigInt(fractionDigits);
  const whole = abs / base;
  const frac = (abs % base).toString().padStart(fractionDigits, '0');
  return `${negative ? '-' : ''}${whole}${fractionDigits > 0 ? `.${frac}` : ''}`;
}
