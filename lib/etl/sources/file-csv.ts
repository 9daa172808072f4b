import "server-only";
import { pipeline, type Readable, type Transform } from "node:stream";
import { parse, CsvError } from "csv-parse";
import { EtlError } from "@/lib/etl/errors";
import type { CsvFileSource } from "@/lib/schemas/file-source";
import { CsvSyntaxError, CsvTokenizer } from "./csv-tokenizer";
import { Batcher, BATCH_CHARS, BATCH_ROWS, columnNames, decodeText, positionalName, textColumnsToPage } from "./file-records";
import type { ColumnPage } from "./page";

/** A single record this long is a quote left open, not data: fail instead of reading the rest of the file into it. */
const MAX_RECORD_CHARS = 8 * 1024 * 1024;

/**
 * Streams a CSV file in the file's encoding and yields batches of typed rows, column by column.
 * The common dialect (a one-character delimiter, no rows to skip) goes through CsvTokenizer,
 * which is several times faster; the rest through csv-parse. Both read RFC 4180: quoted
 * delimiters, doubled quotes and newlines inside quotes.
 */
export async function* extractCsv(source: CsvFileSource, input: Readable, sampleOnly: boolean): AsyncGenerator<ColumnPage> {
  const delimiter = source.delimiter === "\\t" ? "\t" : source.delimiter;
  // pipeline destroys every stage on the first error, so a failing read or decode ends the loop below.
  const batches =
    delimiter.length === 1 && source.skipRows === 0
      ? tokenize(
          pipeline(input, decodeText(source.encoding), () => undefined) as AsyncIterable<string>,
          new CsvTokenizer({ delimiter, quote: source.quote, maxRecordChars: MAX_RECORD_CHARS }),
          RUN_BATCH_ROWS,
        )
      : parseRows(pipeline(input, decodeText(source.encoding), csvParse(source, delimiter), () => undefined) as AsyncIterable<string[]>);

  let names: string[] | null = null;
  try {
    for await (let { columns, rows } of batches) {
      if (!names) {
        if (rows === 0) continue;
        const first = columns.map((column) => column[0]!);
        names = source.header ? columnNames(first) : first.map((_, i) => positionalName(i));
        if (source.header) {
          columns = columns.map((column) => column.slice(1));
          rows -= 1;
        }
      }
      if (rows === 0) continue;
      yield textColumnsToPage(names, columns, rows);
      if (sampleOnly) return;
    }
  } catch (error) {
    throw describeCsvError(error);
  } finally {
    input.destroy();
  }
}

type TextBatch = { columns: string[][]; rows: number };

/**
 * Rows per batch of a run after its first, which has BATCH_ROWS like a preview's sample, so that
 * the columns' types come from as many rows as the preview showed. A batch's cells, numbers and
 * dates live until it is loaded, and V8 promotes to its old generation whatever is alive at a
 * young-generation collection: with 20,000-row batches a 1M-row run promoted 660 MB and spent a
 * third of its time collecting; batches of 1,000 mostly die young.
 */
const RUN_BATCH_ROWS = 1000;
/** Text goes to the tokenizer in slices this long, so a batch ends near its row count although text arrives in 64 KB pieces (file-records.ts). */
const SLICE_CHARS = 16 * 1024;

/** Batches of BATCH_ROWS rows, then of `rows` rows, or BATCH_CHARS characters when rows are wide. */
async function* tokenize(text: AsyncIterable<string>, tokenizer: CsvTokenizer, rows: number): AsyncGenerator<TextBatch> {
  let limit = BATCH_ROWS;
  const full = () => tokenizer.rowCount >= limit || tokenizer.charCount >= BATCH_CHARS;
  // An unfinished record is read again from its start at each push. One longer than a slice gets
  // the rest of the text at once, and text waits until there is as much of it as the record
  // holds already, so that a record of megabytes is read a few times, not once per piece.
  let waiting = "";
  for await (const chunk of text) {
    waiting += chunk;
    if (waiting.length < tokenizer.pendingChars) continue;
    const input = waiting;
    waiting = "";
    for (let at = 0; at < input.length; ) {
      const end = tokenizer.pendingChars < SLICE_CHARS ? Math.min(input.length, at + SLICE_CHARS) : input.length;
      tokenizer.push(at === 0 && end === input.length ? input : input.slice(at, end));
      at = end;
      if (full()) {
        limit = rows;
        yield { rows: tokenizer.rowCount, columns: tokenizer.take(limit) };
      }
    }
  }
  if (waiting) tokenizer.push(waiting);
  tokenizer.end();
  yield { rows: tokenizer.rowCount, columns: tokenizer.take(0) };
}

function csvParse(source: CsvFileSource, delimiter: string): Transform {
  return parse({
    delimiter,
    quote: source.quote,
    escape: source.quote,
    from_line: source.skipRows + 1,
    // Left to itself, csv-parse takes the first line's ending as the file's and keeps a CR before
    // LF in the last field when later lines end otherwise; every ending ends a record, as in CsvTokenizer.
    record_delimiter: ["\r\n", "\n", "\r"],
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
  });
}

async function* parseRows(records: AsyncIterable<string[]>): AsyncGenerator<TextBatch> {
  const batch = new Batcher<string[]>();
  let width = 0;
  const columns = (rows: string[][]) => Array.from({ length: width }, (_, c) => rows.map((row) => row[c]!));
  for await (const record of records) {
    width ||= record.length;
    if (batch.add(record, rowChars(record))) {
      const rows = batch.take();
      yield { rows: rows.length, columns: columns(rows) };
    }
  }
  const rows = batch.take();
  yield { rows: rows.length, columns: columns(rows) };
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
