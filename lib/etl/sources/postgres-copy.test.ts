import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { pageToBatch } from "@/lib/etl/transforms/apply";
import { ColumnPage, pageRecords } from "./page";
import { copyableQuery, copyPages, describedLayout } from "./postgres-copy";

type Described = Parameters<typeof describedLayout>[0];

const number = (text: string) => +text;
const json = (text: string) => JSON.parse(text) as unknown;

function described(columns: { name: string; type: number; parser?: (text: string) => unknown }[], types: number[] = []): Described {
  return { types, columns: columns.map((column, number) => ({ table: 0, number, ...column })) } as unknown as Described;
}

async function pagesOf(text: string, statement: Described) {
  const layout = describedLayout(statement)!;
  const pages = [];
  for await (const page of copyPages(Readable.from([Buffer.from(text)]), layout)) pages.push(page);
  return pages;
}

describe("copyableQuery", () => {
  it("takes the statements COPY runs, after comments and parentheses", () => {
    for (const query of ["SELECT 1", "select\n1", " -- why\n/* note */ ((SELECT 1))", "WITH t AS (SELECT 1) SELECT * FROM t", "VALUES (1)", "TABLE orders"]) {
      expect(copyableQuery(query), query).toBe(true);
    }
  });

  it("leaves to the cursor what COPY refuses, and what it cannot tell", () => {
    const refused = ["SHOW TimeZone", "EXPLAIN SELECT 1", "selected", "/* /* nested */ */ SELECT 1", "-- only a comment", "SELECT 1; -- done", "SELECT ';'"];
    for (const query of refused) {
      expect(copyableQuery(query), query).toBe(false);
    }
  });
});

describe("describedLayout", () => {
  it("names the columns as postgres.js keys its records: a repeated name keeps its first place and its last value, integer-like names first", () => {
    const columns = [
      { name: "a", type: 23 },
      { name: "b", type: 25 },
      { name: "a", type: 20 },
      { name: "1", type: 23 },
    ];
    const layout = describedLayout(described(columns))!;
    const record: Record<string, number> = {};
    columns.forEach((column, field) => (record[column.name] = field));
    expect(layout.names).toEqual(Object.keys(record));
    expect(layout).toMatchObject({ width: 4, names: ["1", "a", "b"], fields: [3, 2, 1] });
  });

  it("leaves to the cursor parameters, no columns, other types and a column named __proto__", () => {
    expect(describedLayout(described([{ name: "a", type: 23 }], [23]))).toBeNull();
    expect(describedLayout(described([]))).toBeNull();
    expect(describedLayout(described([{ name: "a", type: 1007 }]))).toBeNull();
    expect(describedLayout(described([{ name: "p", type: 600 }]))).toBeNull();
    expect(describedLayout(described([{ name: "__proto__", type: 25 }]))).toBeNull();
  });
});

describe("copyPages", () => {
  it("parses each column's cells with its parser, NULL staying null", async () => {
    const statement = described([
      { name: "id", type: 23, parser: number },
      { name: "note", type: 25 },
      { name: "doc", type: 3802, parser: json },
    ]);
    const [page, ...rest] = await pagesOf('1\tx\t[1, {"a": 2}]\n2\t\\N\t\\N\n3\t\\\\N\t"s"\n', statement);
    expect(rest).toEqual([]);
    expect(page).toBeInstanceOf(ColumnPage);
    expect(page).toEqual(
      new ColumnPage(
        ["id", "note", "doc"],
        [
          [1, 2, 3],
          ["x", null, "\\N"],
          [[1, { a: 2 }], null, "s"],
        ],
        3,
      ),
    );
  });

  it("keeps json objects in their column, which a leading normalize step flattens as it does records", async () => {
    const statement = described([
      { name: "id", type: 23, parser: number },
      { name: "id", type: 20, parser: number },
      { name: "doc", type: 114, parser: json },
    ]);
    const [page] = await pagesOf('1\t10\t{"a": {"b": 1}}\n2\t20\t\\N\n', statement);
    expect(page).toBeInstanceOf(ColumnPage);
    const records = pageRecords(page!);
    expect(records).toEqual([
      { id: 10, doc: { a: { b: 1 } } },
      { id: 20, doc: null },
    ]);
    const normalized = pageToBatch(page!, { op: "normalize", sep: "." }).batch;
    expect(normalized.columnNames()).toEqual(["id", "doc.a.b", "doc"]);
    expect(normalized.objects()).toEqual(pageToBatch(records, { op: "normalize", sep: "." }).batch.objects());
  });
});
