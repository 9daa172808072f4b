import { describe, expect, it } from "vitest";
import { CopyTextReader, unescapeCell } from "./copy-text";

/** Reads COPY text cut into the given chunks; answers the pages as rows of cells. */
function read(chunks: Buffer[], width: number, pageRows = 1000): (string | null)[][][] {
  const reader = new CopyTextReader(width, pageRows);
  const pages = chunks.flatMap((chunk) => reader.push(chunk));
  const last = reader.end();
  if (last) pages.push(last);
  return pages.map(({ columns, rows }) => Array.from({ length: rows }, (_, row) => columns.map((cells) => cells[row]!)));
}

/** Every way of cutting the bytes in two, and into single bytes. */
function everySplit(bytes: Buffer): Buffer[][] {
  const splits = Array.from({ length: bytes.length + 1 }, (_, i) => [bytes.subarray(0, i), bytes.subarray(i)]);
  splits.push(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
  return splits;
}

describe("CopyTextReader", () => {
  it("reads rows of tab-separated cells, NULL as null, into pages of a fixed number of rows", () => {
    const text = "1\tAda\t\\N\n2\t\t\n3\tCy\tx\n";
    expect(read([Buffer.from(text)], 3, 2)).toEqual([
      [
        ["1", "Ada", null],
        ["2", "", ""],
      ],
      [["3", "Cy", "x"]],
    ]);
    expect(read([Buffer.from(text)], 3, 3)).toHaveLength(1);
    expect(read([], 3)).toEqual([]);
  });

  it("unescapes control characters and backslashes, and tells the text \\N from NULL", () => {
    const text = "a\\tb\\nc\\rd\\\\e\\bf\\fg\\vh\t\\\\N\t\\N\t\\\\\t\\\\t\n";
    expect(read([Buffer.from(text)], 5)).toEqual([[["a\tb\nc\rd\\e\bf\fg\vh", "\\N", null, "\\", "\\t"]]]);
  });

  it("gives the same rows however the bytes are cut: rows, escapes and multibyte characters split between chunks", () => {
    const text = "1\tZürich\tnaïve \\\\ café\n2\t🌍 名前\t\\N\n3\t\t\\t\\n😀\n";
    const expected = [
      ["1", "Zürich", "naïve \\ café"],
      ["2", "🌍 名前", null],
      ["3", "", "\t\n😀"],
    ];
    for (const chunks of everySplit(Buffer.from(text))) {
      expect(read(chunks, 3, 2).flat(), chunks.map((chunk) => chunk.length).join(",")).toEqual(expected);
    }
  });

  it("refuses a row with more or fewer cells than the query has, and output that ends inside a row", () => {
    expect(() => read([Buffer.from("1\t2\t3\n")], 2)).toThrow("Row 1 of the COPY output does not have the 2 cells the query describes.");
    expect(() => read([Buffer.from("1\t2\n3\n")], 2, 1)).toThrow("Row 2 of the COPY output does not have the 2 cells");
    expect(() => read([Buffer.from("1\t2\n3\t")], 2)).toThrow("The COPY output ended inside a row (2 bytes without a newline).");
  });
});

describe("unescapeCell", () => {
  it("reads octal and hex escapes as bytes of UTF-8 text", () => {
    expect(unescapeCell("\\101\\x42\\x4\\7")).toBe("AB\x04\x07");
    expect(unescapeCell("caf\\303\\251 \\xc3\\xA9")).toBe("café é");
    // Three octal digits at most, the byte's low eight bits; two hex digits at most.
    expect(unescapeCell("\\1011\\x414")).toBe("A1A4");
    // 0o777 & 0xff is 0xff, which is not UTF-8 on its own.
    expect(unescapeCell("\\777")).toBe("\ufffd");
  });

  it("reads a backslash before any other character as that character, and keeps a final backslash", () => {
    expect(unescapeCell("\\a\\.\\xZ\\é")).toBe("a.xZé");
    expect(unescapeCell("end\\")).toBe("end\\");
  });
});
