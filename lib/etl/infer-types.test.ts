import { describe, expect, it } from "vitest";
import { columnTypes, type ColumnType } from "@/lib/schemas/jobs";
import { inferColumnType, mergeTypes, pgTypes, typeTextColumn, valueType } from "./infer-types";

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

  it("keeps strings as strings, except ISO dates and timestamps", () => {
    expect(inferColumnType(["1", "2"])).toBe("string");
    expect(inferColumnType(["true"])).toBe("string");
    expect(inferColumnType([""])).toBe("string");
    expect(inferColumnType(["2024-01-02", "2024-01-02T03:04"])).toBe("timestamp");
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

describe("typeTextColumn (values read from text, like CSV)", () => {
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
    ["1e400", "string"],
    ["1,5", "string"],
    [".5", "string"],
    ["1.", "string"],
    ["true", "boolean"],
    ["FALSE", "boolean"],
    ["yes", "string"],
    // Dates stay text here: their type is read where types are read (inferColumnType).
    ["2024-01-02", "string"],
    ["2024-01-02T03:04:05Z", "string"],
    ["", null],
  ])("%j → %s", (text, expected) => {
    expect(typeTextColumn([text])).toBe(expected);
  });

  it("infers a column's type over all its cells", () => {
    expect(typeTextColumn(["1", "2", ""])).toBe("integer");
    expect(typeTextColumn(["1", "2.5"])).toBe("number");
    expect(typeTextColumn(["1", "007"])).toBe("string");
    expect(typeTextColumn(["true", "false"])).toBe("boolean");
    expect(typeTextColumn(["2024-01-02", "2024-01-02 03:04"])).toBe("string");
    expect(inferColumnType(["2024-01-02", "2024-01-02 03:04"])).toBe("timestamp");
    expect(typeTextColumn(["", ""])).toBeNull();
  });

  it("converts the cells in place by their column's type", () => {
    const cases: [unknown[], unknown[]][] = [
      [["42", "", "-7"], [42, null, -7]],
      [["2", "2.5", "1e3"], [2, 2.5, 1000]],
      [["TRUE", "false", ""], [true, false, null]],
      [["007", "8", ""], ["007", "8", null]],
      [["2024-01-02", ""], ["2024-01-02", null]],
      [["", ""], [null, null]],
    ];
    for (const [cells, values] of cases) {
      typeTextColumn(cells);
      expect(cells).toEqual(values);
    }
  });
});

describe("type inference on the edge cases preview and datasets must agree on", () => {
  it("keeps IDs with leading zeros as strings, whatever else the column holds", () => {
    expect(inferColumnType(["00123", "00456"])).toBe("string");
    expect(typeTextColumn(["00123", "456"])).toBe("string");
    expect(typeTextColumn(["0", "10"])).toBe("integer");
  });

  it("widens mixed integers and floats to number, in either order", () => {
    expect(inferColumnType([2.5, 1])).toBe("number");
    expect(typeTextColumn(["1", "2.5"])).toBe("number");
  });

  it("treats ISO timestamps with and without zones alike, and dates with them as timestamps", () => {
    expect(inferColumnType(["2024-01-01T00:00:00", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00+05:30"])).toBe("timestamp");
    expect(inferColumnType(["2024-01-01", null, "2024-01-01T12:00:00-08:00"])).toBe("timestamp");
  });

  it("counts an empty string as a value in typed data and as no value in text", () => {
    expect(inferColumnType(["", 1])).toBe("string");
    expect(typeTextColumn(["", "1"])).toBe("integer");
  });
});

/**
 * The regular-expression definition that typeTextColumn and valueType replaced, as it stood: the
 * reference the char-code scanner must match on every input, type and value alike.
 */
const reference = (() => {
  const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
  const ISO_TIMESTAMP =
    /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3])(:?[0-5]\d)?)?$/i;
  const TEXT_INTEGER = /^-?(0|[1-9]\d*)$/;
  const TEXT_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
  const TEXT_BOOLEAN = /^(true|false)$/i;

  function stringType(text: string): ColumnType {
    if (ISO_DATE.test(text)) return "date";
    if (ISO_TIMESTAMP.test(text)) return "timestamp";
    return "string";
  }

  function mergeTypes(a: ColumnType | null, b: ColumnType | null): ColumnType | null {
    if (a === null) return b;
    if (b === null || a === b) return a;
    const pair = new Set([a, b]);
    if (pair.has("integer") && pair.has("number")) return "number";
    if (pair.has("date") && pair.has("timestamp")) return "timestamp";
    return "string";
  }

  function textType(text: string): ColumnType | null {
    if (text === "") return null;
    if (TEXT_INTEGER.test(text)) return Number.isSafeInteger(Number(text)) ? "integer" : "string";
    if (TEXT_NUMBER.test(text)) return Number.isFinite(Number(text)) ? "number" : "string";
    if (TEXT_BOOLEAN.test(text)) return "boolean";
    return stringType(text);
  }

  function parseText(text: string, type: ColumnType | null): unknown {
    if (text === "") return null;
    switch (type) {
      case "integer":
      case "number":
        return Number(text);
      case "boolean":
        return text.toLowerCase() === "true";
      default:
        return text;
    }
  }

  function textColumn(cells: readonly string[]): { type: ColumnType | null; values: unknown[] } {
    let type: ColumnType | null = null;
    for (const cell of cells) {
      const next = textType(cell);
      if (next !== null && next !== type) {
        type = mergeTypes(type, next);
        if (type === "string") break;
      }
    }
    return { type, values: cells.map((cell) => parseText(cell, type)) };
  }

  return { stringType, mergeTypes, textColumn };
})();

