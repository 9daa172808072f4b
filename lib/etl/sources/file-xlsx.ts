import "server-only";
import { ReadStream } from "node:fs";
import type { Readable, Writable } from "node:stream";
import ExcelJS from "exceljs";
import { env } from "@/lib/env";
import { EtlError } from "@/lib/etl/errors";
import type { XlsxFileSource } from "@/lib/schemas/file-source";
import { Batcher, columnNames, positionalName } from "./file-records";
import { temporaryFilesOfRead } from "./xlsx-temp-files";

/** How far into each XML part a DOCTYPE is looked for: it can only come before the root element. */
const PROLOG_BYTES = 4096;
/** The shared strings table is held in memory by exceljs for the whole read, so it gets a tighter bound. */
const SHARED_STRINGS_MAX_BYTES = 256 * 1024 * 1024;

/** exceljs's WorksheetReader, as read here; `iterator` is the source of the sheet's XML. */
type Worksheet = { name?: string; iterator?: unknown; [Symbol.asyncIterator](): AsyncIterator<ExcelJS.Row> };

/**
 * Streams one worksheet of an .xlsx workbook with exceljs's streaming WorkbookReader and yields
 * batches of records. Cells keep their Excel types (numbers, booleans, dates, text), so text that
 * looks like a number — an ID with leading zeros — stays text.
 *
 * Hostile workbooks: an .xlsx is a zip of XML. The XML parser (saxes) does not expand entities
 * declared in a DTD, and a part that declares a DOCTYPE at all is refused with a clear message. Zip
 * bombs are bounded here: every byte that comes out of the inflater is counted, and the read stops
 * once the workbook expands past XLSX_MAX_UNCOMPRESSED_BYTES (or its shared strings, which exceljs
 * keeps in memory, past 256 MiB) — whatever sizes the archive declares.
 */
export async function* extractXlsx(
  source: XlsxFileSource,
  input: Readable,
  sampleOnly: boolean,
  maxUnzippedBytes = env.XLSX_MAX_UNCOMPRESSED_BYTES,
): AsyncGenerator<unknown[]> {
  let trip: (error: EtlError) => void = () => undefined;
  const tripped = new Promise<never>((_, reject) => {
    trip = (error) => {
      input.destroy();
      reject(error);
    };
  });
  tripped.catch(() => undefined);
  const inflation = guardInflation(input, maxUnzippedBytes, trip);

  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: "emit",
    sharedStrings: "cache",
    // Styles tell dates from numbers: a date cell is a number with a date format.
    styles: "cache",
    hyperlinks: "ignore",
    entries: "ignore",
  });
  // exceljs runs when asked for its next sheet or row: the temporary files it makes then are this read's.
  const temporaryFiles = temporaryFilesOfRead();
  const next = <T>(iterator: AsyncIterator<T>) => temporaryFiles.run(() => Promise.race([iterator.next(), tripped]));
  const sheets = reader[Symbol.asyncIterator]() as AsyncIterator<Worksheet>;
  // A request for the next sheet that a trip or failure left running: exceljs goes on with it alone.
  let sheetRequest = null as Promise<IteratorResult<Worksheet>> | null;
  const nextSheet = () => {
    const request = temporaryFiles.run(() => sheets.next());
    sheetRequest = request;
    const settled = () => {
      if (sheetRequest === request) sheetRequest = null;
    };
    request.then(settled, settled);
    return Promise.race([request, tripped]);
  };
  const seen: string[] = [];
  let current: Worksheet | undefined;
  const removeTemporaryFiles = () => {
    if (current) passOver(current);
    temporaryFiles.removeLeft();
  };
  try {
    for (let sheet = await nextSheet(); !sheet.done; sheet = await nextSheet()) {
      current = sheet.value;
      const name = sheet.value.name ?? "";
      seen.push(name);
      if (!isWanted(source.sheet, name, reader)) {
        passOver(sheet.value);
        continue;
      }
      yield* readRows(source, sheet.value, next, sampleOnly);
      return;
    }
  } catch (error) {
    throw describeXlsxError(error);
  } finally {
    input.destroy();
    // Files exceljs may still open (its request running) are removed once it hands over what it opened.
    if (!sheetRequest) removeTemporaryFiles();
    else {
      inflation.stop();
      sheetRequest
        .then((late) => {
          if (!late.done) current = late.value;
        })
        .catch(() => undefined)
        .finally(removeTemporaryFiles);
    }
  }
  const which = typeof source.sheet === "number" ? `number ${source.sheet} (counting from 0)` : `"${source.sheet}"`;
  throw new EtlError(`The workbook has no worksheet ${which}; it has ${seen.map((s) => `"${s}"`).join(", ") || "none"}.`, true);
}

