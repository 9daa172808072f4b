import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { Batcher, BATCH_CHARS, BATCH_ROWS, columnNames, decodeText, textColumnsToPage } from "./file-records";
import { pageRecords } from "./page";

describe("columnNames", () => {
  it("keeps names, fills blanks by position and suffixes repeats", () => {
    expect(columnNames(["id", " name ", "", null, "id", "id"])).toEqual([
      "id",
      "name",
      "column_3",
      "column_4",
      "id_2",
      "id_3",
    ]);
  });
});

describe("textColumnsToPage", () => {
  it("types each column over the batch, keeping leading zeros and empty cells apart", () => {
    const rows = [
      ["1", "007", "1.5", "true", "2024-01-02", "", "x"],
      ["2", "8", "2", "FALSE", "", "", "12"],
      ["3", "9", "-0.25", "false", "2024-02-03", "", "y"],
    ];
    const columns = rows[0]!.map((_, c) => rows.map((row) => row[c]!));
    expect(pageRecords(textColumnsToPage(["id", "code", "price", "ok", "day", "blank", "mixed"], columns, 3))).toEqual([
      { id: 1, code: "007", price: 1.5, ok: true, day: "2024-01-02", blank: null, mixed: "x" },
      { id: 2, code: "8", price: 2, ok: false, day: null, blank: null, mixed: "12" },
      { id: 3, code: "9", price: -0.25, ok: false, day: "2024-02-03", blank: null, mixed: "y" },
    ]);
  });

  it("fills columns the cells lack with null", () => {
    expect(pageRecords(textColumnsToPage(["a", "b"], [["1"]], 1))).toEqual([{ a: 1, b: null }]);
  });
});

describe("Batcher", () => {
  it("is full at BATCH_ROWS rows or BATCH_CHARS characters", () => {
    const batcher = new Batcher<number>();
    for (let i = 1; i < BATCH_ROWS; i++) expect(batcher.add(i, 1)).toBe(false);
    expect(batcher.add(BATCH_ROWS, 1)).toBe(true);
    expect(batcher.take()).toHaveLength(BATCH_ROWS);
    expect(batcher.size).toBe(0);
    expect(batcher.add(1, BATCH_CHARS - 1)).toBe(false);
    expect(batcher.add(2, 1)).toBe(true);
  });
});

describe("decodeText", () => {
  const decodeAll = async (chunks: Buffer[]) => {
    const pieces: string[] = [];
    for await (const piece of Readable.from(chunks).pipe(decodeText("utf-8"))) pieces.push(piece as string);
    return pieces;
  };

  it("decodes a megabyte chunk in pieces of at most 64 KB, characters split between pieces included", async () => {
    // "é" is two bytes: with an odd prefix, every 64 KB boundary falls inside one.
    const text = `x${"é".repeat(600_000)}`;
    const pieces = await decodeAll([Buffer.from(text)]);
    expect(pieces.join("")).toBe(text);
    expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThanOrEqual(64 * 1024);
  });

  it("names the offset of the first invalid byte, in whichever 64 KB piece it is", async () => {
    for (const at of [0, 15, 150_000]) {
      const bytes = Buffer.from("a".repeat(200_000));
      bytes[at] = 0xff;
      await expect(decodeAll([bytes])).rejects.toThrow(new RegExp(`not valid utf-8 text near byte ${at};`));
    }
    // An "é" whose second byte opens the next 64 KB piece, and a bad byte further into that piece.
    const split = Buffer.from(`${"a".repeat(64 * 1024 - 1)}é${"a".repeat(1000)}`);
    split[64 * 1024 + 100] = 0xff;
    await expect(decodeAll([split])).rejects.toThrow(new RegExp(`not valid utf-8 text near byte ${64 * 1024 + 100};`));
    // Bytes that can begin no character, ending a piece, a chunk or the file: named where they are, not one piece on.
    // (F0 may begin a character; the 80 after it may not continue one.)
    for (const [bad, at, length, named] of [[[0xff], 64 * 1024 - 1, 200_000, 64 * 1024 - 1], [[0xf0, 0x80, 0x80], 64 * 1024 - 3, 200_000, 64 * 1024 - 2], [[0xff], 999, 1000, 999]] as const) {
      const bytes = Buffer.from("a".repeat(length));
      bytes.set(bad, at);
      await expect(decodeAll([bytes])).rejects.toThrow(new RegExp(`not valid utf-8 text near byte ${named};`));
    }
    const chunkEnd = Buffer.from("a".repeat(100));
    chunkEnd[99] = 0xff;
    await expect(decodeAll([chunkEnd, Buffer.from("more")])).rejects.toThrow(/not valid utf-8 text near byte 99;/);
  });
});
