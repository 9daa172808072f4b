import "server-only";
import type { Sql } from "@/lib/db/client";
import type { DatasetColumn } from "@/lib/db/schema";
import { qualified, quoteIdent } from "@/lib/db/identifiers";
import { pgTypes } from "@/lib/etl/infer-types";
import type { ResultFilter } from "@/lib/schemas/results";

export type ResultsQuery = {
  schema: string;
  table: string;
  columns: DatasetColumn[];
  runId?: string;
  filters: ResultFilter[];
  q?: string;
  sort?: { column: string; desc: boolean };
  page: number;
  pageSize: number;
};

const OPERATORS = { eq: "=", ne: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;
const SYSTEM_COLUMNS: DatasetColumn[] = [
  { name: "_run_id", type: "string" },
  { name: "_row", type: "integer" },
];

/** Builds the WHERE clause with every user value bound as a parameter, cast to its column's type. */
function whereClause(query: ResultsQuery) {
  const params: unknown[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions: string[] = [];
  if (query.runId) conditions.push(`_run_id = ${bind(query.runId)}::uuid`);
  const all = [...SYSTEM_COLUMNS, ...query.columns];
  for (const filter of query.filters) {
    const column = all.find((c) => c.name === filter.column)!;
    const ident = quoteIdent(column.name);
    if (filter.op === "contains") {
      conditions.push(`${ident}::text ILIKE ${bind(`%${escapeLike(filter.value)}%`)}`);
    } else {
      const type = column.name === "_run_id" ? "uuid" : pgTypes[column.type];
      // Bound as text and cast by PostgreSQL: bound straight to boolean, postgres.js would serialize
      // any string (even "true") as false; a value that does not parse fails with SQLSTATE 22 (400).
      conditions.push(`${ident} ${OPERATORS[filter.op]} ${bind(filter.value)}::text::${type}`);
    }
  }
  if (query.q) {
    const textColumns = query.columns.filter((c) => c.type === "string");
    if (textColumns.length === 0) conditions.push("false");
    else {
      const pattern = bind(`%${escapeLike(query.q)}%`);
      conditions.push(`(${textColumns.map((c) => `${quoteIdent(c.name)} ILIKE ${pattern}`).join(" OR ")})`);
    }
  }
  return { sql: conditions.length ? `WHERE ${conditions.join(" AND ")}` : "", params };
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function readResults(sql: Sql, query: ResultsQuery, knownCount?: number) {
  const table = qualified(query.schema, query.table);
  const where = whereClause(query);
  const order = query.sort
    ? `${quoteIdent(query.sort.column)} ${query.sort.desc ? "DESC" : "ASC"} NULLS LAST, _run_id, _row`
    : "_run_id, _row";
  const offset = (query.page - 1) * query.pageSize;
  const rowsPromise = sql.unsafe(
    `SELECT * FROM ${table} ${where.sql} ORDER BY ${order} LIMIT ${query.pageSize} OFFSET ${offset}`,
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

/** Converts driver values to JSON by column type: bigints to numbers when exact, dates as YYYY-MM-DD, timestamps as ISO 8601 UTC. */
function toJsonRow(row: Record<string, unknown>, columns: DatasetColumn[]): Record<string, unknown> {
  const out: Record<string, unknown> = { _run_id: row._run_id, _row: Number(row._row) };
  for (const column of columns) {
    const value = row[column.name];
    if (value === null || value === undefined) out[column.name] = null;
    else if (column.type === "integer") {
      const n = Number(value);
      out[column.name] = Number.isSafeInteger(n) ? n : String(value);
    } else if (column.type === "date") {
      out[column.name] = value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
    } else if (column.type === "timestamp") {
      out[column.name] = (value instanceof Date ? value : new Date(String(value))).toISOString();
    } else out[column.name] = value;
  }
  return out;
}
