import "server-only";
import { pipeline, type Readable, type Transform } from "node:stream";
import { parse, CsvError } from "csv-parse";
import { EtlError } from "@/lib/etl/errors";
import type { CsvFileSource } from "@/lib/schemas/file-source";
import { CsvSyntaxError, CsvTokenizer } from "./csv-tokenizer";
import { Batcher, columnNames, decodeText, textRowsToRecords } from "./file-records";

/** A single record this long is a quote left open, not data: fail instead of reading the rest of the file into it. */
const MAX_RECORD_CHARS = 8 * 1024 * 1024;

/**
 * Streams a CSV file in the file's encoding and yields batches of typed records. The common
 * dialect (a one-character delimiter, no rows to skip) goes through CsvTokenizer, which is several
 * times faster; the rest through csv-parse. Both read RFC 4180: quoted delimiters, doubled quotes
 * and newlines inside quotes.
 */
export async function* extractCsv(source: CsvFileSource, input: Readable, sampleOnly: boolean): AsyncGenerator<unknown[]> {
  const delimiter = source.delimiter === "\\t" ? "\t" : source.delimiter;
  // pipeline destroys every stage on the first error, so a failing read or decode ends the loop below.
  const chunks =
    delimiter.length === 1 && source.skipRows === 0
      ? tokenize(
          pipeline(input, decodeText(source.encoding), () => undefined) as AsyncIterable<string>,
          new CsvTokenizer({ delimiter, quote: source.quote, maxRecordChars: MAX_RECORD_CHARS }),
        )
      : parseRows(pipeline(input, decodeText(source.encoding), csvParse(source, delimiter), () => undefined) as AsyncIterable<string[]>);

  let names: string[] | null = null;
  const batch = new Batcher<string[]>();
  try {
    for await (const rows of chunks) {
      for (const row of rows) {
        if (!names) {
          names = source.header ? columnNames(row, (i) => `column_${i + 1}`) : row.map((_, i) => `column_${i + 1}`);
          if (source.header) continue;
        }
        if (batch.add(row, rowChars(row))) {
          yield textRowsToRecords(names, batch.take());
          if (sampleOnly) return;
        }
      }
    }
  } catch (error) {
    throw describeCsvError(error);
  } finally {
    input.destroy();
  }
  if (names && batch.size > 0) yield textRowsToRecords(names, batch.take());
}

async function* tokenize(text: AsyncIterable<string>, tokenizer: CsvTokenizer): AsyncGenerator<string[][]> {
  for await (const chunk of text) yield tokenizer.push(chunk);
  yield tokenizer.end();
}

function csvParse(source: CsvFileSource, delimiter: string): Transform {
  return parse({
    delimiter,
    quote: source.quote,
    escape: source.quote,
    from_line: source.skipRows + 1,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
  });
}

async function* parseRows(rows: AsyncIterable<string[]>): AsyncGenerator<string[][]> {
  for await (const row of rows) yield [row];
}

function rowChars(row: string[]): number {
  let chars = 0;
  for (const cell of row) chars += cell.length;
  return chars;
}

/** The parsers' messages name the problem and its line; storage and abort errors pass through unchanged. */
function describeCsvError(error: unknown): unknown {
  if (!(error instanceof CsvError) && !(error instanceof CsvSyntaxError)) return error;
  return new EtlError(`The CSV file is malformed: ${error.message.replace(/\.$/, "")}. Nothing was loaded.`, true);
}
