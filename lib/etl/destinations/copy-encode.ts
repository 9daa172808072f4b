import type { ColumnType } from "@/lib/schemas/jobs";

/**
 * Encodes values in PostgreSQL's COPY text format: tab-separated, `\N` for null, backslash
 * escapes for the characters that would break a row. Faster to produce and parse than CSV.
 */
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;

function escapeText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[\\\t\n\r\0]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "",
  );
}

// jsonb rejects the \u0000 escape; drop it as NUL is dropped from text (an escaped backslash before "u0000" stays).
const JSON_NUL = /(?<!\\)((?:\\\\)*)\\u0000/g;

export function encodeValue(value: unknown, type: ColumnType): string {
  if (value === null || value === undefined) return "\\N";
  switch (type) {
    case "json":
      return escapeText(JSON.stringify(value).replace(JSON_NUL, "$1"));
    case "boolean":
      return value === true || value === "true" ? "t" : value === false || value === "false" ? "f" : escapeText(String(value));
    case "timestamp":
    case "date":
      return value instanceof Date ? value.toISOString() : escapeText(String(value));
    case "number":
      return typeof value === "number" && !Number.isFinite(value) ? (Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity") : String(value);
    case "integer":
      return String(value);
    case "string":
      return escapeText(typeof value === "object" && !(value instanceof Date) ? JSON.stringify(value) : String(value));
  }
}
