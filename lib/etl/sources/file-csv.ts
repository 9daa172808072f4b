import "server-only";
import { pipeline, type Readable } from "node:stream";
import { parse, CsvError } from "csv-parse";
import { EtlError } from "@/lib/etl/errors";
import type { CsvFileSource } from "@/lib/schemas/file-source";
import { Batcher, columnNames, decodeText, textRowsToRecords } from "./file-records";

/** A single record this long is a quote left open, not data: fail instead of reading the rest of the file into it. */
const MAX_RECORD_CHARS = 8 * 1024 * 1024;

/**
 * Streams a CSV file through csv-parse (RFC 4180: quoted delimiters, doubled quotes and newlines
 * inside quotes) in the file's encoding, and yields batches of typed records.
 */
export async function* extractCsv(source: CsvFileSource, input: Readable, sampleOnly: boolean): AsyncGenerator<unknown[]> {
  const parser = parse({
    delimiter: source.delimiter === "\\t" ? "\t" : source.delimiter,
    quote: source.quote,
    escape: source.quote,
    from_line: source.skipRows + 1,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  // pipeline destroys every stage on the first error, so a failing read or decode ends the loop below.
  const records = pipeline(input, decodeText(source.encoding), parser, () => undefined) as AsyncIterable<string[]>;

  let names: string[] | null = null;
  const batch = new Batcher<string[]>();
  try {
    for await (const row of records) {
      if (!names) {
        names = source.header ? columnNames(row, (i) => `column_${i + 1}`) : row.map((_, i) => `column_${i + 1}`);
        if (source.header) continue;
      }
      if (batch.add(row, rowChars(row))) {
        yield textRowsToRecords(names, batch.take());
        if (sampleOnly) return;
      }
    }
  } catch (error) {
    throw describeCsvError(error);
  } finally {
    input.destroy();
  }
  if (names && batch.size > 0) yield textRowsToRecords(names, batch.take());
}

function rowChars(row: string[]): number {
  let chars = 0;
  for (const cell of row) chars += cell.length;
  return chars;
}

/** csv-parse's messages name the problem and its line; storage and abort errors pass through unchanged. */
function describeCsvError(error: unknown): unknown {
  if (!(error instanceof CsvError)) return error;
  return new EtlError(`The CSV file is malformed: ${error.message.replace(/\.$/, "")}. Nothing was loaded.`, true);
}
