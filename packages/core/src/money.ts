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

/**
 * Applies a rate in basis points (1/100 of a percent), dropping the fraction of a cent (bigint
 * division truncates toward zero): on the positive amounts it is used for, the site never overpays.
 */
export function applyBasisPoints(amount: Minor, basisPoints: number): Minor {
  if (!Number.isInteger(basisPoints)) throw new RangeError('basis points must be an integer');
  return (amount * BigInt(basisPoints)) / 10_000n;
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
