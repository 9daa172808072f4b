import "server-only";
import type { Sql } from "@/lib/db/client";
import type { DatasetColumn } from "@/lib/db/schema";
import { qualified, quoteIdent } from "@/lib/db/identifiers";
import { toJsonValue, whereClause, type ResultScope } from "./result-scope";

export type ResultsOrder = { sort?: { column: string; desc: boolean } };
export type ResultsQuery = ResultScope & ResultsOrder & { page: number; pageSize: number };

function orderBy({ sort }: ResultsOrder): string {
  return sort ? `${quoteIdent(sort.column)} ${sort.desc ? "DESC" : "ASC"} NULLS LAST, _run_id, _row` : "_run_id, _row";
}

export async function readResults(sql: Sql, query: ResultsQuery, knownCount?: number) {
  const table = qualified(query.schema, query.table);
  const where = whereClause(query);
  const offset = (query.page - 1) * query.pageSize;
  const rowsPromise = sql.unsafe(
    `SELECT * FROM ${table} ${where.sql} ORDER BY ${orderBy(query)} LIMIT ${query.pageSize} OFFSET ${offset}`,
    where.params as never[],
  );
  const countPromise =
    knownCount !== undefined
      ? Promise.resolve(knownCount)
      : sql
          .unsafe(`SELECT count(*)::bigint AS n FROM ${table} ${where.sql}`, where.params as never[])
          .then((r) => Number(r[0]?.n ?? 0));
  const [rows, count] = await Promise.all([rowsPromise, countPromise]);
  return { count, results: rows.map((row) => toJsonRow(row, query.columns)) };
}

function toJsonRow(row: Record<string, unknown>, columns: DatasetColumn[]): Record<string, unknown> {
  const out: Record<string, unknown> = { _run_id: row._run_id, _row: Number(row._row) };
  for (const column of columns) out[column.name] = toJsonValue(row[column.name], column.type);
  return out;
}

/** Rows fetched per round trip while streaming: enough to keep the socket busy, small enough to stay bounded. */
export const STREAM_BATCH_ROWS = 1000;

/**
 * Every row in scope, in order, as batches of JSON rows (data columns only), read through a
 * server-side cursor: memory stays at one batch however large the table. Ending the iteration
 * early (a closed download) closes the cursor and gives the connection back to the pool.
 */
export async function* streamResults(sql: Sql, query: ResultScope & ResultsOrder): AsyncGenerator<Record<string, unknown>[]> {
  const where = whereClause(query);
  const select = query.columns.map((c) => quoteIdent(c.name)).join(", ") || "NULL AS _none";
  const cursor = sql
    .unsafe(`SELECT ${select} FROM ${qualified(query.schema, query.table)} ${where.sql} ORDER BY ${orderBy(query)}`, where.params as never[])
    .cursor(STREAM_BATCH_ROWS);
  for await (const rows of cursor) {
    yield rows.map((row) => Object.fromEntries(query.columns.map((c) => [c.name, toJsonValue(row[c.name], c.type)])));
  }
}
