import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { csvFileSourceSchema } from "@/lib/schemas/file-source";
import { extractCsv } from "./file-csv";
import { extractNdjson } from "./file-json";
import { pageRecords } from "./page";

const MB = 1024 * 1024;
/** The bytes as a stored file hands them over: 1 MB at a time. */
const stored = (text: string) => {
  const bytes = Buffer.from(text);
  return Readable.from(Array.from({ length: Math.ceil(bytes.length / MB) }, (_, i) => bytes.subarray(i * MB, (i + 1) * MB)));
};

describe("records of megabytes, read from text that arrives 64 KB at a time", () => {
  it("CSV: a long unquoted cell and a long quoted one come out whole, between short records", async () => {
    const source = csvFileSourceSchema.parse({ type: "file", fileId: "00000000-0000-4000-8000-000000000000", format: "csv" });
    const long = "x".repeat(3 * MB);
    const quoted = `${"y".repeat(MB)},\n"${"z".repeat(MB)}`;
    const rows: unknown[] = [];
    for await (const page of extractCsv(source, stored(`id,text\n1,${long}\n2,"${quoted.replace(/"/g, '""')}"\n3,short\n`), false)) {
      rows.push(...pageRecords(page));
    }
    expect(rows).toEqual([
      { id: 1, text: long },
      { id: 2, text: quoted },
      { id: 3, text: "short" },
    ]);
  });

  it("NDJSON: a line of megabytes is one record", async () => {
    const long = "x".repeat(3 * MB);
    const records: unknown[] = [];
    for await (const page of extractNdjson(stored(`{"id":1,"text":"${long}"}\n{"id":2}\n`), false)) records.push(...page);
    expect(records).toEqual([{ id: 1, text: long }, { id: 2 }]);
  });
});