/** A seeded generator (mulberry32), so a failure names texts that can be reproduced. */
function random(seed: number) {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: ArrayLike<T>): T => items[int(items.length)]!;
  const digits = (count: number) => Array.from({ length: count }, () => String(int(10))).join("");
  const chance = (p: number) => next() < p;
  return { int, pick, digits, chance };
}

const EDGE_CASES = [
  ...["", "-", "+", ".", "e", "-0", "0", "00", "01", "-00", "0.0", "-0.0", "0.", ".0", "1.", "-.5", "0x10", "0b1", "0o7"],
  ...["1e5", "1E+5", "1e-5", "1e", "1e+", "1E5.0", "1.5e-3", "-0e5", "0e0", "1e400", "-1e400", "1e-400", "-1e-400", "1e308", "1.7976931348623157e308"],
  ...["9007199254740991", "9007199254740992", "9007199254740993", "-9007199254740991", "-9007199254740992", "999999999999999", "1000000000000000"],
  ...["123456789012345.6", "0.1234567890123456", "1234567890.12345", "4.35", "0.1", "0.3", "2.675", "1.005", "6697.34", "1e22", "1e23", "9e15"],
  ...[" 1", "1 ", " ", "\t1", "1\n", "1,5", "1_000", "Infinity", "-Infinity", "NaN", "infinity", "١٢"],
  ...["true", "false", "TRUE", "False", "tRuE", "yes", "no", "t", "f", "truee", "fals", " true", "true ", "ſalse", "truſ"],
  ...["2024-01-01", "0000-01-01", "9999-12-31", "2024-00-01", "2024-13-01", "2024-12-00", "2024-01-32", "2024-02-30", "2023-02-29", "2024-1-01"],
  ...["2024-01-02T00:00", "2024-01-02T23:59", "2024-01-02T24:00", "2024-01-02T23:60", "2024-01-02t03:04", "2024-01-02 03:04", "2024-01-02X03:04"],
  ...["2024-01-02T03:04:05", "2024-01-02T03:04:60", "2024-01-02T03:04:5", "2024-01-02T03:04:05.", "2024-01-02T03:04.5"],
  ...["2024-01-02T03:04:05.1", "2024-01-02T03:04:05.123456789", "2024-01-02T03:04:05.1234567890", "2024-01-02T03:04:05.123456789Z"],
  ...["2024-01-02T03:04:05Z", "2024-01-02T03:04:05z", "2024-01-02T03:04Z", "2024-01-02T03:04:05ZZ", "2024-01-02T03:04:05+00", "2024-01-02T03:04:05-23"],
  ...["2024-01-02T03:04:05+24:00", "2024-01-02T03:04:05+23:59", "2024-01-02T03:04:05+05:60", "2024-01-02T03:04:05+0530", "2024-01-02T03:04:05+05:3"],
  ...["2024-01-02T03:04:05+05:", "2024-01-02T03:04:05+5", "2024-01-02T03:04:05 +05:00", "2024-01-02T03:04:05+05:30:00", "2024-03-05T10:11:12.000Z"],
  ...["2024-01-02T", "2024-01-02 ", "2024-01-02T03", "2024-01-02T03:", "2024-01-02T03:4", "20240-01-02", "2024-01-02Z", "2024-01-02+01:00"],
];

