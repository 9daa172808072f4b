import { describe, expect, it } from "vitest";
import { bigintValue, numericValue } from "./values";

describe("numericValue", () => {
  it.each<[string, number | string]>([
    ["10.50", 10.5],
    ["-0.000123", -0.000123],
    ["0", 0],
    ["123456789012345", 123456789012345],
    // 16 significant digits may not survive a double: kept as the server wrote them.
    ["1234567890123456", "1234567890123456"],
    ["0.1234567890123456", "0.1234567890123456"],
    ["123456789012345678901234567890", "123456789012345678901234567890"],
    ["NaN", "NaN"],
    ["Infinity", "Infinity"],
  ])("%s → %o", (text, value) => {
    expect(numericValue(text)).toBe(value);
  });
});

describe("bigintValue", () => {
  it("keeps integers past 2^53 as text", () => {
    expect(bigintValue("9007199254740991")).toBe(9007199254740991);
    expect(bigintValue("9007199254740993")).toBe("9007199254740993");
    expect(bigintValue("-42")).toBe(-42);
  });
});
