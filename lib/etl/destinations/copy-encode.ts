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

/**
 * Encodes rows [from, to) of the columns as COPY text lines, each starting with its row number
 * (`firstRow` for `from`, counting up). Each column is encoded in one loop specialised for its
 * type, and each line is assembled from those strings: in a load, this is the work done per
 * value, so it avoids a dispatch on the type and a template per value.
 */
export function encodeRows(columns: readonly ArrayLike<unknown>[], types: readonly ColumnType[], from: number, to: number, firstRow: number): string {
  const encoded = columns.map((values, c) => encodeColumn(values, types[c]!, from, to));
  const width = encoded.length;
  let text = "";
  for (let i = 0; i < to - from; i++) {
    let line = String(firstRow + i);
    for (let c = 0; c < width; c++) line += "\t" + encoded[c]![i];
    text += line + "\n";
  }
  return text;
}

function encodeColumn(values: ArrayLike<unknown>, type: ColumnType, from: number, to: number): string[] {
  const out = new Array<string>(to - from);
  switch (type) {
    case "integer":
    case "number":
      for (let r = from; r < to; r++) {
        const value = values[r];
        out[r - from] = typeof value === "number" && Number.isFinite(value) ? String(value) : encodeValue(value, type);
      }
      return out;
    case "string":
      for (let r = from; r < to; r++) {
        const value = values[r];
        out[r - from] = typeof value === "string" ? escapeText(value) : encodeValue(value, type);
      }
      return out;
    case "timestamp":
      for (let r = from; r < to; r++) {
        const value = values[r];
        out[r - from] = value instanceof Date ? value.toISOString() : encodeValue(value, type);
      }
      return out;
    default:
      for (let r = from; r < to; r++) out[r - from] = encodeValue(values[r], type);
      return out;
  }
}
