import { describe, expect, it } from "vitest";
import type { ColumnType } from "@/lib/schemas/jobs";
import { encodeRows, encodeRowsBinary, encodeValue } from "./copy-encode";

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

  it("writes a Date as ISO 8601 whatever column it lands in, as the preview shows it, and an invalid one as null", () => {
    const date = new Date("2024-01-01T00:00:00Z");
    for (const type of ["string", "timestamp", "date"] as const) expect(encodeValue(date, type)).toBe("2024-01-01T00:00:00.000Z");
    expect(encodeValue(date, "json")).toBe('"2024-01-01T00:00:00.000Z"');
    expect(encodeValue({ at: date }, "string")).toBe('{"at":"2024-01-01T00:00:00.000Z"}');
    expect(encodeValue({ at: date }, "json")).toBe('{"at":"2024-01-01T00:00:00.000Z"}');
    for (const type of ["string", "timestamp", "date"] as const) expect(encodeValue(new Date(Number.NaN), type)).toBe("\\N");
  });

  it("stringifies objects that land in a text column", () => {
    expect(encodeValue({ a: "x\ny" }, "string")).toBe('{"a":"x\\\\ny"}');
    expect(encodeValue(12, "string")).toBe("12");
  });
});

describe("encodeRows", () => {
  const lines = (columns: unknown[][], types: readonly ColumnType[], rows: number[], firstRow: number) =>
    rows.map((row, i) => [String(firstRow + i), ...columns.map((values, c) => encodeValue(values[row], types[c]!))].join("\t") + "\n").join("");

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
    const bytes = encodeRows(columns, types, 1, 4, 10);
    expect(bytes.toString("utf8")).toBe(lines(columns, types, [1, 2, 3], 10));
    expect(bytes.toString("utf8").split("\n")[0]).toBe("10\t2\tNaN\t\\N\t2024-01-02\tf\t\\N");
  });

  it("writes numbers as String does, text in UTF-8 with its escapes, and grows past its first estimate", () => {
    const numbers = [0, -0, 7, -7, 999_999_999, -999_999_999, 1e9, 2 ** 31, -(2 ** 53), 2 ** 53 + 2, 0.1, -1.5e-7, 1e21, 123.456, Number.MIN_VALUE];
    const texts = ["", "plain", "tab\tnew\nline\rret\\back", "nul\0byte", "\u0001ctl\u000b", "Zürich", "São Paulo 🚀", "x".repeat(47) + "\t", "y".repeat(49) + "é\n", "\\N", "a".repeat(5000)];
    const columns: unknown[][] = [numbers, numbers.map((n) => (Number.isInteger(n) ? n : Math.round(n))), [...texts, ...texts].slice(0, numbers.length)];
    const types = ["number", "integer", "string"] as const;
    const rows = numbers.map((_, i) => i);
    const bytes = encodeRows(columns, types, 0, numbers.length, 1);
    expect(bytes.toString("utf8")).toBe(lines(columns, types, rows, 1));
    const long = encodeRows([texts], ["string"], 0, texts.length, 1_000_000_000_000);
    expect(long.toString("utf8")).toBe(lines([texts], ["string"], texts.map((_, i) => i), 1_000_000_000_000));
  });

  it("writes decimals in the digits String writes, or others that read back as the same double", () => {
    const values: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const places = i % 8;
      const value = (Math.random() - 0.3) * 10 ** (i % 11);
      values.push(i % 3 === 0 ? value : Math.round(value * 10 ** places) / 10 ** places);
    }
    values.push(0.1, 0.2 + 0.1, 1e-6, 1e-7, 999_999_999.999999, -999_999_999.5, 123_456_789.123456, 0.000123);
    const written = encodeRows([values], ["number"], 0, values.length, 1).toString("utf8").split("\n");
    let same = 0;
    values.forEach((value, i) => {
      const text = written[i]!.split("\t")[1]!;
      expect(Number(text) === value, `${text} for ${value}`).toBe(true);
      expect(text).toMatch(/^-?\d+(\.\d+)?(e[+-]\d+)?$/);
      if (text === String(value)) same++;
    });
    // Where both are written the plain way, they are the same digits.
    expect(same).toBe(values.length);
  });

  it("writes timestamps as toISOString does, across leap years, centuries and past the years 1000-9999", () => {
    const instants = [0, -1, 951_782_400_000, 951_868_799_999, 4_102_444_800_000 - 1, Date.UTC(1000, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999)];
    for (let ms = Date.UTC(1000, 0, 1); ms < Date.UTC(9999, 0, 1); ms += 86_400_000 * 97.3 + 123_457) instants.push(Math.floor(ms));
    instants.push(Date.UTC(999, 11, 31), Date.UTC(10_000, 0, 1), Date.UTC(-5, 0, 1));
    const dates = instants.map((ms) => new Date(ms));
    const text = encodeRows([dates], ["timestamp"], 0, dates.length, 1).toString("utf8");
    expect(text).toBe(dates.map((date, i) => `${i + 1}\t${date.toISOString()}\n`).join(""));
    // The preview shows an invalid Date as null (its JSON): so does the load.
    expect(encodeRows([[new Date(Number.NaN)]], ["timestamp"], 0, 1, 1).toString("utf8")).toBe("1\t\\N\n");
  });

  it("writes a Date among text in a text column as ISO 8601", () => {
    const mixed = [new Date("2024-01-01T00:00:00Z"), "n/a", new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999))];
    expect(encodeRows([mixed], ["string"], 0, 3, 1).toString("utf8")).toBe("1\t2024-01-01T00:00:00.000Z\n2\tn/a\n3\t1999-12-31T23:59:59.999Z\n");
  });
});

describe("encodeRowsBinary", () => {
  it("writes a Date in a text column as its ISO 8601 text, as encodeRows does", () => {
    const iso = "2024-01-01T00:00:00.000Z";
    const bytes = encodeRowsBinary([[new Date(iso)]], ["string"], 0, 1, 1);
    const field = Buffer.alloc(4);
    field.writeInt32BE(iso.length);
    // Field count (_row and the column), _row as an 8-byte integer, then the text with its length.
    const row = Buffer.concat([Buffer.from([0, 2, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1]), field, Buffer.from(iso)]);
    expect(bytes).toEqual(row);
  });
});
