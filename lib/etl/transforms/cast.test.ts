import { describe, expect, it } from "vitest";
import type { ColumnType } from "@/lib/schemas/jobs";
import { castValue, describeValue } from "./cast";

const ok = (type: ColumnType, cases: [unknown, unknown][]) =>
  it.each(cases)(`${type}: %s → %s`, (value, expected) => {
    expect(castValue(value, type)).toEqual(expected);
  });

const refused = (type: ColumnType, cases: [unknown, string][]) =>
  it.each(cases)(`${type}: refuses %s`, (value, message) => {
    expect(() => castValue(value, type)).toThrow(message);
  });

describe("castValue", () => {
  it("keeps null and undefined as null for every type", () => {
    for (const type of ["string", "integer", "number", "boolean", "date", "timestamp", "json"] as const) {
      expect(castValue(null, type)).toBeNull();
      expect(castValue(undefined, type)).toBeNull();
    }
  });

  it("reads an empty string as null except for string", () => {
    expect(castValue("", "string")).toBe("");
    for (const type of ["integer", "number", "boolean", "date", "timestamp", "json"] as const) expect(castValue("", type)).toBeNull();
  });

  ok("string", [
    ["00123", "00123"],
    [42, "42"],
    [1.5, "1.5"],
    [true, "true"],
    [12n, "12"],
    [new Date("2024-01-02T03:04:05Z"), "2024-01-02T03:04:05.000Z"],
    [{ a: [1, "x"] }, '{"a":[1,"x"]}'],
    [[1, 2], "[1,2]"],
  ]);

  ok("integer", [
    [42, 42],
    [-7, -7],
    [3.0, 3],
    ["  17 ", 17],
    ["+5", 5],
    ["-0012", -12],
    ["1e3", 1000],
    ["4.0", 4],
    [true, 1],
    [false, 0],
    ["9007199254740993", 9007199254740993n],
    ["-9223372036854775808", -9223372036854775808n],
    [2 ** 60, 2n ** 60n],
    [12n, 12n],
  ]);
  refused("integer", [
    [3.5, 'cannot cast 3.5 to integer (it has a fractional part)'],
    ["3.5", 'cannot cast "3.5" to integer (it has a fractional part)'],
    ["12abc", 'cannot cast "12abc" to integer'],
    ["9223372036854775808", 'cannot cast "9223372036854775808" to integer (out of the 64-bit range)'],
    [Number.NaN, "cannot cast NaN to integer"],
    [{ a: 1 }, 'cannot cast {"a":1} to integer'],
  ]);

  ok("number", [
    [1.5, 1.5],
    [" 2.50 ", 2.5],
    ["-.5", -0.5],
    ["1e-3", 0.001],
    ["6.02E23", 6.02e23],
    ["NaN", Number.NaN],
    ["-Infinity", -Infinity],
    [true, 1],
    [10n, 10],
  ]);
  refused("number", [
    ["1,234.5", 'cannot cast "1,234.5" to number'],
    ["0x10", 'cannot cast "0x10" to number'],
    ["abc", 'cannot cast "abc" to number'],
    [[1], "cannot cast [1] to number"],
  ]);

  ok("boolean", [
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    ["TRUE", true],
    [" yes ", true],
    ["y", true],
    ["on", true],
    ["1", true],
    ["False", false],
    ["n", false],
    ["off", false],
    ["0", false],
  ]);
  refused("boolean", [
    [2, "cannot cast 2 to boolean"],
    ["maybe", 'cannot cast "maybe" to boolean'],
  ]);

  ok("date", [
    ["2024-02-29", "2024-02-29"],
    [" 2024-01-31 ", "2024-01-31"],
    ["2024-01-02T23:30:00-05:00", "2024-01-02"],
    ["2024-01-02 10:00", "2024-01-02"],
    [new Date("2024-01-02T03:04:05Z"), "2024-01-02"],
  ]);
  refused("date", [
    ["2023-02-29", 'cannot cast "2023-02-29" to date (expected an ISO 8601 date like 2024-01-31)'],
    ["03/04/2024", 'cannot cast "03/04/2024" to date'],
    [20240101, "cannot cast 20240101 to date"],
  ]);

  ok("timestamp", [
    ["2024-01-02T03:04:05Z", new Date("2024-01-02T03:04:05Z")],
    ["2024-01-02T03:04:05.123+02:00", new Date("2024-01-02T01:04:05.123Z")],
    ["2024-01-02T03:04:05-0530", new Date("2024-01-02T08:34:05Z")],
    // Without a zone, UTC: the server's time zone must not change the data.
    ["2024-01-02T03:04:05", new Date("2024-01-02T03:04:05Z")],
    ["2024-01-02 03:04", new Date("2024-01-02T03:04:00Z")],
    ["2024-01-02", new Date("2024-01-02T00:00:00Z")],
    [1704164645000, new Date("2024-01-02T03:04:05Z")],
    [new Date(0), new Date(0)],
    ["2024-02-29T23:59:59.999Z", new Date("2024-02-29T23:59:59.999Z")],
    ["2000-02-29 00:00:00z", new Date("2000-02-29T00:00:00Z")],
    ["0999-12-31T00:00:00Z", new Date("0999-12-31T00:00:00Z")],
  ]);
  refused("timestamp", [
    ["2023-02-29T00:00:00Z", 'cannot cast "2023-02-29T00:00:00Z" to timestamp'],
    ["1900-02-29T00:00:00.000Z", 'cannot cast "1900-02-29T00:00:00.000Z" to timestamp'],
    ["2024-04-31T00:00:00Z", 'cannot cast "2024-04-31T00:00:00Z" to timestamp'],
    ["2024-13-01T00:00:00Z", 'cannot cast "2024-13-01T00:00:00Z" to timestamp'],
    ["2024-01-02T23:60:00Z", 'cannot cast "2024-01-02T23:60:00Z" to timestamp'],
    ["2024-01-02T23:00:0xZ", 'cannot cast "2024-01-02T23:00:0xZ" to timestamp'],
    ["2024-01-02T24:00:00Z", 'cannot cast "2024-01-02T24:00:00Z" to timestamp (expected an ISO 8601 timestamp like 2024-01-31T12:00:00Z)'],
    ["yesterday", 'cannot cast "yesterday" to timestamp'],
    [new Date(Number.NaN), "cannot cast an invalid date to timestamp"],
    [true, "cannot cast true to timestamp"],
  ]);

  ok("json", [
    ['{"a":1}', { a: 1 }],
    ["[1,2]", [1, 2]],
    ["3", 3],
    [{ a: 1 }, { a: 1 }],
    [5, 5],
    [new Date(0), "1970-01-01T00:00:00.000Z"],
  ]);
  refused("json", [["{oops", 'cannot cast "{oops" to json (not valid JSON)']]);
});

// Timestamps written as toISOString writes them are read digit by digit; every one must come out
// as the general ISO 8601 reading (Date's own parser) has it.
it("reads toISOString's form exactly as Date does, over a range of instants", () => {
  for (let ms = Date.UTC(1899, 0, 1); ms < Date.UTC(2101, 0, 1); ms += 86_400_000 * 7.3 + 1234) {
    const text = new Date(ms).toISOString();
    expect((castValue(text, "timestamp") as Date).getTime()).toBe(ms);
    expect((castValue(text.replace(/\.\d{3}/, ""), "timestamp") as Date).getTime()).toBe(Math.floor(ms / 1000) * 1000);
  }
});

describe("describeValue", () => {
  it("shortens long values", () => {
    expect(describeValue("x".repeat(100))).toBe(`"${"x".repeat(76)}...`);
    expect(describeValue(undefined)).toBe("undefined");
  });
});
