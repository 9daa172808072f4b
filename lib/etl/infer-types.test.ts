import { describe, expect, it } from "vitest";
import { inferColumnType, mergeTypes, parseText, pgTypes, textType, valueType } from "./infer-types";

describe("valueType", () => {
  it.each([
    [null, null],
    [undefined, null],
    [true, "boolean"],
    [0, "integer"],
    [-42, "integer"],
    [1.5, "number"],
    [2 ** 53, "number"],
    [Number.NaN, "number"],
    [12n, "integer"],
    [2n ** 64n, "string"],
    ["hello", "string"],
    ["", "string"],
    ["2024-02-29", "date"],
    ["2024-13-01", "string"],
    ["2024-01-32", "string"],
    ["03/04/2024", "string"],
    ["2024-01-02T03:04:05Z", "timestamp"],
    ["2024-01-02T03:04:05.123456+02:00", "timestamp"],
    ["2024-01-02T03:04:05-0530", "timestamp"],
    ["2024-01-02 03:04", "timestamp"],
    ["2024-01-02T03:04:05", "timestamp"],
    ["2024-01-02T24:00:00Z", "string"],
    ["2024-01-02T03:04:05 UTC", "string"],
    [new Date(0), "timestamp"],
    [{ a: 1 }, "json"],
    [[1, 2], "json"],
  ])("%s → %s", (value, expected) => {
    expect(valueType(value)).toBe(expected);
  });
});

describe("mergeTypes", () => {
  it("widens integers to numbers and dates to timestamps, anything else to strings", () => {
    expect(mergeTypes(null, "integer")).toBe("integer");
    expect(mergeTypes("integer", null)).toBe("integer");
    expect(mergeTypes("integer", "integer")).toBe("integer");
    expect(mergeTypes("integer", "number")).toBe("number");
    expect(mergeTypes("number", "integer")).toBe("number");
    expect(mergeTypes("date", "timestamp")).toBe("timestamp");
    expect(mergeTypes("timestamp", "date")).toBe("timestamp");
    expect(mergeTypes("integer", "boolean")).toBe("string");
    expect(mergeTypes("json", "string")).toBe("string");
    expect(mergeTypes("date", "integer")).toBe("string");
  });
});

describe("inferColumnType", () => {
  it("mixes ints and floats into number", () => {
    expect(inferColumnType([1, 2, 3])).toBe("integer");
    expect(inferColumnType([1, 2.5, 3])).toBe("number");
  });

  it("recognises ISO dates and timestamps with and without zones", () => {
    expect(inferColumnType(["2024-01-01", "2024-12-31"])).toBe("date");
    expect(inferColumnType(["2024-01-01T00:00:00Z", "2024-01-01T10:00:00+01:00", "2024-01-01 10:00:00"])).toBe("timestamp");
    expect(inferColumnType(["2024-01-01", "2024-01-02T10:00:00Z"])).toBe("timestamp");
  });

  it("falls back to string on any other mix", () => {
    expect(inferColumnType(["2024-01-01", "soon"])).toBe("string");
    expect(inferColumnType([1, "1"])).toBe("string");
    expect(inferColumnType([true, 1])).toBe("string");
    expect(inferColumnType([{ a: 1 }, "x"])).toBe("string");
  });

  it("types objects and arrays as json", () => {
    expect(inferColumnType([{ a: 1 }, [1], null])).toBe("json");
  });

  it("ignores nulls and answers null for a column of nulls only", () => {
    expect(inferColumnType([null, 3, undefined, 4])).toBe("integer");
    expect(inferColumnType([null, undefined])).toBeNull();
    expect(inferColumnType([])).toBeNull();
  });

  it("works on typed arrays from arquero", () => {
    expect(inferColumnType(new Float64Array([1, 2.5]))).toBe("number");
    expect(inferColumnType(new Int32Array([1, 2]))).toBe("integer");
  });
});

describe("pgTypes", () => {
  it("maps every column type to a PostgreSQL type", () => {
    expect(pgTypes).toEqual({
      integer: "bigint",
      number: "double precision",
      boolean: "boolean",
      date: "date",
      timestamp: "timestamptz",
      string: "text",
      json: "jsonb",
    });
  });
});

describe("textual mode (values read from text, like CSV)", () => {
  it.each([
    ["42", "integer"],
    ["-7", "integer"],
    ["0", "integer"],
    ["007", "string"],
    ["+1", "string"],
    ["12345678901234567890", "string"],
    ["1.5", "number"],
    ["-0.25", "number"],
    ["1e3", "number"],
    ["1,5", "string"],
    [".5", "string"],
    ["1.", "string"],
    ["true", "boolean"],
    ["FALSE", "boolean"],
    ["yes", "string"],
    ["2024-01-02", "date"],
    ["2024-01-02T03:04:05Z", "timestamp"],
    ["", null],
  ])("%j → %s", (text, expected) => {
    expect(textType(text)).toBe(expected);
  });

  it("infers columns from text without changing typed inference", () => {
    expect(inferColumnType(["1", "2", ""], "textual")).toBe("integer");
    expect(inferColumnType(["1", "2.5"], "textual")).toBe("number");
    expect(inferColumnType(["1", "007"], "textual")).toBe("string");
    expect(inferColumnType(["true", "false"], "textual")).toBe("boolean");
    expect(inferColumnType(["", ""], "textual")).toBeNull();
    // JSON sources keep their own types: a string is a string.
    expect(inferColumnType(["1", "2"])).toBe("string");
    expect(inferColumnType(["true"])).toBe("string");
    expect(inferColumnType([""])).toBe("string");
  });

  it("converts text by its column's type", () => {
    expect(parseText("42", "integer")).toBe(42);
    expect(parseText("2", "number")).toBe(2);
    expect(parseText("TRUE", "boolean")).toBe(true);
    expect(parseText("false", "boolean")).toBe(false);
    expect(parseText("007", "string")).toBe("007");
    expect(parseText("2024-01-02", "date")).toBe("2024-01-02");
    expect(parseText("", "integer")).toBeNull();
  });
});

describe("inferColumnType on the edge cases preview and datasets must agree on", () => {
  it("keeps IDs with leading zeros as strings, whatever else the column holds", () => {
    expect(inferColumnType(["00123", "00456"])).toBe("string");
    expect(inferColumnType(["00123", "456"], "textual")).toBe("string");
    expect(inferColumnType(["0", "10"], "textual")).toBe("integer");
  });

  it("widens mixed integers and floats to number, in either order", () => {
    expect(inferColumnType([2.5, 1])).toBe("number");
    expect(inferColumnType(["1", "2.5"], "textual")).toBe("number");
  });

  it("treats ISO timestamps with and without zones alike, and dates with them as timestamps", () => {
    expect(inferColumnType(["2024-01-01T00:00:00", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00+05:30"])).toBe("timestamp");
    expect(inferColumnType(["2024-01-01", null, "2024-01-01T12:00:00-08:00"])).toBe("timestamp");
  });

  it("counts an empty string as a value in typed data and as no value in text", () => {
    expect(inferColumnType(["", 1])).toBe("string");
    expect(inferColumnType(["", "1"], "textual")).toBe("integer");
  });
});
