import { finished } from "node:stream/promises";
import type { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "@/lib/db/client";
import { pgTypes } from "@/lib/etl/infer-types";
import { BINARY_COPY_HEADER, BINARY_COPY_TRAILER, encodeRows, encodeRowsBinary } from "@/lib/etl/destinations/copy-encode";
import type { ColumnType } from "@/lib/schemas/jobs";

// The dataset load sends rows in binary COPY while it can and as text otherwise: PostgreSQL must
// store exactly the same values either way.
const types: ColumnType[] = ["integer", "number", "boolean", "string", "timestamp", "json", "timestamp"];
const columns: unknown[][] = [
  [0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, null, 42, -0, 7],
  [0, -0, 1.5, -1234.56, 1e-7, 1e300, Number.MIN_VALUE, Number.NaN, Infinity, -Infinity, null, 0.1 + 0.2],
  [true, false, null, true, false, true, false, true, null, false, true, false],
  ["", "plain", "tab\there\nnew\rline", "back\\slash \\N", "Zürich", "São Paulo 🚀 ✓", "x".repeat(3000), null, "\u0001\u001f", "é".repeat(60), "'quoted' \"double\"", " spaced "],
  [
    new Date(0),
    new Date(Date.UTC(2000, 0, 1)),
    new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999)),
    new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789)),
    new Date(Date.UTC(1716, 5, 1)),
    new Date(Date.UTC(2284, 5, 1)),
    new Date(-1),
    null,
    new Date(Date.UTC(1900, 0, 1, 0, 0, 0, 1)),
    new Date(Date.UTC(2038, 0, 19, 3, 14, 8)),
    new Date(Date.UTC(1970, 0, 1, 0, 0, 0, 1)),
    new Date(Date.UTC(2100, 11, 31, 23, 59, 59)),
  ],
  [{ a: 1 }, [1, "two", null], "text", 3.5, { k: [1, 2.5, -0, 1e21, true, null], d: [new Date(0)] }, { nested: { deep: ["x\ty"] } }, null, { nul: "a\u0000b" }, { "\\u0000": "\\\\u0000" }, [], {}, { unicode: "ß🚀" }],
  // Timestamps as text: how PostgreSQL prints them in a UTC session, and toISOString's form.
  [
    "2024-02-29 12:00:00+00",
    "2024-01-01T00:00:00Z",
    "2024-01-01T00:00:00.5Z",
    "1999-12-31 23:59:59.999999+00",
    "2000-01-01 00:00:00+00:00",
    "2284-12-31 23:59:59+00",
    "1716-01-01 00:00:00+00",
    "2024-03-05 10:11:12.123+00",
    "1969-12-31 23:59:59.000001+00",
    "2023-06-15T08:30:00.120Z",
    null,
    "2024-12-31 23:59:59.9+00",
  ],
];
const rows = columns[0]!.length;

const tables = { text: "copy_formats_text", binary: "copy_formats_binary" };

async function load(table: string, binary: boolean): Promise<void> {
  const names = types.map((_, i) => `c${i}`);
  const stream = (await sql
    .unsafe(`COPY ${table} (_row, ${names.join(", ")}) FROM STDIN${binary ? " (FORMAT binary)" : ""}`)
    .writable()) as Writable;
  const bytes = binary ? encodeRowsBinary(columns, types, 0, rows, 1) : encodeRows(columns, types, 0, rows, 1);
  expect(bytes).not.toBeNull();
  if (binary) stream.write(BINARY_COPY_HEADER);
  stream.write(bytes);
  stream.end(binary ? BINARY_COPY_TRAILER : undefined);
  await finished(stream);
}

beforeAll(async () => {
  for (const table of Object.values(tables)) {
    await sql.unsafe(`DROP TABLE IF EXISTS ${table}`);
    await sql.unsafe(`CREATE TABLE ${table} (_row bigint, ${types.map((type, i) => `c${i} ${pgTypes[type]}`).join(", ")})`);
  }
});

afterAll(async () => {
  for (const table of Object.values(tables)) await sql.unsafe(`DROP TABLE IF EXISTS ${table}`);
});

describe("binary and text COPY", () => {
  it("store the same values of every type the binary format takes", async () => {
    await load(tables.text, false);
    await load(tables.binary, true);
    // Compared as PostgreSQL prints them, so a double or an instant that differs in its last bit shows.
    const read = (table: string) =>
      sql.unsafe(`SELECT _row, ${types.map((_, i) => `c${i}::text`).join(", ")} FROM ${table} ORDER BY _row`);
    const [text, binary] = [await read(tables.text), await read(tables.binary)];
    expect(text).toHaveLength(rows);
    expect(binary).toEqual(text);
    expect(binary[3]).toMatchObject({ c0: String(2 ** 31), c1: "-1234.56", c4: "2024-02-29 12:34:56.789+00" });
  });

  it("store a Date that lands in a text column as ISO 8601, as the preview shows it", async () => {
    await sql.unsafe("DROP TABLE IF EXISTS copy_formats_dates");
    await sql.unsafe("CREATE TABLE copy_formats_dates (_row bigint, c0 text)");
    const dates = [new Date("2024-01-01T00:00:00Z"), "n/a"];
    for (const binary of [false, true]) {
      const stream = (await sql.unsafe(`COPY copy_formats_dates (_row, c0) FROM STDIN${binary ? " (FORMAT binary)" : ""}`).writable()) as Writable;
      const bytes = binary ? encodeRowsBinary([dates], ["string"], 0, 2, 1) : encodeRows([dates], ["string"], 0, 2, 1);
      expect(bytes).not.toBeNull();
      if (binary) stream.write(BINARY_COPY_HEADER);
      stream.end(binary ? Buffer.concat([bytes!, BINARY_COPY_TRAILER]) : bytes);
      await finished(stream);
    }
    const stored = await sql.unsafe("SELECT c0 FROM copy_formats_dates ORDER BY _row, c0");
    await sql.unsafe("DROP TABLE copy_formats_dates");
    expect(stored.map((row) => row.c0)).toEqual(["2024-01-01T00:00:00.000Z", "2024-01-01T00:00:00.000Z", "n/a", "n/a"]);
  });

  it("leave to the text format what has no exact binary form", () => {
    const one = (type: ColumnType, value: unknown) => encodeRowsBinary([[value]], [type], 0, 1, 1);
    expect(one("integer", 1.5)).toBeNull();
    expect(one("integer", 2 ** 53)).toBeNull();
    expect(one("integer", 12n)).toBeNull();
    expect(one("number", "1.5")).toBeNull();
    expect(one("boolean", "yes")).toBeNull();
    expect(one("string", 12)).toBeNull();
    expect(one("string", "nul\u0000byte")).toBeNull();
    for (const text of ["2024-01-01T00:00:00+02:00", "2024-02-30 00:00:00+00", "2023-02-29 00:00:00+00", "2024-01-01 00:00:00", "2024-01-01 24:00:00+00", "2024-01-01T00:00:00.1234567Z", "1500-01-01 00:00:00+00", "2024-01-01 00:00:00+0000", "2024-01-01T00:00:00.Z", "24-01-01 00:00:00+00"]) {
      expect(one("timestamp", text), text).toBeNull();
    }
    expect(one("timestamp", new Date(Number.NaN))).toBeNull();
    expect(one("timestamp", new Date(Date.UTC(1500, 0, 1)))).toBeNull();
    expect(one("date", "2024-01-01")).toBeNull();
    expect(one("json", () => 1)).toBeNull();
    expect(one("integer", 3)).not.toBeNull();
  });
});
