import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { datasetTableName, qualified, quoteIdent, safeColumnName, stagingRunId, stagingTableName } from "./identifiers";

const sha8 = (text: string) => createHash("sha1").update(text).digest("hex").slice(0, 8);
const none = new Set<string>();

describe("quoteIdent / qualified", () => {
  it("double-quotes and doubles embedded quotes, keeping dots inside one identifier", () => {
    expect(quoteIdent("amount")).toBe('"amount"');
    expect(quoteIdent("customer.name")).toBe('"customer.name"');
    expect(quoteIdent('say "hi"')).toBe('"say ""hi"""');
    expect(quoteIdent('"; DROP TABLE users; --')).toBe('"""; DROP TABLE users; --"');
    expect(qualified("datasets", "job_1")).toBe('"datasets"."job_1"');
    expect(qualified('we"ird', "t")).toBe('"we""ird"."t"');
  });
});

describe("safeColumnName", () => {
  it("keeps ordinary names as they are", () => {
    expect(safeColumnName("customer.address.city", none)).toBe("customer.address.city");
    expect(safeColumnName("Prix €", none)).toBe("Prix €");
  });

  it("removes NUL bytes and names empty columns", () => {
    expect(safeColumnName("a\0b", none)).toBe("ab");
    expect(safeColumnName("", none)).toBe("column");
    expect(safeColumnName("   ", none)).toBe("column");
    expect(safeColumnName("\0", none)).toBe("column");
  });

  it("keeps data columns apart from the reserved _run_id and _row, and from the columns results queries add", () => {
    expect(safeColumnName("_run_id", none)).toBe("_run_id_data");
    expect(safeColumnName("_row", none)).toBe("_row_data");
    expect(safeColumnName("__current", none)).toBe("__current_data");
    expect(safeColumnName("__seek_value", none)).toBe("__seek_value_data");
    expect(safeColumnName("_rows", none)).toBe("_rows");
  });

  it("numbers duplicates", () => {
    expect(safeColumnName("id", new Set(["id"]))).toBe("id_2");
    expect(safeColumnName("id", new Set(["id", "id_2"]))).toBe("id_3");
    expect(safeColumnName("", new Set(["column"]))).toBe("column_2");
    expect(safeColumnName("_row", new Set(["_row_data"]))).toBe("_row_data_2");
  });

  it("keeps a name of exactly 63 bytes and shortens longer ones with a hash", () => {
    const exact = "a".repeat(63);
    expect(safeColumnName(exact, none)).toBe(exact);
    const long = "a".repeat(64);
    const short = safeColumnName(long, none);
    expect(short).toBe(`${"a".repeat(54)}_${sha8(long)}`);
    expect(Buffer.byteLength(short)).toBe(63);
  });

  it("gives distinct long names with a common prefix distinct short names", () => {
    const a = `${"x".repeat(70)}.first`;
    const b = `${"x".repeat(70)}.second`;
    const shortA = safeColumnName(a, none);
    const shortB = safeColumnName(b, new Set([shortA]));
    expect(shortA).toBe(`${"x".repeat(54)}_${sha8(a)}`);
    expect(shortB).toBe(`${"x".repeat(54)}_${sha8(b)}`);
    expect(shortA).not.toBe(shortB);
  });

  it("counts bytes, not characters, and never splits a multi-byte character", () => {
    const name = "é".repeat(40); // 80 bytes
    const short = safeColumnName(name, none);
    expect(short).toBe(`${"é".repeat(27)}_${sha8(name)}`);
    expect(Buffer.byteLength(short)).toBe(63);
  });

  it("never splits a surrogate pair (a lone surrogate is not valid UTF-8 nor jsonb)", () => {
    for (const offset of ["", "a", "aa", "aaa"]) {
      const name = offset + "😀".repeat(20);
      const short = safeColumnName(name, none);
      expect(short.isWellFormed()).toBe(true);
      expect(Buffer.byteLength(short)).toBeLessThanOrEqual(63);
      expect(short.endsWith(`_${sha8(name)}`)).toBe(true);
    }
    expect(safeColumnName(`aaa${"😀".repeat(20)}`, none)).toBe(`aaa${"😀".repeat(12)}_${sha8(`aaa${"😀".repeat(20)}`)}`);
  });

  it("keeps a duplicate of a long name within the limit", () => {
    const long = "b".repeat(80);
    const first = safeColumnName(long, none);
    const second = safeColumnName(long, new Set([first]));
    expect(second).toBe(`${"b".repeat(54)}_${sha8(`${long}#2`)}`);
    expect(Buffer.byteLength(second)).toBeLessThanOrEqual(63);
    expect(second).not.toBe(first);
  });
});

describe("table names", () => {
  it("derives dataset and staging table names from ids", () => {
    expect(datasetTableName("0b7e4a34-9c1e-4f6e-8d2a-1f2e3d4c5b6a")).toBe("job_0b7e4a349c1e4f6e8d2a1f2e3d4c5b6a");
    expect(stagingTableName("0b7e4a34-9c1e-4f6e-8d2a-1f2e3d4c5b6a", "5f0c2d7e-1b3a-4c5d-9e8f-7a6b5c4d3e2f")).toBe(
      "stg_0b7e4a349c1e4f6e8d2a1f2e3d4c5b6a_5f0c2d7e1b3a",
    );
  });

  it("reads the run id back from a staging table's name, and nothing from other tables", () => {
    expect(stagingRunId("stg_0b7e4a349c1e4f6e8d2a1f2e3d4c5b6a_5f0c2d7e1b3a")).toBe("0b7e4a34-9c1e-4f6e-8d2a-1f2e3d4c5b6a");
    // Staging tables of the releases before per-attempt names.
    expect(stagingRunId("stg_0b7e4a349c1e4f6e8d2a1f2e3d4c5b6a")).toBe("0b7e4a34-9c1e-4f6e-8d2a-1f2e3d4c5b6a");
    expect(stagingRunId("job_0b7e4a349c1e4f6e8d2a1f2e3d4c5b6a")).toBeNull();
    expect(stagingRunId("stg_0b7e4a349c1e4f6e8d2a1f2e3d4c5b6a_x")).toBeNull();
  });
});
