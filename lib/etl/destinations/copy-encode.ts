import type { ColumnType } from "@/lib/schemas/jobs";
import { POSTGRES_EPOCH_MS, utcMicros } from "@/lib/etl/timestamp-text";
import { ByteWriter } from "./byte-writer";

/**
 * Rows for PostgreSQL's COPY, in its two formats. Text: tab-separated, `\N` for null, backslash
 * escapes for the characters that would break a row (faster to produce and parse than CSV).
 * Binary: each value as PostgreSQL stores it, for the values that have an exact binary form.
 */
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;

/**
 * A value's text with COPY's escapes, and NUL dropped. It changes only backslashes and
 * characters below 14, which is what ByteWriter.text takes for a sign that it may be needed.
 */
function escapeText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[\\\t\n\r\0]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "",
  );
}

// jsonb rejects the \u0000 escape; drop it as NUL is dropped from text (an escaped backslash before "u0000" stays).
const JSON_NUL = /(?<!\\)((?:\\\\)*)\\u0000/g;

/** JSON text as jsonb takes it; the regular expression runs only on the rare text that may need it. */
function jsonText(value: unknown): string | undefined {
  const text = JSON.stringify(value) as string | undefined;
  return text?.includes("\\u0000") ? text.replace(JSON_NUL, "$1") : text;
}

export function encodeValue(value: unknown, type: ColumnType): string {
  if (value === null || value === undefined) return "\\N";
  if (value instanceof Date && type !== "json") return dateText(value);
  switch (type) {
    case "json":
      return escapeText(jsonText(value)!);
    case "boolean":
      return value === true || value === "true" ? "t" : value === false || value === "false" ? "f" : escapeText(String(value));
    case "timestamp":
    case "date":
      return escapeText(String(value));
    case "number":
      return typeof value === "number" && !Number.isFinite(value) ? (Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity") : String(value);
    case "integer":
      return String(value);
    case "string":
      return escapeText(typeof value === "object" ? JSON.stringify(value) : String(value));
  }
}

/**
 * A Date in any column but json (which JSON.stringify writes the same way) goes as ISO 8601, as the
 * preview shows it: String(date) would store Date.toString()'s format, in the server's time zone. An
 * invalid Date is null, as it is in the preview's JSON.
 */
function dateText(date: Date): string {
  return Number.isNaN(date.getTime()) ? "\\N" : date.toISOString();
}

const TAB = 9;
const NEWLINE = 10;

/**
 * Encodes rows [from, to) of the columns as COPY text lines, each starting with its row number
 * (`firstRow` for `from`, counting up), straight into bytes. In a load this is the work done per
 * value: numbers, booleans and timestamps are written digit by digit and ASCII text character by
 * character, so the common values cost no string of their own and no UTF-8 encoding pass; the
 * rest goes through encodeValue, which defines the format.
 */
export function encodeRows(columns: readonly ArrayLike<unknown>[], types: readonly ColumnType[], from: number, to: number, firstRow: number): Buffer {
  const out = new ByteWriter((to - from) * (8 + 16 * columns.length));
  const width = columns.length;
  for (let r = from; r < to; r++) {
    out.reserve(24);
    out.integer(firstRow + r - from);
    for (let c = 0; c < width; c++) {
      out.byte(TAB);
      const value = columns[c]![r];
      const type = types[c]!;
      if (value === null || value === undefined) out.ascii("\\N");
      else if (typeof value === "number" && (type === "integer" || type === "number") && Number.isFinite(value)) out.number(value);
      else if (typeof value === "string" && type === "string") out.text(value, escapeText);
      else if (typeof value === "boolean" && type === "boolean") out.ascii(value ? "t" : "f");
      else if (value instanceof Date && type === "timestamp" && !Number.isNaN(value.getTime())) out.isoTimestamp(value);
      else out.text(encodeValue(value, type));
    }
    out.byte(NEWLINE);
  }
  return out.bytes();
}

/** What opens a binary COPY stream (signature, flags, header extension length) and what ends it. */
export const BINARY_COPY_HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
export const BINARY_COPY_TRAILER = Buffer.from([0xff, 0xff]);

/** Microseconds from 2000 are exact in a double within about 285 years of it; instants further away go as text. */
const MAX_BINARY_TIMESTAMP_MS = 9e12;

/**
 * Encodes rows [from, to) like encodeRows, in PostgreSQL's binary COPY format: integers, doubles
 * and timestamps go as the 8 bytes PostgreSQL stores, so neither side formats or parses digits.
 * Only values whose binary form is exact and needs no conversion PostgreSQL would judge are sent
 * this way: numbers (safe integers in an integer column), booleans, text without NUL, valid Dates
 * and UTC timestamps in the two forms databases and APIs print most (utcMicros), and json. For any
 * other value (a timestamp with another offset or none, anything in a date column, a bigint, "yes"
 * in a boolean column) this answers null, and the caller sends the rows as text, where PostgreSQL
 * reads or refuses them as it always has.
 */
export function encodeRowsBinary(columns: readonly ArrayLike<unknown>[], types: readonly ColumnType[], from: number, to: number, firstRow: number): Buffer | null {
  const out = new ByteWriter((to - from) * (14 + 16 * columns.length));
  const width = columns.length;
  for (let r = from; r < to; r++) {
    out.int16(width + 1);
    out.int32(8);
    out.int64(firstRow + r - from);
    for (let c = 0; c < width; c++) {
      const value = columns[c]![r];
      if (value === null || value === undefined) {
        out.int32(-1);
        continue;
      }
      switch (types[c]!) {
        case "integer":
          if (typeof value !== "number" || !Number.isSafeInteger(value)) return null;
          out.int32(8);
          out.int64(value);
          break;
        case "number":
          if (typeof value !== "number") return null;
          out.int32(8);
          // -0 as 0, as the text format writes it: the two formats store the same.
          out.float64(value === 0 ? 0 : value);
          break;
        case "boolean":
          if (typeof value !== "boolean") return null;
          out.int32(1);
          out.byte(value ? 1 : 0);
          break;
        case "string":
          if (value instanceof Date && !Number.isNaN(value.getTime())) {
            out.lengthPrefixed(value.toISOString());
            break;
          }
          if (typeof value !== "string" || value.includes("\0")) return null;
          out.lengthPrefixed(value);
          break;
        case "timestamp": {
          const micros = value instanceof Date ? (value.getTime() - POSTGRES_EPOCH_MS) * 1000 : typeof value === "string" ? utcMicros(value) : Number.NaN;
          if (!(Math.abs(micros) < MAX_BINARY_TIMESTAMP_MS * 1000)) return null;
          out.int32(8);
          out.int64(micros);
          break;
        }
        case "json": {
          if (out.jsonField(value, 1)) break;
          const text = jsonText(value);
          if (text === undefined) return null;
          out.lengthPrefixed(text, 1);
          break;
        }
        case "date":
          return null;
      }
    }
  }
  return out.bytes();
}