/**
 * Passes over a sheet without reading (more of) it. One read from the archive is drained by
 * exceljs when the next sheet is asked for. One exceljs keeps in a temporary file (sheets before
 * the shared strings: xlsx-temp-files.ts) is read through a stream exceljs opens when it hands the
 * sheet over, closed here: left opening, it kept its file open for good, or, the file deleted
 * before it opened, failed the open with nobody listening, which ended the run thread under
 * whichever run it served by then. Destroyed while it opens, the stream still reports that
 * failure, so it gets a listener: nothing reads it.
 */
function passOver(sheet: Worksheet): void {
  if (!(sheet.iterator instanceof ReadStream)) return;
  sheet.iterator.on("error", () => undefined);
  sheet.iterator.destroy();
}

async function* readRows(
  source: XlsxFileSource,
  sheet: Worksheet,
  next: <T>(iterator: AsyncIterator<T>) => Promise<IteratorResult<T>>,
  sampleOnly: boolean,
): AsyncGenerator<unknown[]> {
  // Without a header row columns are named A, B, … as the source's schema says; the cells a header
  // row leaves blank are named as the CSV reader names them.
  const fallback = source.headerRow === 0 ? columnLetter : positionalName;
  let header: unknown[] | null = source.headerRow === 0 ? [] : null;
  let names: string[] = [];
  const batch = new Batcher<Record<string, unknown>>();
  const rows = sheet[Symbol.asyncIterator]();
  for (let row = await next(rows); !row.done; row = await next(rows)) {
    const number = row.value.number;
    // exceljs leaves a hole for each empty cell, which map would keep: Array.from reads it as undefined.
    const cells = Array.from((row.value.values as unknown[]).slice(1), cellValue);
    if (number < source.headerRow) continue;
    if (number === source.headerRow) {
      header = cells;
      names = columnNames(header, fallback);
      continue;
    }
    if (!header) continue;
    if (cells.every((cell) => cell === null)) continue;
    // Columns past the header are blank header cells; naming the whole row again suffixes a
    // positional name that a header cell already holds, instead of overwriting that column.
    if (names.length < cells.length) names = columnNames([...header, ...new Array<null>(cells.length - header.length).fill(null)], fallback);
    const record: Record<string, unknown> = {};
    let chars = 0;
    for (let c = 0; c < names.length; c++) {
      const value = cells[c] ?? null;
      record[names[c]!] = value;
      if (typeof value === "string") chars += value.length;
    }
    if (batch.add(record, chars)) {
      yield batch.take();
      if (sampleOnly) return;
    }
  }
  if (batch.size > 0) yield batch.take();
}

function isWanted(wanted: string | number, name: string, reader: unknown): boolean {
  if (typeof wanted === "string") return wanted === name;
  const order = (reader as { model?: { sheets?: { name: string }[] } }).model?.sheets ?? [];
  return order.findIndex((sheet) => sheet.name === name) === wanted;
}

/** A cell as a plain value: formulas give their cached result, rich text and hyperlinks their text, errors nothing. */
export function cellValue(cell: unknown): unknown {
  if (cell === null || cell === undefined) return null;
  if (cell instanceof Date) return cell;
  if (typeof cell === "string") return cell === "" ? null : cell;
  if (typeof cell !== "object") return cell;
  const value = cell as { result?: unknown; richText?: { text: string }[]; text?: unknown; error?: unknown; formula?: unknown; sharedFormula?: unknown };
  if ("formula" in value || "sharedFormula" in value) return cellValue(value.result);
  if (Array.isArray(value.richText)) return value.richText.map((run) => run.text).join("");
  if (value.text !== undefined) return cellValue(value.text);
  if (value.error !== undefined) return null;
  return JSON.stringify(cell);
}

