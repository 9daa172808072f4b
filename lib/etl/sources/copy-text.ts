import { EtlError } from "@/lib/etl/errors";
import { utf8Text } from "./utf8-text";

const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const NULL_CELL = "\\N";

/** A page of rows read from COPY text: `columns[i]` holds the cells of field i, one per row; null is SQL NULL. */
export type CopyTextPage = { columns: (string | null)[][]; rows: number };

/**
 * Reads PostgreSQL's COPY text format (the default of `COPY … TO STDOUT`) from chunks cut anywhere,
 * into pages of a fixed number of rows. The server ends every row with a newline, separates cells
 * with tabs and writes a tab, newline or backslash inside a value as an escape, so a raw tab or
 * newline always ends a cell. Only complete rows are decoded: a row, or a multibyte character,
 * split between chunks waits for the rest.
 */
export class CopyTextReader {
  private tail: Buffer[] = [];
  private columns: (string | null)[][];
  private rows = 0;
  /** Rows read in all, for errors to name a row. */
  private rowsRead = 0;

  constructor(
    private readonly width: number,
    private readonly pageRows: number,
  ) {
    this.columns = this.emptyColumns();
  }

  /** Reads a chunk; answers the pages it completed. */
  push(chunk: Buffer): CopyTextPage[] {
    const end = chunk.lastIndexOf(NEWLINE) + 1;
    if (end === 0) {
      if (chunk.length > 0) this.tail.push(chunk);
      return [];
    }
    const rows = this.tail.length === 0 ? chunk.subarray(0, end) : Buffer.concat([...this.tail, chunk.subarray(0, end)]);
    this.tail = end < chunk.length ? [chunk.subarray(end)] : [];
    // Rows end at a newline, never inside a character.
    return this.readRows(utf8Text(rows));
  }

  /** The rows read since the last full page, once the output has ended; null when there are none. */
  end(): CopyTextPage | null {
    if (this.tail.length > 0) throw new EtlError(`The COPY output ended inside a row (${Buffer.concat(this.tail).length} bytes without a newline).`, true);
    return this.rows === 0 ? null : this.take();
  }

  private readRows(text: string): CopyTextPage[] {
    const pages: CopyTextPage[] = [];
    const last = this.width - 1;
    // The next tab and backslash at or after the current cell, each found once: a cell before the
    // next backslash needs neither unescaping nor the NULL check.
    let tab = nextIndex(text, "\t", 0);
    let escape = nextIndex(text, "\\", 0);
    let start = 0;
    while (start < text.length) {
      const newline = text.indexOf("\n", start);
      for (let c = 0; c <= last; c++) {
        const end = c === last ? newline : tab;
        if (end > newline || (c === last && tab < newline)) {
          throw new EtlError(`Row ${this.rowsRead + 1} of the COPY output does not have the ${this.width} cells the query describes.`, true);
        }
        if (escape >= end) {
          this.columns[c]!.push(text.slice(start, end));
        } else {
          const raw = text.slice(start, end);
          this.columns[c]!.push(raw === NULL_CELL ? null : unescapeCell(raw));
          escape = nextIndex(text, "\\", end);
        }
        start = end + 1;
        if (c !== last) tab = nextIndex(text, "\t", start);
      }
      this.rowsRead++;
      if (++this.rows === this.pageRows) pages.push(this.take());
    }
    return pages;
  }

  private take(): CopyTextPage {
    const page = { columns: this.columns, rows: this.rows };
    this.columns = this.emptyColumns();
    this.rows = 0;
    return page;
  }

  private emptyColumns(): (string | null)[][] {
    return Array.from({ length: this.width }, () => []);
  }
}

function nextIndex(text: string, char: string, from: number): number {
  const at = text.indexOf(char, from);
  return at === -1 ? text.length : at;
}

// The characters that follow a backslash to stand for a control character; any other stands for itself.
const CONTROL_ESCAPES: Record<number, number> = { 0x62: 0x08, 0x66: 0x0c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x76: 0x0b };

const isOctal = (byte: number | undefined) => byte !== undefined && byte >= 0x30 && byte <= 0x37;
const hexValue = (byte: number | undefined) =>
  byte === undefined ? -1 : byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66 ? (byte | 0x20) - 0x57 : -1;

/**
 * A cell's value from its escaped text, per PostgreSQL's COPY rules: `\b \f \n \r \t \v`, one to three
 * octal digits or `\x` and one or two hex digits for a byte, and a backslash before any other
 * character for that character. Octal and hex escapes give bytes, so the cell is unescaped as UTF-8
 * bytes and decoded afterwards.
 */
export function unescapeCell(raw: string): string {
  const input = Buffer.from(raw, "utf8");
  const output = Buffer.allocUnsafe(input.length);
  let length = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    if (byte !== BACKSLASH || i + 1 === input.length) {
      output[length++] = byte;
      continue;
    }
    const next = input[++i]!;
    if (isOctal(next)) {
      let value = next - 0x30;
      for (let digits = 1; digits < 3 && isOctal(input[i + 1]); digits++) value = value * 8 + input[++i]! - 0x30;
      output[length++] = value & 0xff;
    } else if (next === 0x78 && hexValue(input[i + 1]) >= 0) {
      let value = hexValue(input[++i]);
      if (hexValue(input[i + 1]) >= 0) value = value * 16 + hexValue(input[++i]);
      output[length++] = value;
    } else {
      output[length++] = CONTROL_ESCAPES[next] ?? next;
    }
  }
  return output.toString("utf8", 0, length);
}
