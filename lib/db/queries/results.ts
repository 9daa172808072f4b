import "server-only";
import type { Sql } from "@/lib/db/client";
import type { DatasetColumn } from "@/lib/db/schema";
import { qualified, quoteIdent, RESULT_QUERY_COLUMNS } from "@/lib/db/identifiers";
import { toJsonValue, whereClause, type ResultScope } from "./result-scope";
import { orderKeys, SEEK_VALUE, seekRange, sortType, type ResultSort, type SeekKey } from "./result-seek";

export type ResultsOrder = { sort?: ResultSort };
/**
 * The dataset version a read expects: its job, and the last load's time (to the millisecond) and
 * run; with `runId`, also that this run still exists (retention deletes old runs, not their rows).
 */
export type DatasetVersion = { jobId: string; updatedAt: Date; lastRunId: string | null; runId?: string };
/**
 * A page by number (OFFSET: shallow pages) or after a seek key (`next` links: any depth at the
 * cost of one). With `expect`, the page is read only while the dataset is at that version, checked
 * in each statement that reads rows, so from the same snapshot as they are.
 */
export type ResultsQuery = ResultScope & ResultsOrder & { pageSize: number; expect?: DatasetVersion } & ({ page: number } | { after: SeekKey });
/** `current`: false when the dataset was no longer at the expected version; the page is then to be discarded. */
export type ResultsPage = { results: Record<string, unknown>[]; last: SeekKey | null; more: boolean; current: boolean };

const CURRENT = RESULT_QUERY_COLUMNS.current;

/** Adds a value to a statement's parameters and answers its placeholder (`$3`). */
type Bind = (value: unknown) => string;

/**
 * Page queries run as named statements, each parsed once per connection: a page is then one round
 * trip (bind and execute) where an unnamed statement with parameters takes two (describe, then
 * bind and execute), its text sent and parsed each time. Everything a request varies is a
 * parameter, limit and offset included, so a text stands for a dataset table and a shape of
 * request (sort, filtered columns and operators, search). But postgres.js never deallocates a
 * statement, which stays on each connection that ran it until the connection closes, and a
 * reader chooses the shape: admitted without a bound, readers could grow every connection's
 * statements at will. So at most PAGE_STATEMENTS texts are admitted a window, the rest going
 * unnamed; a window is an hour, as long as postgres.js lets a connection live (its max_lifetime,
 * 30 to 60 minutes), so a connection holds at most two windows' statements. (A statement whose
 * table a later run replaced with other columns is prepared again by postgres.js, under a new
 * name.)
 */
export const PAGE_STATEMENTS = 200;
const PAGE_STATEMENT_WINDOW_MS = 60 * 60_000;
let admitted = { since: Date.now(), texts: new Set<string>() };

function statementOptions(text: string): { prepare: boolean } {
  if (Date.now() - admitted.since >= PAGE_STATEMENT_WINDOW_MS) admitted = { since: Date.now(), texts: new Set() };
  const { texts } = admitted;
  if (texts.has(text)) return { prepare: true };
  if (texts.size >= PAGE_STATEMENTS) return { prepare: false };
  texts.add(text);
  return { prepare: true };
}

