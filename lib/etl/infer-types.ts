import type { ColumnType } from "@/lib/schemas/jobs";

/**
 * One type inference for preview, the dataset destination and the results API, so the same data
 * always gets the same column types. Values keep their JSON type; strings are recognised as dates
 * or timestamps only when they are ISO 8601, since anything looser (like "03/04") is ambiguous.
 */

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const ISO_TIMESTAMP =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3])(:?[0-5]\d)?)?$/i;
const MAX_BIGINT = 9223372036854775807n;

export function valueType(value: unknown): ColumnType | null {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "number":
      return Number.isSafeInteger(value) ? "integer" : "number";
    case "bigint":
      return value <= MAX_BIGINT && value >= -MAX_BIGINT ? "integer" : "string";
    case "string":
      if (ISO_DATE.test(value)) return "date";
      if (ISO_TIMESTAMP.test(value)) return "timestamp";
      return "string";
    case "object":
      return value instanceof Date ? "timestamp" : "json";
    default:
      return "string";
  }
}

/** The narrowest type that holds both: integers widen to numbers, dates to timestamps, the rest to strings. */
export function mergeTypes(a: ColumnType | null, b: ColumnType | null): ColumnType | null {
  if (a === null) return b;
  if (b === null || a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has("integer") && pair.has("number")) return "number";
  if (pair.has("date") && pair.has("timestamp")) return "timestamp";
  return "string";
}

/**
 * How values are read. `typed`: values keep their own type (JSON, Excel cells, databases).
 * `textual`: every value arrived as text (CSV), so a string is also recognised as the integer,
 * number or boolean it spells, written the plain way: "007" (an ID with leading zeros) and integers
 * past 2^53 (which a double would round) stay strings, and so do "1,5", ".5", "+1" and "yes".
 * An empty string means no value.
 */
export type InferenceMode = "typed" | "textual";

const TEXT_INTEGER = /^-?(0|[1-9]\d*)$/;
const TEXT_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const TEXT_BOOLEAN = /^(true|false)$/i;

export function textType(text: string): ColumnType | null {
  if (text === "") return null;
  if (TEXT_INTEGER.test(text)) return Number.isSafeInteger(Number(text)) ? "integer" : "string";
  if (TEXT_NUMBER.test(text)) return Number.isFinite(Number(text)) ? "number" : "string";
  if (TEXT_BOOLEAN.test(text)) return "boolean";
  return valueType(text);
}

/** The value a text holds once its column's type is known: numbers and booleans converted, the rest as written. */
export function parseText(text: string, type: ColumnType | null): unknown {
  if (text === "") return null;
  switch (type) {
    case "integer":
    case "number":
      return Number(text);
    case "boolean":
      return text.toLowerCase() === "true";
    default:
      return text;
  }
}

export function inferColumnType(values: ArrayLike<unknown>, mode: InferenceMode = "typed"): ColumnType | null {
  let type: ColumnType | null = null;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    const next = mode === "textual" && typeof value === "string" ? textType(value) : valueType(value);
    if (next !== null && next !== type) {
      type = mergeTypes(type, next);
      if (type === "string") return type;
    }
  }
  return type;
}

/** PostgreSQL column type for each inferred type; a column of only nulls is stored as text. */
export const pgTypes: Record<ColumnType, string> = {
  integer: "bigint",
  number: "double precision",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamptz",
  string: "text",
  json: "jsonb",
};
