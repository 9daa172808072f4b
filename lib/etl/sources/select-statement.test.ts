import { describe, expect, it } from "vitest";
import { leadingKeyword, repeatedColumn, selectStatementProblem } from "./select-statement";

describe("leadingKeyword", () => {
  it("finds the first keyword past whitespace, comments and parentheses", () => {
    expect(leadingKeyword("  select 1")).toBe("select");
    expect(leadingKeyword("-- why\n/* note */ ((SELECT 1))")).toBe("SELECT");
    expect(leadingKeyword("# a MySQL comment\nWITH t AS (SELECT 1) SELECT * FROM t")).toBe("WITH");
    expect(leadingKeyword("/*!50000 DROP TABLE t */")).toBe("/*!");
    expect(leadingKeyword("/*M! CREATE TABLE evil */ SELECT 1")).toBe("/*M!");
    expect(leadingKeyword("-- only a comment")).toBe("");
    expect(leadingKeyword("/* unclosed")).toBe("");
    expect(leadingKeyword("* FROM t")).toBe("*");
  });
});

describe("selectStatementProblem", () => {
  it("accepts the statements that return rows", () => {
    for (const query of ["SELECT 1", "with t as (select 1) select * from t", "VALUES (1), (2)", "TABLE orders", "(SELECT 1) UNION (SELECT 2)"]) {
      expect(selectStatementProblem(query), query).toBeNull();
    }
  });

  it("refuses the rest, naming how the query starts", () => {
    expect(selectStatementProblem("DROP TABLE orders")).toBe(
      "The query must be one statement that returns rows (SELECT, WITH … SELECT, VALUES or TABLE); it starts with DROP.",
    );
    for (const query of ["explain select 1", "SHOW timezone", "DO 1", "CALL p()", "SET x = 1", "selected", "/*!50000 DROP TABLE t */ SELECT 1", "/*M!100000 CREATE TABLE evil */ SELECT 1"]) {
      expect(selectStatementProblem(query), query).toMatch(/^The query must be one statement that returns rows/);
    }
    expect(selectStatementProblem("-- nothing")).toMatch(/it holds only comments\.$/);
  });
});

describe("repeatedColumn", () => {
  it("names the first column name the result repeats", () => {
    expect(repeatedColumn(["a", "b", "c"])).toBeUndefined();
    expect(repeatedColumn(["a", "b", "a", "b"])).toBe("a");
  });
});
