import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { csvFileSourceSchema } from "@/lib/schemas/file-source";
import { extractCsv } from "./file-csv";
import { pageRecords } from "./page";

async function read(text: string, options: { delimiter?: string; skipRows?: number }, chunkChars = text.length): Promise<unknown[]> {
  const source = csvFileSourceSchema.parse({ type: "file", fileId: "00000000-0000-4000-8000-000000000000", format: "csv", ...options });
  const chunks: Buffer[] = [];
  for (let at = 0; at < text.length; at += chunkChars) chunks.push(Buffer.from(text.slice(at, at + chunkChars)));
  const records: unknown[] = [];
  for await (const page of extractCsv(source, Readable.from(chunks), false)) records.push(...pageRecords(page));
  return records;
}

describe("extractCsv line endings", () => {
  const text = "Export of 2024\nid\tprice\r\n1\t1.5\r\n2\t2.5\r\n";
  const expected = [
    { id: 1, price: 1.5 },
    { id: 2, price: 2.5 },
  ];

  it("ends a record at a CR before LF although the first line ended with LF alone (csv-parse, skipping rows)", async () => {
    for (const chunkChars of [text.length, 1, 2, 3, 7]) expect(await read(text, { delimiter: "\\t", skipRows: 1 }, chunkChars)).toEqual(expected);
  });

  it("reads the same file the same way without rows to skip (CsvTokenizer)", async () => {
    expect(await read(text.slice(text.indexOf("\n") + 1).replace("\r\n", "\n"), { delimiter: "\\t" })).toEqual(expected);
  });
});