/** Spreadsheet column names: A … Z, AA, AB, … */
export function columnLetter(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

type ZipEntry = { path: string; once(event: "pipe", listener: (source: Readable) => void): unknown; pipe: Readable["pipe"] };

/**
 * Counts the bytes each zip entry inflates to. exceljs pipes our input into unzipper's parser and
 * hands its entries to the XML readers without a size check; the parser's `push` is the one place
 * every entry passes, so it is wrapped to watch the inflater feeding each entry.
 */
function guardInflation(input: Readable, max: number, trip: (error: EtlError) => void): { stop: () => void } {
  let total = 0;
  // The unzip parser and where its entries go (exceljs's parsers and temporary files), for stop.
  const streams = new Set<Writable>();
  const pipe = input.pipe.bind(input);
  input.pipe = ((destination: NodeJS.WritableStream, options?: { end?: boolean }) => {
    streams.add(destination as unknown as Writable);
    const zip = destination as unknown as { push(chunk: unknown): boolean };
    const push = zip.push.bind(zip);
    zip.push = (chunk: unknown) => {
      if (chunk && typeof chunk === "object" && typeof (chunk as ZipEntry).path === "string") watch(chunk as ZipEntry);
      return push(chunk);
    };
    return pipe(destination, options);
  }) as typeof input.pipe;

  function watch(entry: ZipEntry) {
    const pipeEntry = entry.pipe.bind(entry);
    entry.pipe = ((destination: Writable, options?: { end?: boolean }) => {
      streams.add(destination);
      return pipeEntry(destination, options);
    }) as typeof entry.pipe;
    const limit = entry.path === "xl/sharedStrings.xml" ? Math.min(max, SHARED_STRINGS_MAX_BYTES) : max;
    let bytes = 0;
    let prolog = "";
    entry.once("pipe", (inflater) => {
      inflater.on("data", (chunk: Buffer) => {
        if (bytes < PROLOG_BYTES) {
          prolog += chunk.subarray(0, PROLOG_BYTES - bytes).toString("latin1");
          // OOXML parts never carry a DTD: one is there to declare entities (billion laughs, external files).
          if (/<!DOCTYPE/i.test(prolog)) {
            trip(new EtlError(`The workbook's XML declares a DOCTYPE (at ${entry.path}); workbooks with entity declarations are refused.`, true));
          }
        }
        bytes += chunk.length;
        total += chunk.length;
        if (bytes > limit || total > max) {
          trip(
            new EtlError(
              `The workbook expands to more than ${bytes > limit ? limit : max} bytes when unzipped (at ${entry.path}); ` +
                "it is refused as a possible zip bomb (XLSX_MAX_UNCOMPRESSED_BYTES).",
              true,
            ),
          );
        }
      });
    });
  }

  return {
    /**
     * Fails what exceljs still waits on. Its input destroyed, the unzip parser never ends, and
     * exceljs waits for it (or for a temporary file's write to finish) for good, holding that
     * file open: failed, its pending request ends too. Streams exceljs listens to hear the error;
     * the others get a listener, since an error nobody hears would end the process or thread.
     */
    stop: () => {
      const ended = new Error("The workbook's read ended.");
      for (const stream of streams) {
        stream.on("error", () => undefined);
        stream.destroy(ended);
      }
    },
  };
}

function describeXlsxError(error: unknown): unknown {
  if (error instanceof EtlError) return error;
  if (!(error instanceof Error) || error.name === "AbortError") return error;
  const message = error.message.split("\n")[0]!.slice(0, 300).replace(/\.+$/, "");
  if (/signature|zip|end of central directory|invalid|unexpected end/i.test(message)) {
    return new EtlError(`The .xlsx file is not a readable workbook: ${message}.`, true);
  }
  return new EtlError(`The .xlsx file cannot be read: ${message}.`, true);
}
