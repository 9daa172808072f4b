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

export function inferColumnType(values: ArrayLike<unknown>): ColumnType | null {
  let type: ColumnType | null = null;
  for (let i = 0; i < values.length; i++) {
    const next = valueType(values[i]);
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
