import { z } from "zod";

/**
 * The `file` source: an uploaded file (POST /api/v1/files) read as a stream in one of four formats.
 * One schema per format, all with `type: "file"`, so the builder can show each format's options.
 */

const fileId = z.uuid().describe("The id of an uploaded file (POST /api/v1/files) in the job's workspace");

function isSupportedEncoding(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

export const csvFileSourceSchema = z
  .object({
    type: z.literal("file"),
    fileId,
    format: z.literal("csv"),
    delimiter: z
      .string()
      .min(1)
      .max(4)
      .default(",")
      .describe('Field separator, e.g. "," ";" or "\\t"'),
    quote: z.string().length(1).default('"').describe("Character that encloses fields holding delimiters, quotes or newlines"),
    header: z.boolean().default(true).describe("The first row (after skipRows) names the columns; otherwise column_1, column_2, …"),
    skipRows: z.number().int().min(0).max(1000).default(0).describe("Lines to skip before the header, e.g. a title"),
    encoding: z
      .string()
      .min(1)
      .max(40)
      .refine(isSupportedEncoding, "unknown encoding; use a WHATWG label such as utf-8, latin1, windows-1252 or utf-16le")
      .default("utf-8")
      .describe("Text encoding of the file; a UTF-8 byte order mark is skipped"),
  })
  .strict()
  .describe("A CSV file; empty fields are null, and numbers and booleans in the text are recognised per column");

export const xlsxFileSourceSchema = z
  .object({
    type: z.literal("file"),
    fileId,
    format: z.literal("xlsx"),
    sheet: z
      .union([z.string().min(1).max(31), z.number().int().min(0).max(1000)])
      .default(0)
      .describe("Worksheet name, or its position from 0 in the workbook's tab order"),
    headerRow: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .default(1)
      .describe("Row number (from 1) holding the column names; rows above it are skipped. 0: no header, columns are named A, B, …"),
  })
  .strict()
  .describe("An Excel .xlsx workbook, one worksheet");

export const jsonFileSourceSchema = z
  .object({
    type: z.literal("file"),
    fileId,
    format: z.literal("json"),
    recordsPath: z
      .string()
      .max(200)
      .regex(/^$|^[^.\s]+(\.[^.\s]+)*$/, "must be a dot path like data.items, or empty")
      .default("")
      .describe("Dot path to the array of records, e.g. data.items; empty when the file is the array itself"),
  })
  .strict()
  .describe("A JSON file holding an array of records, or an object with one");

export const ndjsonFileSourceSchema = z
  .object({ type: z.literal("file"), fileId, format: z.literal("ndjson") })
  .strict()
  .describe("Newline-delimited JSON: one record per line");

export const fileSourceSchema = z.discriminatedUnion("format", [
  csvFileSourceSchema,
  xlsxFileSourceSchema,
  jsonFileSourceSchema,
  ndjsonFileSourceSchema,
]);
export type FileSource = z.infer<typeof fileSourceSchema>;
export type CsvFileSource = z.infer<typeof csvFileSourceSchema>;
export type XlsxFileSource = z.infer<typeof xlsxFileSourceSchema>;
export type JsonFileSource = z.infer<typeof jsonFileSourceSchema>;