/** Up to a page of rows in scope, in order, with the key of the last one and whether more follow. */
export async function readResults(sql: Sql, query: ResultsQuery): Promise<ResultsPage> {
  const table = qualified(query.schema, query.table);
  const { sort } = query;
  const select = sort ? `*, ${quoteIdent(sort.column)}::text AS ${SEEK_VALUE}` : "*";
  // One row more than the page tells whether there is a next page without counting.
  const limit = query.pageSize + 1;
  const rows: Record<string, unknown>[] = [];
  let current = true;
  /** Appends the rows of one query; false when there is no such range, or the expected version no longer held. */
  const read = async (extra: (bind: Bind) => string[] | null, limitClause: (bind: Bind) => string) => {
    const params: unknown[] = [];
    const where = whereClause(query, params);
    const bind = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const more = extra(bind);
    if (!more) return false;
    const conditions = [...(where.sql ? [where.sql.replace(/^WHERE /, "")] : []), ...more];
    if (query.expect) conditions.unshift(`v.${CURRENT}`);
    const page = `SELECT ${select} FROM ${table} ${conditions.length ? `WHERE ${conditions.join(" AND ")}` : ""} ORDER BY ${orderKeys(sort)} ${limitClause(bind)}`;
    if (!query.expect) {
      rows.push(...(await sql.unsafe(page, params as never[], statementOptions(page))));
      return true;
    }
    // One row at least, telling whether the version held; the page's rows only if it did.
    const text = `SELECT v.${CURRENT}, p.* FROM (SELECT ${versionCheck(query.expect, bind)} AS ${CURRENT}) v LEFT JOIN LATERAL (${page}) p ON true`;
    const found = await sql.unsafe(text, params as never[], statementOptions(text));
    current &&= found[0]?.[CURRENT] === true;
    rows.push(...found.filter((row) => row._run_id !== null));
    return current;
  };
  if ("after" in query) {
    const type = sort ? sortType(sort, query.columns) : "";
    for (let i = 0; rows.length < limit; i++) {
      if (!(await read((bind) => seekRange(sort, type, query.after, i, bind), (bind) => `LIMIT ${bind(limit - rows.length)}`))) break;
    }
  } else {
    await read(() => [], (bind) => `LIMIT ${bind(limit)} OFFSET ${bind((query.page - 1) * query.pageSize)}`);
  }
  const page = rows.slice(0, query.pageSize);
  const last = page.at(-1);
  return {
    results: page.map((row) => toJsonRow(row, query.columns)),
    last: last ? { value: sort ? ((last[SEEK_VALUE] as string | null) ?? null) : null, runId: String(last._run_id), row: String(last._row) } : null,
    more: rows.length > query.pageSize,
    current,
  };
}

function versionCheck({ jobId, updatedAt, lastRunId, runId }: DatasetVersion, bind: Bind): string {
  const dataset = `EXISTS (SELECT 1 FROM datasets WHERE job_id = ${bind(jobId)}::uuid AND date_trunc('milliseconds', updated_at) = ${bind(updatedAt.toISOString())}::timestamptz AND last_run_id IS NOT DISTINCT FROM ${bind(lastRunId)}::uuid)`;
  return runId ? `(${dataset} AND EXISTS (SELECT 1 FROM runs WHERE id = ${bind(runId)}::uuid))` : dataset;
}

/** Up to this many matching rows are counted exactly; beyond, the planner's estimate is cheap where a count would read them all. */
export const EXACT_COUNT_LIMIT = 10_000;

/** How many rows are in scope: exact up to EXACT_COUNT_LIMIT, else PostgreSQL's estimate (`exact: false`). */
export async function countResults(sql: Sql, scope: ResultScope): Promise<{ count: number; exact: boolean }> {
  const table = qualified(scope.schema, scope.table);
  const where = whereClause(scope);
  const [counted] = await sql.unsafe(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${table} ${where.sql} LIMIT ${EXACT_COUNT_LIMIT + 1}) capped`,
    where.params as never[],
  );
  const n = Number(counted?.n ?? 0);
  if (n <= EXACT_COUNT_LIMIT) return { count: n, exact: true };
  const [explained] = await sql.unsafe(`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${table} ${where.sql}`, where.params as never[]);
  const plan = (explained?.["QUERY PLAN"] as { Plan: { "Plan Rows": number } }[] | undefined)?.[0]?.Plan;
  return { count: Math.max(EXACT_COUNT_LIMIT + 1, Math.round(plan?.["Plan Rows"] ?? 0)), exact: false };
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
    .unsafe(`SELECT ${select} FROM ${qualified(query.schema, query.table)} ${where.sql} ORDER BY ${orderKeys(query.sort)}`, where.params as never[])
    .cursor(STREAM_BATCH_ROWS);
  for await (const rows of cursor) {
    yield rows.map((row) => Object.fromEntries(query.columns.map((c) => [c.name, toJsonValue(row[c.name], c.type)])));
  }
}
