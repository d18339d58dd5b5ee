import { AppError } from '@platform/core';

/**
 * Tiny readers for consumed payloads. A producer may be an older or newer deploy, so every
 * payload is checked when consumed, and a bad one fails with VALIDATION_FAILED naming the field.
 */
export type Obj = Record<string, unknown>;

export function fail(where: string, field: string, problem: string): never {
  throw new AppError('VALIDATION_FAILED', `${where}: ${field} ${problem}`, { field: `/${field}` });
}

export function object(where: string, v: unknown): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, '', 'must be an object');
  return v as Obj;
}

export function version(where: string, o: Obj, expected: number): void {
  if (o.v !== expected) fail(where, 'v', `must be ${expected}, got ${JSON.stringify(o.v)}`);
}

export function int(
  where: string,
  o: Obj,
  key: string,
  opts: { min?: number; optional?: boolean } = {},
): number {
  const v = o[key];
  if (v === undefined && opts.optional) return Number.NaN;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < (opts.min ?? Number.MIN_SAFE_INTEGER))
    fail(where, key, 'must be a whole number');
  return v;
}

export function str(where: string, o: Obj, key: string, pattern?: RegExp): string {
  const v = o[key];
  if (typeof v !== 'string' || (pattern && !pattern.test(v))) fail(where, key, 'is not a valid string');
  return v;
}

export function optionalStr(where: string, o: Obj, key: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(where, key, 'must be a string');
  return v;
}

export function oneOf<const T extends string>(where: string, o: Obj, key: string, values: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v))
    fail(where, key, `must be one of ${values.join(', ')}`);
  return v as T;
}

export function array(where: string, o: Obj, key: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) fail(where, key, 'must be an array');
  return v;
}

export const STEAM_ID = /^\d{17}$/;
export const ASSET_ID = /^\d{1,20}$/;
