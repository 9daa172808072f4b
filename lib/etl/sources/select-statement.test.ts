import { describe, expect, it } from "vitest";
import { holdsInto, leadingKeyword, repeatedColumn, selectStatementProblem } from "./select-statement";

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
      for (const dialect of ["postgres", "mysql"] as const) expect(selectStatementProblem(query, dialect), query).toBeNull();
    }
  });

  it("refuses the rest, naming how the query starts", () => {
    expect(selectStatementProblem("DROP TABLE orders", "mysql")).toBe(
      "The query must be one statement that returns rows (SELECT, WITH … SELECT, VALUES or TABLE); it starts with DROP.",
    );
    for (const query of ["explain select 1", "SHOW timezone", "DO 1", "CALL p()", "SET x = 1", "selected", "/*!50000 DROP TABLE t */ SELECT 1", "/*M!100000 CREATE TABLE evil */ SELECT 1"]) {
      expect(selectStatementProblem(query, "postgres"), query).toMatch(/^The query must be one statement that returns rows/);
    }
    expect(selectStatementProblem("-- nothing", "postgres")).toMatch(/it holds only comments\.$/);
  });

  it("refuses a SELECT … INTO, which sends its rows elsewhere (MySQL writes files on the server)", () => {
    expect(selectStatementProblem("SELECT * FROM t INTO OUTFILE '/tmp/x'", "mysql")).toBe(
      "The query must return its rows: with INTO, a SELECT sends them elsewhere (a file on the database server, variables or a table).",
    );
  });
});

describe("holdsInto", () => {
  it("finds INTO in the code, however it is written or hidden", () => {
    const mysql = [
      "SELECT * FROM t INTO OUTFILE '/tmp/x'",
      'select a into dumpfile "/tmp/y" from t',
      "SELECT 1 INTO@v",
      "SELECT 1 /*! INTO OUTFILE '/tmp/x' */",
      "SELECT 1 /*M!100000 INTO OUTFILE '/tmp/x' */",
      "SELECT 1--1 INTO OUTFILE '/tmp/x'",
      "SELECT $$ FROM t INTO OUTFILE '/tmp/x' -- $$",
      "SELECT 'it''s' INTO OUTFILE '/tmp/x'",
      "SELECT 'a\\\\' INTO OUTFILE '/tmp/x'",
      "SELECT `a``b` INTO OUTFILE '/tmp/x'",
      "SELECT 1/**/INTO/**/OUTFILE '/tmp/x'",
    ];
    for (const query of mysql) expect(holdsInto(query, "mysql"), query).toBe(true);
    expect(holdsInto("SELECT * INTO new_table FROM t", "postgres")).toBe(true);
  });

  it("reads strings, quoted names and comments as the dialect does", () => {
    const both = ["SELECT 'into' FROM t", 'SELECT "into" FROM t', "SELECT 1 /* into */", "SELECT 1 -- into\n", "SELECT intox, xinto, in_to FROM t", "SELECT 'it''s into'"];
    for (const query of both) {
      expect(holdsInto(query, "postgres"), query).toBe(false);
      expect(holdsInto(query, "mysql"), query).toBe(false);
    }
    expect(holdsInto("SELECT `into` FROM t # into", "mysql")).toBe(false);
    expect(holdsInto("SELECT $$ into $$, $tag$ into $tag$", "postgres")).toBe(false);
    expect(holdsInto("SELECT 1 --into", "postgres")).toBe(false);
  });
});

describe("repeatedColumn", () => {
  it("names the first column name the result repeats", () => {
    expect(repeatedColumn(["a", "b", "c"])).toBeUndefined();
    expect(repeatedColumn(["a", "b", "a", "b"])).toBe("a");
  });
});
