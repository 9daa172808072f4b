import type { ColumnType } from "@/lib/schemas/jobs";
import { jsonValueDepth, MAX_JSON_DEPTH } from "@/lib/security/json-depth";
import { canonicalUtc } from "@/lib/etl/timestamp-text";

/**
 * Converts one value to a column type, strictly: a value that does not clearly mean something of
 * that type is an error rather than a silent null or a guess. Null stays null; an empty string is
 * null for every type but `string`, as CSV files write missing values that way.
 */
export class CastError extends Error {
  constructor(
    readonly value: unknown,
    readonly type: ColumnType,
    readonly reason?: string,
  ) {
    super(`cannot cast ${describeValue(value)} to ${type}${reason ? ` (${reason})` : ""}`);
    this.name = "CastError";
  }
}

const INT64_MAX = 9223372036854775807n;
const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const SPECIAL_NUMBERS: Record<string, number> = { nan: Number.NaN, infinity: Infinity, "+infinity": Infinity, "-infinity": -Infinity };
const TRUE_TEXT = new Set(["true", "t", "yes", "y", "1", "on"]);
const FALSE_TEXT = new Set(["false", "f", "no", "n", "0", "off"]);
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export function castValue(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  if (value === "" && type !== "string") return null;
  switch (type) {
    case "string":
      return toText(value);
    case "integer":
      return toInteger(value);
    case "number":
      return toNumber(value);
    case "boolean":
      return toBoolean(value);
    case "date":
      return toDate(value);
    case "timestamp":
      return toTimestamp(value);
    case "json":
      return toJson(value);
  }
}

function toText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function toInteger(value: unknown): number | bigint {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "bigint") return inInt64(value, value);
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new CastError(value, "integer", "it has a fractional part");
    return Number.isSafeInteger(value) ? value : inInt64(BigInt(value), value);
  }
  if (typeof value === "string") {
    const text = value.trim();
    if (INTEGER_TEXT.test(text)) {
      const big = inInt64(BigInt(text), value);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    if (NUMBER_TEXT.test(text)) {
      const number = Number(text);
      if (Number.isSafeInteger(number)) return number;
      throw new CastError(value, "integer", "it has a fractional part");
    }
  }
  throw new CastError(value, "integer");
}

function inInt64(big: bigint, original: unknown): bigint {
  if (big > INT64_MAX || big < -INT64_MAX - 1n) throw new CastError(original, "integer", "out of the 64-bit range");
  return big;
}

function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string") {
    const text = value.trim();
    if (NUMBER_TEXT.test(text)) return Number(text);
    const special = SPECIAL_NUMBERS[text.toLowerCase()];
    if (special !== undefined) return special;
  }
  throw new CastError(value, "number");
}

function toBoolean(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === "string") {
    const text = value.trim().toLowerCase();
    if (TRUE_TEXT.has(text)) return true;
    if (FALSE_TEXT.has(text)) return false;
  }
  throw new CastError(value, "boolean");
}

/** A date as `YYYY-MM-DD`: the calendar date as written, since a bare date has no time zone to convert. */
function toDate(value: unknown): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new CastError(value, "date");
    return value.toISOString().slice(0, 10);
  }
  if (typeof value === "string") {
    const match = ISO_TIMESTAMP.exec(value.trim());
    if (match && validDate(match[1]!, match[2]!, match[3]!)) return `${match[1]}-${match[2]}-${match[3]}`;
    throw new CastError(value, "date", "expected an ISO 8601 date like 2024-01-31");
  }
  throw new CastError(value, "date");
}

/** A point in time: ISO 8601 strings (UTC when they carry no zone), Date values, or epoch milliseconds. */
function toTimestamp(value: unknown): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new CastError(value, "timestamp");
    return value;
  }
  if (typeof value === "number" && Number.isFinite(value)) return checkedDate(new Date(value), value);
  if (typeof value === "string") {
    const utc = canonicalUtc(value);
    if (!Number.isNaN(utc)) return new Date(utc);
    const text = value.trim();
    const match = ISO_TIMESTAMP.exec(text);
    if (match && validDate(match[1]!, match[2]!, match[3]!) && validTime(match[4], match[5], match[6])) {
      const date = ISO_DATE.test(text) ? `${text}T00:00:00` : text.replace(" ", "T");
      return checkedDate(new Date(match[8] ? date : `${date}Z`), value);
    }
    throw new CastError(value, "timestamp", "expected an ISO 8601 timestamp like 2024-01-31T12:00:00Z");
  }
  throw new CastError(value, "timestamp");
}

function checkedDate(date: Date, original: unknown): Date {
  if (Number.isNaN(date.getTime())) throw new CastError(original, "timestamp");
  return date;
}

function validDate(year: string, month: string, day: string): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
}

function validTime(hours?: string, minutes?: string, seconds?: string): boolean {
  return Number(hours ?? 0) < 24 && Number(minutes ?? 0) < 60 && Number(seconds ?? 0) < 60;
}

function toJson(value: unknown): unknown {
  if (typeof value === "string") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new CastError(value, "json", "not valid JSON");
    }
    if (jsonValueDepth(parsed) > MAX_JSON_DEPTH) throw new CastError(value, "json", `nested more than ${MAX_JSON_DEPTH} levels deep`);
    return parsed;
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return Number(value);
  return value;
}

/** A value as it may appear in an error: JSON-like and short. */
export function describeValue(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = JSON.stringify(value);
  else if (value instanceof Date) text = Number.isNaN(value.getTime()) ? "an invalid date" : value.toISOString();
  else if (typeof value === "bigint") text = String(value);
  else if (typeof value === "object" && value !== null) text = JSON.stringify(value) ?? String(value);
  else text = String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
