import { describe, expect, it } from "vitest";
import { encodeRows, encodeValue, isoTimestamp } from "./copy-encode";

describe("encodeValue (COPY text format)", () => {
  it("writes null and undefined as \\N whatever the type", () => {
    for (const type of ["string", "integer", "number", "boolean", "date", "timestamp", "json"] as const) {
      expect(encodeValue(null, type)).toBe("\\N");
      expect(encodeValue(undefined, type)).toBe("\\N");
    }
  });

  it("escapes backslashes, tabs, newlines and carriage returns in text", () => {
    expect(encodeValue("plain", "string")).toBe("plain");
    expect(encodeValue("a\tb", "string")).toBe("a\\tb");
    expect(encodeValue("line1\nline2", "string")).toBe("line1\\nline2");
    expect(encodeValue("crlf\r\n", "string")).toBe("crlf\\r\\n");
    expect(encodeValue("C:\\path\\to", "string")).toBe("C:\\\\path\\\\to");
    // A literal \N must stay text, not become null.
    expect(encodeValue("\\N", "string")).toBe("\\\\N");
  });

  it("drops NUL bytes, which PostgreSQL text and jsonb cannot hold", () => {
    expect(encodeValue("a\0b", "string")).toBe("ab");
    expect(encodeValue({ k: "a\0b", "n\0": ["\0"] }, "json")).toBe('{"k":"ab","n":[""]}');
    // An escaped backslash followed by the text "u0000" is data, not a NUL.
    expect(encodeValue({ k: "\\u0000" }, "json")).toBe('{"k":"\\\\\\\\u0000"}');
    expect(encodeValue({ k: "\\\0" }, "json")).toBe('{"k":"\\\\\\\\"}');
  });

  it("encodes booleans as t / f", () => {
    expect(encodeValue(true, "boolean")).toBe("t");
    expect(encodeValue(false, "boolean")).toBe("f");
    expect(encodeValue("true", "boolean")).toBe("t");
    expect(encodeValue("false", "boolean")).toBe("f");
    expect(encodeValue("yes", "boolean")).toBe("yes");
  });

  it("encodes json with its escapes doubled for COPY", () => {
    expect(encodeValue({ a: 1, b: [true, null] }, "json")).toBe('{"a":1,"b":[true,null]}');
    expect(encodeValue(["tab\there"], "json")).toBe('["tab\\\\there"]');
    expect(encodeValue({ path: "C:\\x" }, "json")).toBe('{"path":"C:\\\\\\\\x"}');
    expect(encodeValue("text", "json")).toBe('"text"');
  });

  it("writes numbers, including non-finite doubles", () => {
    expect(encodeValue(42, "integer")).toBe("42");
    expect(encodeValue(12345678901234567890n, "integer")).toBe("12345678901234567890");
    expect(encodeValue(1.5, "number")).toBe("1.5");
    expect(encodeValue(1e21, "number")).toBe("1e+21");
    expect(encodeValue(Number.NaN, "number")).toBe("NaN");
    expect(encodeValue(Number.POSITIVE_INFINITY, "number")).toBe("Infinity");
    expect(encodeValue(Number.NEGATIVE_INFINITY, "number")).toBe("-Infinity");
  });

  it("writes dates as ISO 8601 and passes date strings through", () => {
    expect(encodeValue(new Date("2024-01-02T03:04:05.678Z"), "timestamp")).toBe("2024-01-02T03:04:05.678Z");
    expect(encodeValue("2024-01-02T03:04:05+02:00", "timestamp")).toBe("2024-01-02T03:04:05+02:00");
    expect(encodeValue("2024-01-02", "date")).toBe("2024-01-02");
  });

  it("stringifies objects that land in a text column", () => {
    expect(encodeValue({ a: "x\ny" }, "string")).toBe('{"a":"x\\\\ny"}');
    expect(encodeValue(12, "string")).toBe("12");
  });
});

describe("encodeRows", () => {
  it("numbers the rows and encodes each column by its type, as encodeValue does", () => {
    const columns = [
      [1, 2, null, 9007199254740993n],
      [1.5, Number.NaN, Infinity, null],
      ["a\tb", null, "\\N", { k: 1 }],
      [new Date("2024-01-02T03:04:05.678Z"), "2024-01-02", null, new Date(0)],
      [true, false, null, "true"],
      [{ a: [1] }, null, "x", 2],
    ];
    const types = ["integer", "number", "string", "timestamp", "boolean", "json"] as const;
    const text = encodeRows(columns, types, 1, 4, 10);
    const expected = [1, 2, 3].map((row, i) => [String(10 + i), ...columns.map((values, c) => encodeValue(values[row], types[c]!))].join("\t"));
    expect(text).toBe(`${expected.join("\n")}\n`);
    expect(text.split("\n")[0]).toBe("10\t2\tNaN\t\\N\t2024-01-02\tf\t\\N");
  });
});

describe("isoTimestamp", () => {
  it("writes what toISOString writes, across leap years, centuries and the ends of the supported range", () => {
    const instants = [0, -1, 951_782_400_000, 951_868_799_999, 4_102_444_800_000 - 1, Date.UTC(1000, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999)];
    for (let ms = Date.UTC(1000, 0, 1); ms < Date.UTC(9999, 0, 1); ms += 86_400_000 * 97.3 + 123_457) instants.push(Math.floor(ms));
    for (const ms of instants) expect(isoTimestamp(new Date(ms))).toBe(new Date(ms).toISOString());
  });

  it("leaves years outside 1000-9999, and invalid dates, to toISOString", () => {
    expect(isoTimestamp(new Date(Date.UTC(999, 11, 31)))).toBe("0999-12-31T00:00:00.000Z");
    expect(isoTimestamp(new Date(Date.UTC(10_000, 0, 1)))).toBe("+010000-01-01T00:00:00.000Z");
    expect(() => isoTimestamp(new Date(Number.NaN))).toThrow(RangeError);
  });
});
