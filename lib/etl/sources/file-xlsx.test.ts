import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { Readable } from "node:stream";
import ExcelJS from "exceljs";
import { cellValue, columnLetter, extractXlsx } from "./file-xlsx";

describe("columnLetter", () => {
  it.each([
    [0, "A"],
    [25, "Z"],
    [26, "AA"],
    [27, "AB"],
    [701, "ZZ"],
    [702, "AAA"],
  ])("%i → %s", (index, letter) => {
    expect(columnLetter(index)).toBe(letter);
  });
});

describe("cellValue", () => {
  it("reduces exceljs cell values to plain values", () => {
    const date = new Date(Date.UTC(2024, 0, 2));
    expect(cellValue(null)).toBeNull();
    expect(cellValue(undefined)).toBeNull();
    expect(cellValue("")).toBeNull();
    expect(cellValue("text")).toBe("text");
    expect(cellValue(3.5)).toBe(3.5);
    expect(cellValue(true)).toBe(true);
    expect(cellValue(date)).toBe(date);
    expect(cellValue({ formula: "A1*2", result: 7 })).toBe(7);
    expect(cellValue({ sharedFormula: "A1", result: "x" })).toBe("x");
    expect(cellValue({ formula: "NOW()" })).toBeNull();
    expect(cellValue({ richText: [{ text: "Bo" }, { text: "b" }] })).toBe("Bob");
    expect(cellValue({ text: "site", hyperlink: "https://example.com" })).toBe("site");
    expect(cellValue({ error: "#N/A" })).toBeNull();
  });
});

describe("extractXlsx against zip bombs", () => {
  it("stops reading once the workbook inflates past the limit, whatever the archive declares", async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet("S");
    sheet.addRow(["text", "n"]);
    for (let i = 0; i < 60_000; i++) sheet.addRow(["the same text, which compresses very well", i]);
    const bytes = Buffer.from(await book.xlsx.writeBuffer());
    const source = { type: "file", fileId: "00000000-0000-4000-8000-000000000000", format: "xlsx", sheet: 0, headerRow: 1 } as const;

    let rows = 0;
    for await (const batch of extractXlsx(source, Readable.from([bytes]), false)) rows += batch.length;
    expect(rows).toBe(60_000);

    const read = async () => {
      for await (const batch of extractXlsx(source, Readable.from([bytes]), false, 1024 * 1024)) void batch;
    };
    await expect(read()).rejects.toThrow(
      "The workbook expands to more than 1048576 bytes when unzipped (at xl/worksheets/sheet1.xml); it is refused as a possible zip bomb (XLSX_MAX_UNCOMPRESSED_BYTES).",
    );
  }, 30_000);
});

describe("extractXlsx column names", () => {
  const source = (headerRow: number) => ({ type: "file", fileId: "00000000-0000-4000-8000-000000000000", format: "xlsx", sheet: 0, headerRow }) as const;

  async function records(rows: unknown[][], headerRow: number): Promise<unknown[]> {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet("S");
    // Cells set one by one, so that a null leaves the cell out of the file, as Excel does.
    rows.forEach((row, r) => row.forEach((value, c) => value !== null && (sheet.getCell(r + 1, c + 1).value = value as ExcelJS.CellValue)));
    const bytes = Buffer.from(await book.xlsx.writeBuffer());
    const read: unknown[] = [];
    for await (const batch of extractXlsx(source(headerRow), Readable.from([bytes]), false)) read.push(...batch);
    return read;
  }

  it("names a missing or empty header cell and a column past the header as the CSV reader does", async () => {
    const when = new Date(Date.UTC(2024, 0, 1));
    expect(await records([["id", "when", null, "amount", ""], [1, when, "x", 2.5, "y", "past"]], 1)).toEqual([
      { id: 1, when, column_3: "x", amount: 2.5, column_5: "y", column_6: "past" },
    ]);
  });

  it("suffixes a positional name that a header cell already holds", async () => {
    expect(await records([["column_2", null], [1, 2, 3]], 1)).toEqual([{ column_2: 1, column_2_2: 2, column_3: 3 }]);
  });

  it("names columns A, B, … without a header row", async () => {
    expect(await records([[1, null, "x"]], 0)).toEqual([{ A: 1, B: null, C: "x" }]);
  });
});

