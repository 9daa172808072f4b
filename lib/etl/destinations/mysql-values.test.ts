import { describe, expect, it } from "vitest";
import { EtlError } from "@/lib/etl/errors";
import { mysqlLiteral } from "./mysql-values";
import { utcWallClock } from "./utc-wall-clock";

describe("utcWallClock", () => {
  it.each([
    ["2024-01-02T03:04:05Z", "2024-01-02 03:04:05"],
    ["2024-01-02T03:04:05.123456789Z", "2024-01-02 03:04:05.123456"],
    ["2024-01-02 03:04:05.5+00", "2024-01-02 03:04:05.5"],
    ["2024-01-03T10:00:00+02:00", "2024-01-03 08:00:00"],
    ["2024-01-01T01:30:00.25+0230", "2023-12-31 23:00:00.25"],
    ["2024-12-31T23:45:00-01:00", "2025-01-01 00:45:00"],
    ["2024-01-04 08:30", "2024-01-04 08:30:00"],
    ["2024-02-01", "2024-02-01"],
    ["not a date", "not a date"],
  ])("%s → %s", (input, expected) => {
    expect(utcWallClock(input)).toBe(expected);
  });

  it("formats a Date in UTC", () => {
    expect(utcWallClock(new Date("2024-05-06T07:08:09.010Z"))).toBe("2024-05-06 07:08:09.010");
  });
});

describe("mysqlLiteral", () => {
  const escape = (text: string) => `'${text.replace(/'/g, "''")}'`;
  it("writes each kind of value as MySQL reads it", () => {
    expect(mysqlLiteral(null, escape, "c")).toBe("NULL");
    expect(mysqlLiteral(undefined, escape, "c")).toBe("NULL");
    expect(mysqlLiteral(true, escape, "c")).toBe("1");
    expect(mysqlLiteral(false, escape, "c")).toBe("0");
    expect(mysqlLiteral(-1.25, escape, "c")).toBe("-1.25");
    expect(mysqlLiteral(9007199254740993n, escape, "c")).toBe("9007199254740993");
    expect(mysqlLiteral("it's", escape, "c")).toBe("'it''s'");
    expect(mysqlLiteral({ a: [1, "x"] }, escape, "c")).toBe(`'{"a":[1,"x"]}'`);
    expect(mysqlLiteral(["v"], escape, "c")).toBe(`'["v"]'`);
  });

  it("refuses what MySQL cannot store, naming the column", () => {
    expect(() => mysqlLiteral(Number.NaN, escape, "ratio")).toThrow(new EtlError('Column "ratio" holds NaN, which MySQL cannot store.', true));
  });
});
