import { describe, expect, it } from "vitest";
import { IncrementalTracker } from "@/lib/etl/incremental";
import { mysqlCursorLiteral, mysqlQuery } from "./mysql";
import { postgresQuery } from "./postgres";

const quote = (text: string) => `'${text.replace(/'/g, "\\'")}'`;

describe("postgresQuery", () => {
  it("runs a plain query as written, without trailing semicolons", () => {
    expect(postgresQuery("SELECT * FROM orders;\n ", undefined)).toEqual({ text: "SELECT * FROM orders", params: [] });
  });

  it("orders the first incremental run by the column, and filters later ones by the stored value", () => {
    const first = new IncrementalTracker('updated"at', null);
    expect(postgresQuery("SELECT * FROM t -- all", first)).toEqual({
      text: 'SELECT * FROM (\nSELECT * FROM t -- all\n) AS q ORDER BY q."updated""at"',
      params: [],
    });
    const next = new IncrementalTracker("updated_at", { column: "updated_at", value: "2024-01-01 10:00:00.123456+00", numeric: false });
    expect(postgresQuery("SELECT * FROM t", next)).toEqual({
      text: 'SELECT * FROM (\nSELECT * FROM t\n) AS q WHERE q."updated_at" > $1 ORDER BY q."updated_at"',
      params: ["2024-01-01 10:00:00.123456+00"],
    });
  });
});

describe("mysqlQuery and mysqlCursorLiteral", () => {
  it("writes numbers bare and everything else escaped", () => {
    expect(mysqlCursorLiteral({ column: "id", value: "9007199254740993", numeric: true }, quote)).toBe("9007199254740993");
    expect(mysqlCursorLiteral({ column: "at", value: "2024-01-01 10:00:00", numeric: false }, quote)).toBe("'2024-01-01 10:00:00'");
    // A value claiming to be numeric but not looking like one is still escaped.
    expect(mysqlCursorLiteral({ column: "id", value: "1 OR 1=1", numeric: true }, quote)).toBe("'1 OR 1=1'");
  });

  it("wraps the query for incremental reads", () => {
    const next = new IncrementalTracker("we`ird", { column: "we`ird", value: "it's", numeric: false });
    expect(mysqlQuery("SELECT * FROM t WHERE note <> '?';", next, quote)).toBe(
      "SELECT * FROM (\nSELECT * FROM t WHERE note <> '?'\n) AS q WHERE q.`we``ird` > 'it\\'s' ORDER BY q.`we``ird`",
    );
  });
});

describe("IncrementalTracker", () => {
  it("keeps the last non-null value of each batch, typed by the column when the database says so", () => {
    const tracker = new IncrementalTracker("id", null);
    tracker.observe([{ id: 1 }, { id: 2 }, { id: null }]);
    expect(tracker.reached).toEqual({ column: "id", value: "2", numeric: true });
    tracker.observe([{ id: null }]);
    expect(tracker.reached).toEqual({ column: "id", value: "2", numeric: true });
    tracker.observe([{ id: "9007199254740993" }], true);
    expect(tracker.reached).toEqual({ column: "id", value: "9007199254740993", numeric: true });
  });
});
