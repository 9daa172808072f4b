import { describe, expect, it } from "vitest";
import { cellValue, columnLetter } from "./file-xlsx";

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
