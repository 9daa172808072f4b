import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type Sql } from "@/lib/db/client";
import type { DatasetColumn } from "@/lib/db/schema";
import { PAGE_STATEMENTS, readResults, type ResultsQuery } from "@/lib/db/queries/results";
import { env } from "@/lib/env";
import { resetDatabase } from "../db";

const schema = env.DATASET_SCHEMA;
const columns: DatasetColumn[] = [
  { name: "city", type: "string" },
  { name: "amount", type: "number" },
];
const scope = { schema, table: "statements_probe", columns, filters: [{ column: "city", op: "eq" as const, value: "Oslo" }], sort: { column: "amount", desc: true } };

/** The probe table, with a third column when `note`: the same table name, as a run's replace leaves it. */
async function createProbe(note = false) {
  await sql.unsafe(`DROP TABLE IF EXISTS ${schema}.statements_probe`);
  await sql.unsafe(`
    CREATE TABLE ${schema}.statements_probe AS
    SELECT '00000000-0000-0000-0000-000000000001'::uuid AS _run_id, g::bigint AS _row,
           (ARRAY['Lisbon', 'Oslo'])[1 + g % 2] AS city, (g * 7919 % 1000)::float8 AS amount${note ? ", 'n' || g AS note" : ""}
    FROM generate_series(1, 600) g`);
}

beforeAll(async () => {
  await resetDatabase();
  await createProbe();
});

/** The page statements of the probe table on this connection. */
async function probeStatements(connection: Sql): Promise<string[]> {
  const found = await connection<{ statement: string }[]>`
    SELECT statement FROM pg_prepared_statements WHERE statement LIKE ${`SELECT %${scope.table}%`}`;
  return found.map((s) => s.statement);
}

afterAll(async () => {
  await resetDatabase();
});

/** Runs `work` on one connection of the pool: prepared statements are each connection's own. */
async function onOneConnection(work: (connection: Sql) => Promise<void>, after?: () => Promise<void>) {
  const connection = await sql.reserve();
  try {
    await work(connection as unknown as Sql);
  } finally {
    connection.release();
    await after?.();
  }
}

/** Oslo's amounts in the page order: amount descending, then the row identity descending. */
async function expectedAmounts(): Promise<number[]> {
  const rows = await sql.unsafe(`SELECT amount FROM ${schema}.statements_probe WHERE city = 'Oslo' ORDER BY amount DESC, _run_id DESC, _row DESC`);
  return rows.map((r) => Number(r.amount));
}

describe("readResults", () => {
  it("reads every page, by number and size or after a key, through one named statement per kind of request", () =>
    onOneConnection(async (connection) => {
      const read = (query: Partial<ResultsQuery>) => readResults(connection, { ...scope, pageSize: 10, page: 1, ...query } as ResultsQuery);
      const amounts = await expectedAmounts();
      for (const [page, pageSize] of [[1, 10], [2, 10], [3, 10], [2, 7], [5, 7], [1, 25]] as const) {
        const { results } = await read({ page, pageSize });
        expect(results.map((r) => r.amount)).toEqual(amounts.slice((page - 1) * pageSize, page * pageSize));
      }
      let { last } = await read({ page: 1, pageSize: 10 });
      for (let page = 2; page <= 5; page++) {
        const next = await read({ after: last!, pageSize: page === 5 ? 4 : 10 } as Partial<ResultsQuery>);
        expect(next.results.map((r) => r.amount)).toEqual(amounts.slice((page - 1) * 10, (page - 1) * 10 + (page === 5 ? 4 : 10)));
        last = next.last;
      }
      // One for pages by number and one for pages after a key: not one per page, offset or size.
      const limits = (await probeStatements(connection)).map((s) => s.replace(/^.* ORDER BY .* (LIMIT .*)$/, "$1"));
      expect(limits.sort()).toEqual(["LIMIT $2 OFFSET $3", "LIMIT $5"]);
    }));

  it("reads a table a later run replaced with other columns through the statement it had prepared", () =>
    onOneConnection(async (connection) => {
      const read = (withNote: boolean) =>
        readResults(connection, { ...scope, columns: withNote ? [...columns, { name: "note", type: "string" }] : columns, page: 1, pageSize: 2 });
      expect(Object.keys((await read(false)).results[0]!)).toEqual(["_run_id", "_row", "city", "amount"]);
      await createProbe(true);
      const { results } = await read(true);
      expect(results[0]).toMatchObject({ city: "Oslo", note: expect.stringMatching(/^n\d+$/) });
    }, createProbe));

  it("prepares at most PAGE_STATEMENTS kinds of request, however many a reader makes up, and reads the rest unnamed", () =>
    onOneConnection(async (connection) => {
      // Each count of repeated filters is a request of another kind, with a text of its own.
      for (let repeats = 1; repeats <= PAGE_STATEMENTS + 20; repeats++) {
        const filters = Array.from({ length: repeats }, () => scope.filters[0]!);
        const { results } = await readResults(connection, { ...scope, filters, page: 1, pageSize: 1 });
        expect(results).toHaveLength(1);
      }
      const statements = await probeStatements(connection);
      expect(statements.length).toBeGreaterThan(PAGE_STATEMENTS / 2);
      expect(statements.length).toBeLessThanOrEqual(PAGE_STATEMENTS);
    }));
});
