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

describe("holdsInto (MySQL and MariaDB)", () => {
  it("finds INTO in the code, however it is written or hidden", () => {
    const queries = [
      "SELECT * FROM t INTO OUTFILE '/tmp/x'",
      'select a into dumpfile "/tmp/y" from t',
      "SELECT 1 INTO@v",
      "SELECT 1 /*! INTO OUTFILE '/tmp/x' */",
      "SELECT 1 /*M!100000 INTO OUTFILE '/tmp/x' */",
      // Version digits run straight into the code; MySQL ends a number where its digits end.
      "SELECT 7 /*!50000INTO @v */",
      "SELECT 8 /*M!100000INTO @v */",
      "SELECT 1.5INTO @v",
      "SELECT .5INTO @v",
      "SELECT 1e0INTO @v",
      "SELECT 1.e1INTO @v",
      // `--` before a character other than an ASCII space or control character opens no comment.
      "SELECT 1--1 INTO OUTFILE '/tmp/x'",
      "SELECT x FROM t WHERE 1 --\u00a0 INTO @v",
      "SELECT $$ FROM t INTO OUTFILE '/tmp/x' -- $$",
      "SELECT 'it''s' INTO OUTFILE '/tmp/x'",
      "SELECT 'a\\\\' INTO OUTFILE '/tmp/x'",
      // Under NO_BACKSLASH_ESCAPES (or ANSI_QUOTES for "…") the backslash escapes nothing.
      "SELECT 10 AS 'a\\' INTO @v -- '",
      'SELECT 11 AS "a\\" INTO @v -- "',
      "SELECT `a``b` INTO OUTFILE '/tmp/x'",
      "SELECT 1/**/INTO/**/OUTFILE '/tmp/x'",
    ];
    for (const query of queries) expect(holdsInto(query), query).toBe(true);
  });

  it("passes over strings, quoted names and comments", () => {
    const queries = [
      "SELECT 'into' FROM t",
      'SELECT "into" FROM t',
      "SELECT `into` FROM t # into",
      "SELECT 1 /* into */",
      "SELECT 1 -- into\n",
      "SELECT intox, xinto, in_to FROM t",
      "SELECT 'it''s into'",
      "SELECT 'C:\\\\ into' FROM t",
    ];
    for (const query of queries) expect(holdsInto(query), query).toBe(false);
  });

  it("is not asked of PostgreSQL queries, whose read-only transaction refuses SELECT INTO", () => {
    for (const query of ["SELECT replace(path, '\\', '/') AS path FROM t WHERE note <> 'merged into main'", "SELECT $fn1$ text with into $fn1$", "SELECT 1 /* outer /* inner */ turned into */"]) {
      expect(selectStatementProblem(query, "postgres"), query).toBeNull();
    }
  });
});

describe("repeatedColumn", () => {
  it("names the first column name the result repeats", () => {
    expect(repeatedColumn(["a", "b", "c"])).toBeUndefined();
    expect(repeatedColumn(["a", "b", "a", "b"])).toBe("a");
  });
});
