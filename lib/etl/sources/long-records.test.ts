import { Readable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { csvFileSourceSchema } from "@/lib/schemas/file-source";
import { CsvTokenizer } from "./csv-tokenizer";
import { extractCsv } from "./file-csv";
import { extractNdjson } from "./file-json";
import { pageRecords } from "./page";

const MB = 1024 * 1024;
/** The bytes as a stored file hands them over: 1 MB at a time. */
const stored = (text: string) => {
  const bytes = Buffer.from(text);
  return Readable.from(Array.from({ length: Math.ceil(bytes.length / MB) }, (_, i) => bytes.subarray(i * MB, (i + 1) * MB)));
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe("records of megabytes, read from text that arrives 64 KB at a time", () => {
  it("CSV: a long unquoted cell and a long quoted one come out whole, between short records, read a few times", async () => {
    // Characters the tokenizer reads: each push reads the unfinished record again, then the new text.
    let read = 0;
    const push = CsvTokenizer.prototype.push;
    vi.spyOn(CsvTokenizer.prototype, "push").mockImplementation(function (this: CsvTokenizer, text: string) {
      read += this.pendingChars + text.length;
      push.call(this, text);
    });
    const source = csvFileSourceSchema.parse({ type: "file", fileId: "00000000-0000-4000-8000-000000000000", format: "csv" });
    const long = "x".repeat(3 * MB);
    const quoted = `${"y".repeat(MB)},\n"${"z".repeat(MB)}`;
    const rows: unknown[] = [];
    const text = `id,text\n1,${long}\n2,"${quoted.replace(/"/g, '""')}"\n3,short\n`;
    for await (const page of extractCsv(source, stored(text), false)) rows.push(...pageRecords(page));
    expect(rows).toEqual([
      { id: 1, text: long },
      { id: 2, text: quoted },
      { id: 3, text: "short" },
    ]);
    // Read again from its start at every 64 KB piece, the 3 MB cell alone would cost 48 readings.
    expect(read).toBeLessThan(3 * text.length);
  });

  it("NDJSON: a line of megabytes is one record, split into lines a few times", async () => {
    let split = 0;
    const original = String.prototype.split;
    vi.spyOn(String.prototype, "split").mockImplementation(function (this: string, ...args: Parameters<string["split"]>) {
      if ((args[0] as unknown) === "\n") split += this.length;
      return original.apply(this, args);
    });
    const long = "x".repeat(3 * MB);
    const text = `{"id":1,"text":"${long}"}\n{"id":2}\n`;
    const records: unknown[] = [];
    for await (const page of extractNdjson(stored(text), false)) records.push(...page);
    expect(records).toEqual([{ id: 1, text: long }, { id: 2 }]);
    expect(split).toBeLessThan(3 * text.length);
  });
});
