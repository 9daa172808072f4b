import { Transform } from "node:stream";
import { EtlError } from "@/lib/etl/errors";
import { typeTextColumn } from "@/lib/etl/infer-types";
import { columnKey } from "@/lib/etl/transforms/normalize";
import { ColumnPage } from "./page";
import { Utf8StreamDecoder } from "./utf8-text";

/**
 * Batches read from files: at most BATCH_ROWS rows, and fewer when rows are wide, so a batch stays
 * around BATCH_CHARS characters of data whatever the file looks like. Each batch is transformed and
 * loaded before the next is read: this is what keeps a worker's memory flat on a 2 GB file.
 */
export const BATCH_ROWS = 20_000;
export const BATCH_CHARS = 16 * 1024 * 1024;

/** The name of a column that has none in the file, from its position: column_1, column_2, … */
export function positionalName(index: number): string {
  return `column_${index + 1}`;
}

/**
 * Column names from a header row: blanks get a positional name and repeats get a suffix
 * (`id`, `id_2`), because records are objects and a repeated name would silently drop a column.
 */
export function columnNames(header: readonly unknown[], fallback: (index: number) => string = positionalName): string[] {
  const taken = new Set<string>();
  // Array.from visits the holes a sparse header has (exceljs leaves them for empty cells), which map would skip.
  return Array.from(header, (cell, index) => {
    const base = cell === null || cell === undefined || String(cell).trim() === "" ? fallback(index) : columnKey(String(cell).trim());
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    return name;
  });
}

/**
 * Converts a batch of text cells, column by column (typeTextColumn), in place: "42" becomes 42
 * only where the whole column holds numbers in this batch. Column types are read where the batch
 * is loaded; a later batch may hold a wider one (a "N/A" among numbers), and the dataset then
 * widens the column and logs it.
 */
export function textColumnsToPage(names: readonly string[], columns: string[][], rows: number): ColumnPage {
  const typed = names.map((_, c) => {
    const cells = columns[c];
    if (!cells) return new Array<unknown>(rows).fill(null);
    const values: unknown[] = cells;
    typeTextColumn(values);
    return values;
  });
  return new ColumnPage(names, typed, rows);
}

/** Collects rows into batches by count and size; `add` answers true when the batch is full. */
export class Batcher<T> {
  private rows: T[] = [];
  private chars = 0;

  add(row: T, chars: number): boolean {
    this.rows.push(row);
    this.chars += chars;
    return this.rows.length >= BATCH_ROWS || this.chars >= BATCH_CHARS;
  }

  take(): T[] {
    const rows = this.rows;
    this.rows = [];
    this.chars = 0;
    return rows;
  }

  get size(): number {
    return this.rows.length;
  }
}

/**
 * Bytes decoded at a time. A stored file arrives in 1 MB chunks, and a string that long goes
 * straight to V8's old generation, where 70 of them per million CSV rows made full collections;
 * strings of 64 KB are young garbage once read.
 */
const DECODE_BYTES = 64 * 1024;

/**
 * Where in a piece decoding first fails: the longest prefix a fresh decoder reads (a sequence cut
 * at its end is not an error yet). 0 when the fault lies in bytes carried over from the piece before.
 */
function firstInvalidByte(encoding: string, piece: Buffer): number {
  // A UTF-8 character the piece before began ends in this one's first bytes: a fresh decoder starts past them.
  let from = 0;
  if (encoding === "utf-8") while (from < 3 && (piece[from]! & 0xc0) === 0x80) from++;
  const reads = (length: number) => {
    try {
      new TextDecoder(encoding, { fatal: true }).decode(piece.subarray(from, length), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  if (reads(piece.length)) return 0;
  let good = from;
  let bad = piece.length;
  while (bad - good > 1) {
    const middle = (good + bad) >> 1;
    if (reads(middle)) good = middle;
    else bad = middle;
  }
  return good;
}

/** Decodes bytes in the given encoding; a UTF-8 byte order mark is dropped, invalid bytes fail the run. */
export function decodeText(encoding: string): Transform {
  const decoder = new TextDecoder(encoding, { fatal: true });
  // The same decoding of UTF-8, five times as fast where the text is not all ASCII (utf8-text.ts).
  const text = decoder.encoding === "utf-8" ? new Utf8StreamDecoder() : decoder;
  let offset = 0;
  // TextDecoder's own error says only that the data is invalid; the offset and the hint are what help.
  const fail = () =>
    new EtlError(
      `The file is not valid ${text.encoding} text near byte ${offset}${text.encoding === "utf-8" ? "; set the source's encoding (e.g. latin1 or windows-1252)" : ""}.`,
      true,
    );
  return new Transform({
    // Text goes out as the strings decoded here: a byte-mode side would encode them back into bytes for the reader to decode again.
    readableObjectMode: true,
    decodeStrings: true,
    transform(chunk: Buffer, _encoding, callback) {
      for (let at = 0; at < chunk.length; at += DECODE_BYTES) {
        const piece = chunk.subarray(at, at + DECODE_BYTES);
        let out: string;
        try {
          out = text.decode(piece, { stream: true });
        } catch {
          offset += firstInvalidByte(text.encoding, piece);
          return callback(fail());
        }
        offset += piece.length;
        if (out) this.push(out);
      }
      callback();
    },
    flush(callback) {
      try {
        callback(null, text.decode());
      } catch {
        callback(fail());
      }
    },
  });
}
