import { describe, expect, it } from "vitest";
import { detectFormat } from "./format";

const text = (s: string) => Buffer.from(s);
const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]);

describe("detectFormat", () => {
  it.each([
    ["orders.csv", text("a,b\n"), { format: "csv" }],
    ["ORDERS.CSV", text("a,b\n"), { format: "csv" }],
    ["orders.tsv", text("a\tb\n"), { format: "csv" }],
    ["book.xlsx", zip, { format: "xlsx" }],
    ["items.json", text("[]"), { format: "json" }],
    ["events.ndjson", text('{"a":1}\n'), { format: "ndjson" }],
    ["events.jsonl", text('{"a":1}\n'), { format: "ndjson" }],
    // The extension decides between the text formats, even when the content looks like another.
    ["odd.csv", text('{"a":1}\n{"a":2}\n'), { format: "csv" }],
  ])("%s by its extension", (name, head, expected) => {
    expect(detectFormat(name, head)).toEqual(expected);
  });

  it.each([
    ["export", text("[1,2]"), { format: "json" }],
    ["export", text('\uFEFF  {"data": {"items": []}}'), { format: "json" }],
    ["export", text('{"a":1}\n{"a":2}\n'), { format: "ndjson" }],
    // One object alone, or an object spread over lines, is JSON.
    ["export", text('{"a":1}\n'), { format: "json" }],
    ["export", text('{\n  "a": 1\n}\n'), { format: "json" }],
    ["export", text("id;name\n1;x\n"), { format: "csv" }],
    ["export", zip, { format: "xlsx" }],
  ])("%s without a known extension, by its content", (name, head, expected) => {
    expect(detectFormat(name, head)).toEqual(expected);
  });

  it("refuses what cannot be read, saying why", () => {
    expect(detectFormat("old.xls", zip)).toEqual({ refused: "Legacy .xls workbooks are not supported; save the file as .xlsx." });
    expect(detectFormat("fake.xlsx", text("a,b"))).toEqual({
      refused: '"fake.xlsx" is named like an Excel workbook but is not one (.xlsx files are zip archives).',
    });
    expect(detectFormat("data.csv", zip)).toEqual({ refused: '"data.csv" is a zip archive; upload .xlsx workbooks with their .xlsx extension.' });
    expect(detectFormat("blob", Buffer.from([1, 0, 2]))).toEqual({ refused: '"blob" looks binary; upload CSV, .xlsx, JSON or NDJSON.' });
    expect(detectFormat("nothing", Buffer.alloc(0))).toEqual({ refused: '"nothing" is empty.' });
  });
});