/** The temporary files exceljs (through the tmp package) made in this process and left in place. */
const temporaryFiles = () => readdirSync(tmpdir()).filter((name) => name.startsWith(`tmp-${process.pid}-`));

describe("extractXlsx sheet choice", () => {
  it("leaves no temporary file of exceljs open, whichever sheet it reads and whether it previews", async () => {
    // exceljs writes the shared strings after the sheets: a reader keeps each sheet in a temporary
    // file, deleted as soon as the next sheet is asked for.
    const book = new ExcelJS.Workbook();
    for (const name of ["First", "Second", "Third", "Fourth"]) {
      const sheet = book.addWorksheet(name);
      sheet.addRow(["id", "name"]);
      for (let i = 0; i < 2000; i++) sheet.addRow([i, `${name} ${i}`]);
    }
    const bytes = Buffer.from(await book.xlsx.writeBuffer());
    const source = (sheet: string) => ({ type: "file", fileId: "00000000-0000-4000-8000-000000000000", format: "xlsx", sheet, headerRow: 1 }) as const;
    const read = async (sheet: string, sampleOnly = false) => {
      const rows: unknown[] = [];
      for await (const batch of extractXlsx(source(sheet), Readable.from([bytes]), sampleOnly)) rows.push(...batch);
      return rows;
    };
    expect(await read("Fourth")).toHaveLength(2000);
    const openFiles = () => readdirSync("/proc/self/fd").length;
    const before = openFiles();
    for (let attempt = 0; attempt < 5; attempt++) {
      await expect(read("Missing")).rejects.toThrow('The workbook has no worksheet "Missing"; it has "First", "Second", "Third", "Fourth".');
      // The sheet read, and those after it, were each left in an open temporary file until the thread ended.
      expect(await read("First")).toContainEqual({ id: 1999, name: "First 1999" });
      expect((await read("Second", true))[0]).toEqual({ id: 0, name: "Second 0" });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    // A sheet passed over unopened kept its file open for good (or failed to open it, uncaught, once deleted).
    expect(openFiles() - before).toBeLessThanOrEqual(2);
    expect(temporaryFiles()).toEqual([]);
  }, 30_000);

  it("removes exceljs's temporary files of a read that fails or is stopped part-way", async () => {
    // exceljs writes the sheets before the shared strings: each goes to a temporary file first.
    const book = new ExcelJS.Workbook();
    for (const name of ["First", "Second"]) {
      const sheet = book.addWorksheet(name);
      sheet.addRow(["id", "text"]);
      for (let i = 0; i < 5000; i++) sheet.addRow([i, `the same text, which compresses very well ${name}`]);
    }
    const bytes = Buffer.from(await book.xlsx.writeBuffer());
    const source = { type: "file", fileId: "00000000-0000-4000-8000-000000000000", format: "xlsx", sheet: "Second", headerRow: 1 } as const;
    const openFiles = () => readdirSync("/proc/self/fd").length;
    const before = openFiles();
    // In pieces, as a stored file arrives: a parser whose input is destroyed mid-way never ends.
    const pieces = () => Readable.from(Array.from({ length: Math.ceil(bytes.length / 4096) }, (_, i) => bytes.subarray(i * 4096, (i + 1) * 4096)));
    for (let attempt = 0; attempt < 5; attempt++) {
      // The zip-bomb guard trips inside the second sheet, once the first is in its temporary file.
      for (const input of [Readable.from([bytes]), pieces()]) {
        const bomb = async () => {
          for await (const batch of extractXlsx(source, input, false, 400_000)) void batch;
        };
        await expect(bomb()).rejects.toThrow(/refused as a possible zip bomb/);
      }
      // A reader that stops after the first batch: the generator is returned, not run to its end.
      const rows = extractXlsx({ ...source, sheet: "First" }, Readable.from([bytes]), false);
      expect(((await rows.next()).value as unknown[]).length).toBe(5000);
      await rows.return(undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(openFiles() - before).toBeLessThanOrEqual(2);
    expect(temporaryFiles()).toEqual([]);
  }, 30_000);
});