/** Texts near every form a cell can take: numbers, ISO dates and timestamps, booleans, and noise, each sometimes mutated. */
function corpus(seed: number, count: number): string[] {
  const r = random(seed);
  const alphabet = "0123456789-+.eE tTzZ:xaflsru,";
  const noise = () => Array.from({ length: r.int(14) }, () => r.pick(alphabet)).join("");
  const field = (max: number) => (r.chance(0.8) ? String(r.int(max)).padStart(2, "0") : r.digits(r.int(4)));
  const number = () =>
    (r.chance(0.3) ? r.pick(["-", "+", ""]) : "") +
    (r.chance(0.2) ? "0" : r.digits(1 + r.int(r.chance(0.8) ? 8 : 22))) +
    (r.chance(0.5) ? "." + r.digits(r.int(r.chance(0.8) ? 6 : 20)) : "") +
    (r.chance(0.2) ? r.pick(["e", "E"]) + r.pick(["", "+", "-"]) + r.digits(r.int(r.chance(0.9) ? 3 : 5)) : "");
  const zone = () =>
    r.pick([
      "",
      "Z",
      "z",
      r.pick(["+", "-"]) + field(26),
      r.pick(["+", "-"]) + field(26) + field(62),
      r.pick(["+", "-"]) + field(26) + ":" + field(62),
      r.pick(["+", "-", ""]) + r.digits(r.int(5)),
    ]);
  const iso = () => {
    const date = `${r.digits(r.chance(0.95) ? 4 : r.int(6))}-${field(14)}-${field(33)}`;
    if (r.chance(0.3)) return date;
    const seconds = r.chance(0.7) ? `:${field(62)}` + (r.chance(0.5) ? "." + r.digits(r.int(12)) : "") : "";
    return date + r.pick(["T", "t", " ", "x"]) + `${field(26)}:${field(62)}` + seconds + zone();
  };
  const boolean = () => [...r.pick(["true", "false", "tru", "falsey"])].map((c) => (r.chance(0.5) ? c.toUpperCase() : c)).join("");
  const mutate = (text: string) => {
    const at = r.int(text.length + 1);
    const c = r.pick(alphabet);
    return r.pick([text.slice(0, at) + c + text.slice(at), text.slice(0, at) + text.slice(at + 1), text.slice(0, at) + c + text.slice(at + 1)]);
  };
  return Array.from({ length: count }, () => {
    const text = r.pick([number, number, iso, iso, boolean, noise])();
    return r.chance(0.2) ? mutate(text) : text;
  });
}

describe("the char-code scanner against the regular expressions it replaced", () => {
  const texts = [...EDGE_CASES, ...corpus(20240305, 300_000)];

  /** The first five inputs whose result differs from the reference, with both results. */
  function mismatches<T>(inputs: readonly T[], actual: (input: T) => unknown, expected: (input: T) => unknown) {
    const found = [];
    for (const input of inputs) {
      const [a, e] = [actual(input), expected(input)];
      if (!sameDeep(a, e)) found.push({ input, actual: a, expected: e });
      if (found.length === 5) break;
    }
    return found;
  }

  /** typeTextColumn's type and values for a copy of the cells. */
  function typed(cells: readonly string[]) {
    const values: unknown[] = [...cells];
    return { type: typeTextColumn(values), values };
  }

  /** The reference's type and values, dates and timestamps as text: typeTextColumn leaves their type to inferColumnType. */
  function textual(cells: readonly string[]) {
    const { type, values } = reference.textColumn(cells);
    return { type: type === "date" || type === "timestamp" ? "string" : type, values };
  }

  it("types and converts every single cell alike", () => {
    expect(mismatches(texts, (text) => typed([text]), (text) => textual([text]))).toEqual([]);
  });

  it("types and converts whole columns alike, mixed forms and empty cells included", () => {
    const r = random(7);
    const columns = Array.from({ length: 30_000 }, () => {
      // Most columns draw from a narrow slice of the corpus, so that they hold one form and its near misses.
      const from = r.int(texts.length - 40);
      return Array.from({ length: 1 + r.int(12) }, () => (r.chance(0.15) ? "" : texts[from + r.int(40)]!));
    });
    expect(mismatches(columns, typed, textual)).toEqual([]);
  });

  it("converts long columns of one type alike, each as long as a batch", () => {
    const r = random(11);
    const columns = (["integer", "number", "boolean", "timestamp"] as const).map((type) => {
      const cells = texts.filter((text) => reference.textColumn([text]).type === type);
      return Array.from({ length: 20_000 }, () => (r.chance(0.05) ? "" : r.pick(cells)));
    });
    expect(mismatches(columns, typed, textual)).toEqual([]);
  });

  it("types strings of typed values (JSON, Excel) alike", () => {
    expect(mismatches(texts, valueType, reference.stringType)).toEqual([]);
  });

  it("merges every pair of types alike", () => {
    const types = [null, ...columnTypes];
    const pairs = types.flatMap((a) => types.map((b) => [a, b] as const));
    expect(mismatches(pairs, ([a, b]) => mergeTypes(a, b), ([a, b]) => reference.mergeTypes(a, b))).toEqual([]);
  });
});

/** Equal values, numbers by Object.is so that -0 and 0 differ. */
function sameDeep(a: unknown, b: unknown): boolean {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return Object.is(a, b);
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => sameDeep((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
