import type { ExportFormat } from "@/lib/schemas/results";

/**
 * Turns JSON rows (as the results API gives them) into download text, one batch at a time, so an
 * export never holds more than a batch. CSV follows RFC 4180: a header row, CRLF line ends, and a
 * field quoted when it holds the delimiter, a quote, a line break or surrounding spaces. Null is
 * an empty field; JSON values are written as compact JSON.
 */
export type RowEncoder = {
  contentType: string;
  extension: string;
  /** Text before the first row: the CSV header. */
  start: () => string;
  rows: (rows: Record<string, unknown>[]) => string;
};

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function rowEncoder(format: ExportFormat, columns: string[]): RowEncoder {
  if (format === "csv") {
    const line = (values: unknown[]) => `${values.map(csvField).join(",")}\r\n`;
    return {
      contentType: "text/csv; charset=utf-8",
      extension: "csv",
      start: () => line(columns),
      rows: (rows) => rows.map((row) => line(columns.map((name) => row[name]))).join(""),
    };
  }
  return {
    contentType: "application/x-ndjson; charset=utf-8",
    extension: "ndjson",
    start: () => "",
    // Keys in column order, every column present (null when empty), so each line has the same shape.
    rows: (rows) => rows.map((row) => `${JSON.stringify(Object.fromEntries(columns.map((name) => [name, row[name] ?? null])))}\n`).join(""),
  };
}
