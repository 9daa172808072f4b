import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db, sql } from "@/lib/db/client";
import { datasetTableName } from "@/lib/db/identifiers";
import { insertJob } from "@/lib/db/queries/jobs";
import { incrementalCursors } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { jobDefinitionSchema } from "@/lib/schemas/jobs";
import { ROWS_PER_COPY } from "@/lib/etl/destinations/dataset";
import { DELETE as resetIncremental, GET as readIncremental } from "@/app/api/v1/jobs/[id]/incremental/route";
import { POST as cancelRun } from "@/app/api/v1/runs/[id]/cancel/route";
import { call, tokenFor } from "../api";
import { createUser, datasetRows, resetDatabase, resetQueue, tableColumns } from "../db";
import { createMysqlDatabase, createPostgresDatabase, saveConnection, type ExternalMysql, type ExternalPostgres } from "../external-databases";
import { startRunsWorker, waitForRun } from "../worker";
import { createJob, logMessages, triggerJob } from "./jobs";

const PG_SECRET = "pg-Planted-Secret-91b2";
const MYSQL_SECRET = "my-Planted-Secret-c0de";

let pg: ExternalPostgres;
let maria: ExternalMysql;
let worker: Awaited<ReturnType<typeof startRunsWorker>>;

beforeAll(async () => {
  [pg, maria] = await Promise.all([createPostgresDatabase("src"), createMysqlDatabase("src", MYSQL_SECRET)]);
  worker = await startRunsWorker();
});

afterAll(async () => {
  await worker?.close();
  await Promise.all([pg?.drop(), maria?.drop()]);
});

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  await pg.sql`DROP TABLE IF EXISTS orders`;
  await pg.sql`
    CREATE TABLE orders (id bigint PRIMARY KEY, customer text, amount numeric(12, 2), big numeric(30, 0), placed_at timestamptz(6), due date, payload jsonb)`;
  await maria.conn.query("DROP TABLE IF EXISTS orders");
  await maria.conn.query(`
    CREATE TABLE orders (id BIGINT PRIMARY KEY, customer VARCHAR(100), amount DECIMAL(12, 2), placed_at DATETIME(6), due DATE, active TINYINT(1), note TEXT)`);
});

async function workspaceWith(config: typeof pg.config | typeof maria.config, secret: string) {
  const { user, workspace } = await createUser();
  const connection = await saveConnection({ workspaceId: workspace.id, userId: user.id, name: config.type, config, secret });
  return { user, workspace, connection };
}

/** Runs the job and expects it to fail on its first attempt, retrying being no use, with this message. */
async function expectFailsAtOnce(job: Parameters<typeof triggerJob>[0], errorMessage: string) {
  expect(await waitForRun((await triggerJob(job)).id)).toMatchObject({ status: "failed", attempt: 1, errorMessage });
}

/** A job saved before queries were checked on save (select-statement.ts): its query as it was stored. */
async function jobSavedWithQuery(owner: { workspaceId: string; userId: string }, source: { type: "postgres" | "mysql"; connectionId: string }, query: string, name = "Saved before") {
  const definition = jobDefinitionSchema.parse({ source: { ...source, query: "SELECT 1" }, retry: { attempts: 3, backoffSeconds: 1 } });
  return insertJob(db, {
    workspaceId: owner.workspaceId,
    name,
    description: null,
    createdBy: owner.userId,
    definition: { ...definition, source: { ...definition.source, query } as typeof definition.source },
  });
}

async function insertPgOrders(rows: [number, string, string, string][]) {
  for (const [id, customer, amount, placedAt] of rows) {
    // Sent as text: the test client's own timestamp serializer would round to milliseconds.
    await pg.sql`INSERT INTO orders (id, customer, amount, placed_at) VALUES (${id}, ${customer}, ${amount}, ${placedAt}::text::timestamptz)`;
  }
}

describe("postgres source", () => {
  it("reads only newer rows on the next run, by the exact highest value loaded (microseconds kept)", async () => {
    const { user, workspace, connection } = await workspaceWith(pg.config, PG_SECRET);
    await insertPgOrders([
      [1, "Ada", "10.50", "2024-01-01 10:00:00.000001+00"],
      [2, "Bob", "20.00", "2024-01-01 10:00:00.123456+00"],
      [3, "Cy", "7.25", "2024-01-01 09:00:00+00"],
    ]);
    const job = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Orders",
      definition: {
        source: { type: "postgres", connectionId: connection.id, query: "SELECT id, customer, amount, placed_at FROM orders;", incremental: { column: "placed_at" } },
        destination: { type: "dataset", mode: "append" },
      },
    });

    const first = await waitForRun((await triggerJob(job)).id);
    expect(first).toMatchObject({ status: "success", rowsExtracted: 3, rowsLoaded: 3, errorMessage: null });
    const [cursor] = await db.select().from(incrementalCursors).where(eq(incrementalCursors.jobId, job.id));
    expect(cursor).toMatchObject({ column: "placed_at", value: "2024-01-01 10:00:00.123456+00", runId: first.id });

    // A row at a millisecond-rounded cursor would be read twice; a truly newer one must be read.
    await insertPgOrders([
      [4, "Dee", "1.00", "2024-01-01 10:00:00.123457+00"],
      [5, "Eve", "2.00", "2024-01-02 00:00:00+00"],
    ]);
    const second = await waitForRun((await triggerJob(job)).id);
    expect(second).toMatchObject({ status: "success", rowsExtracted: 2, rowsLoaded: 2 });

    const third = await waitForRun((await triggerJob(job)).id);
    expect(third).toMatchObject({ status: "success", rowsExtracted: 0, rowsLoaded: 0 });

    const table = datasetTableName(job.id);
    expect(await tableColumns(env.DATASET_SCHEMA, table)).toMatchObject({
      id: "bigint",
      customer: "text",
      amount: "double precision",
      placed_at: "timestamp with time zone",
    });
    // Each appended run numbers its rows from 1; each read them in the column's order.
    const rows = (await datasetRows(table)).map(({ _row, ...r }) => r).sort((a, b) => String(a.placed_at).localeCompare(String(b.placed_at)));
    expect(rows).toEqual([
      { id: 3, customer: "Cy", amount: 7.25, placed_at: "2024-01-01T09:00:00+00:00" },
      { id: 1, customer: "Ada", amount: 10.5, placed_at: "2024-01-01T10:00:00.000001+00:00" },
      { id: 2, customer: "Bob", amount: 20, placed_at: "2024-01-01T10:00:00.123456+00:00" },
      { id: 4, customer: "Dee", amount: 1, placed_at: "2024-01-01T10:00:00.123457+00:00" },
      { id: 5, customer: "Eve", amount: 2, placed_at: "2024-01-02T00:00:00+00:00" },
    ]);
    expect((await db.select().from(incrementalCursors).where(eq(incrementalCursors.jobId, job.id)))[0]).toMatchObject({
      value: "2024-01-02 00:00:00+00",
      runId: second.id,
    });

    expect(await logMessages(second.id)).toEqual([
      "Attempt 1 of 3 started.",
      'Incremental: reading rows where "placed_at" > 2024-01-01 10:00:00.123456+00, the highest value loaded so far.',
      `Querying PostgreSQL database "${pg.name}" on 127.0.0.1:5432 as postgres.`,
      'Read 2 rows from the query; the highest "placed_at" read is 2024-01-02 00:00:00+00.',
      expect.stringMatching(/^Appended 2 rows/),
      "Loaded 2 rows into the dataset (4 columns).",
    ]);
    expect((await logMessages(third.id))[3]).toBe("Read 0 rows from the query; no new rows.");

    // The position through the API, and a reset: the next run reads every row again.
    const token = await tokenFor(user.email);
    const params = { id: job.id };
    const state = await call(readIncremental, { path: `/api/v1/jobs/${job.id}/incremental`, token, params });
    expect(state.body).toEqual({ column: "placed_at", value: "2024-01-02 00:00:00+00", runId: second.id, updatedAt: expect.any(String) });
    expect((await call(resetIncremental, { method: "DELETE", path: `/api/v1/jobs/${job.id}/incremental`, token, params })).status).toBe(204);
    expect((await call(readIncremental, { path: `/api/v1/jobs/${job.id}/incremental`, token, params })).status).toBe(404);
    const backfill = await waitForRun((await triggerJob(job)).id);
    expect(backfill).toMatchObject({ status: "success", rowsExtracted: 5 });
  });

  it("keeps numeric precision and reads in batches far larger than one", async () => {
    const { user, workspace, connection } = await workspaceWith(pg.config, PG_SECRET);
    await pg.sql`
      INSERT INTO orders (id, customer, amount, big, placed_at, due, payload)
      SELECT g, 'c' || g, g / 100.0, 123456789012345678901234567890, '2024-01-01'::timestamptz + g * interval '1 second', '2024-03-01', jsonb_build_object('n', g)
      FROM generate_series(1, 25000) g`;
    const job = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Many",
      definition: { source: { type: "postgres", connectionId: connection.id, query: "SELECT * FROM orders ORDER BY id -- all of them" } },
    });
    const run = await waitForRun((await triggerJob(job)).id, 60_000);
    expect(run).toMatchObject({ status: "success", rowsExtracted: 25000, rowsLoaded: 25000 });
    const table = datasetTableName(job.id);
    expect(await tableColumns(env.DATASET_SCHEMA, table)).toMatchObject({
      id: "bigint",
      amount: "double precision",
      // 30 digits do not fit a double: kept exact, as text.
      big: "text",
      placed_at: "timestamp with time zone",
      due: "date",
      payload: "jsonb",
    });
    const [last] = await sql.unsafe(`SELECT id, amount, big, due::text, payload FROM ${env.DATASET_SCHEMA}.${table} ORDER BY _row DESC LIMIT 1`);
    expect(last).toEqual({ id: "25000", amount: 250, big: "123456789012345678901234567890", due: "2024-03-01", payload: { n: 25000 } });
  });

  // A COPY into the staging table is ended and another started every ROWS_PER_COPY rows, each
  // binary COPY with its own header and trailer: no row may be lost, doubled or renumbered there.
  it("loads more rows than one COPY takes, each once and in order", async () => {
    const { user, workspace, connection } = await workspaceWith(pg.config, PG_SECRET);
    const rows = ROWS_PER_COPY + 2_500;
    const job = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Beyond one COPY",
      definition: { source: { type: "postgres", connectionId: connection.id, query: `SELECT g AS id, '2024-01-01'::timestamptz + g * interval '1 ms' AS at FROM generate_series(1, ${rows}) g` } },
    });
    const run = await waitForRun((await triggerJob(job)).id, 120_000);
    expect(run).toMatchObject({ status: "success", rowsExtracted: rows, rowsLoaded: rows });
    const [check] = await sql.unsafe(`
      SELECT count(*)::int AS count, count(DISTINCT _row)::int AS distinct_rows, min(_row)::int AS first, max(_row)::int AS last,
        count(*) FILTER (WHERE _row <> id OR at <> '2024-01-01'::timestamptz + id * interval '1 ms')::int AS misplaced
      FROM ${env.DATASET_SCHEMA}.${datasetTableName(job.id)}`);
    expect(check).toEqual({ count: rows, distinct_rows: rows, first: 1, last: rows, misplaced: 0 });
  }, 180_000);

  it("runs the query read-only: a query that writes fails permanently and changes nothing", async () => {
    const { user, workspace, connection } = await workspaceWith(pg.config, PG_SECRET);
    await insertPgOrders([[1, "Ada", "1.00", "2024-01-01 00:00:00+00"]]);
    const job = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Sneaky",
      definition: {
        source: { type: "postgres", connectionId: connection.id, query: "WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone" },
        retry: { attempts: 3, backoffSeconds: 1 },
      },
    });
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run).toMatchObject({
      status: "failed",
      attempt: 1,
      errorStage: "extract",
      // PostgreSQL names the statement, a SELECT with a data-modifying WITH.
      errorMessage: "PostgreSQL error 25006: cannot execute SELECT in a read-only transaction",
    });
    expect(await pg.sql`SELECT count(*)::int AS n FROM orders`).toEqual([{ n: 1 }]);
  });

  it("cancels a query past its timeout, and reports a syntax error in the user's words", async () => {
    const { user, workspace, connection } = await workspaceWith(pg.config, PG_SECRET);
    const slow = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Slow",
      definition: { source: { type: "postgres", connectionId: connection.id, query: "SELECT pg_sleep(5)", timeoutMs: 1000 } },
    });
    const timedOut = await waitForRun((await triggerJob(slow)).id);
    expect(timedOut).toMatchObject({ status: "failed", attempt: 1, errorMessage: "PostgreSQL error 57014: canceling statement due to statement timeout" });

    const typo = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Typo",
      definition: { source: { type: "postgres", connectionId: connection.id, query: "SELECT * FRM orders" } },
    });
    await expectFailsAtOnce(typo, 'PostgreSQL error 42601: syntax error at or near "FRM"');
  });

  it("refuses a statement that returns no rows, and a result that repeats a column name", async () => {
    const { user, workspace, connection } = await workspaceWith(pg.config, PG_SECRET);
    const show = await jobSavedWithQuery({ workspaceId: workspace.id, userId: user.id }, { type: "postgres", connectionId: connection.id }, "SHOW timezone");
    expect(await waitForRun((await triggerJob(show)).id)).toMatchObject({
      status: "failed",
      attempt: 1,
      errorStage: "extract",
      errorMessage: "The query must be one statement that returns rows (SELECT, WITH … SELECT, VALUES or TABLE); it starts with SHOW.",
    });

    const repeated = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Twice a",
      definition: { source: { type: "postgres", connectionId: connection.id, query: "SELECT 1 AS a, 2 AS a, 'x' AS b" } },
    });
    await expectFailsAtOnce(repeated, 'The query returns more than one column named "a"; give them distinct names with AS.');
  });
});

describe("postgres source connections", () => {
  /** Sessions this app holds on the source database, besides the test's own. */
  async function appSessions() {
    return pg.sql<{ state: string; query: string }[]>`
      SELECT state, query FROM pg_stat_activity WHERE datname = ${pg.name} AND application_name = 'dataflowhub'`;
  }

  async function waitForNoSessions() {
    for (let i = 0; i < 40 && (await appSessions()).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    return appSessions();
  }

  it("are closed when a later stage fails while the query is still being read", async () => {
    const { user, workspace, connection } = await workspaceWith(pg.config, PG_SECRET);
    await pg.sql`INSERT INTO orders (id, customer) SELECT g, 'c' || g FROM generate_series(1, 30000) g`;
    const job = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Bad cast",
      definition: {
        source: { type: "postgres", connectionId: connection.id, query: "SELECT id, customer FROM orders ORDER BY id" },
        transform: [{ op: "cast", columns: { customer: "integer" } }],
      },
    });
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run).toMatchObject({ status: "failed", attempt: 1, errorStage: "transform" });
    expect(await waitForNoSessions()).toEqual([]);
  });

  it("are ended by a cancel, which stops a long query", async () => {
    const { user, workspace, connection } = await workspaceWith(pg.config, PG_SECRET);
    const job = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Sleepy",
      definition: { source: { type: "postgres", connectionId: connection.id, query: "SELECT pg_sleep(60)" } },
    });
    const pending = await triggerJob(job);
    for (let i = 0; i < 100 && !(await appSessions()).some((s) => s.query.includes("pg_sleep")); i++) await new Promise((r) => setTimeout(r, 100));
    const token = await tokenFor(user.email);
    const cancelled = await call(cancelRun, { method: "POST", path: `/api/v1/runs/${pending.id}/cancel`, params: { id: pending.id }, token });
    expect(cancelled.status).toBe(200);
    const started = Date.now();
    expect((await waitForRun(pending.id)).status).toBe("cancelled");
    expect(await waitForNoSessions()).toEqual([]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe("mysql source", () => {
  it("streams rows with exact decimals and datetimes, then only newer ones by id", async () => {
    const { user, workspace, connection } = await workspaceWith(maria.config, MYSQL_SECRET);
    await maria.conn.query(`
      INSERT INTO orders VALUES
        (1, 'Ada', 10.50, '2024-01-02 03:04:05.123456', '2024-02-01', 1, 'it''s ?'),
        (2, 'Bob', 20.00, '2024-01-03 00:00:00', NULL, 0, NULL),
        (3, 'Cy', 7.25, NULL, '2024-02-03', NULL, 'x')`);
    const job = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Maria",
      definition: {
        source: {
          type: "mysql",
          connectionId: connection.id,
          query: "SELECT id, customer, amount, placed_at, due, active, note FROM orders WHERE note IS NULL OR note <> '?'",
          incremental: { column: "id" },
        },
        destination: { type: "dataset", mode: "append" },
      },
    });
    const first = await waitForRun((await triggerJob(job)).id);
    expect(first).toMatchObject({ status: "success", rowsLoaded: 3, errorMessage: null });

    await maria.conn.query("INSERT INTO orders VALUES (10, 'Dee', 1.00, '2024-01-05 00:00:00', NULL, 1, NULL), (11, 'Eve', 2.00, NULL, NULL, 0, NULL)");
    const second = await waitForRun((await triggerJob(job)).id);
    expect(second).toMatchObject({ status: "success", rowsExtracted: 2, rowsLoaded: 2 });
    expect((await db.select().from(incrementalCursors).where(eq(incrementalCursors.jobId, job.id)))[0]).toMatchObject({
      column: "id",
      value: "11",
      numeric: true,
    });

    const table = datasetTableName(job.id);
    expect(await tableColumns(env.DATASET_SCHEMA, table)).toMatchObject({
      id: "bigint",
      customer: "text",
      amount: "double precision",
      placed_at: "timestamp with time zone",
      due: "date",
      active: "bigint",
      note: "text",
    });
    // Each appended run numbers its rows from 1: order by id to compare.
    const rows = (await datasetRows(table)).map(({ _row, ...r }) => r).sort((a, b) => Number(a.id) - Number(b.id));
    expect(rows).toEqual([
      { id: 1, customer: "Ada", amount: 10.5, placed_at: "2024-01-02T03:04:05.123456+00:00", due: "2024-02-01", active: 1, note: "it's ?" },
      { id: 2, customer: "Bob", amount: 20, placed_at: "2024-01-03T00:00:00+00:00", due: null, active: 0, note: null },
      { id: 3, customer: "Cy", amount: 7.25, placed_at: null, due: "2024-02-03", active: null, note: "x" },
      { id: 10, customer: "Dee", amount: 1, placed_at: "2024-01-05T00:00:00+00:00", due: null, active: 1, note: null },
      { id: 11, customer: "Eve", amount: 2, placed_at: null, due: null, active: 0, note: null },
    ]);
    expect((await logMessages(second.id)).slice(1, 4)).toEqual([
      'Incremental: reading rows where "id" > 3, the highest value loaded so far.',
      `Querying MySQL database "${maria.name}" on 127.0.0.1:3306 as ${maria.user}.`,
      'Read 2 rows from the query; the highest "id" read is 11.',
    ]);
  });

  it("stops the server's statement when the run is cancelled", async () => {
    const { user, workspace, connection } = await workspaceWith(maria.config, MYSQL_SECRET);
    const job = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Sleepy",
      definition: { source: { type: "mysql", connectionId: connection.id, query: "SELECT BENCHMARK(100000000000, MD5('x')) AS busy" } },
    });
    const sleeping = async () =>
      ((await maria.conn.query("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND INFO LIKE '%BENCHMARK(%'", [maria.user]))[0] as unknown[]).length;
    const pending = await triggerJob(job);
    for (let i = 0; i < 100 && (await sleeping()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await sleeping()).toBe(1);
    const token = await tokenFor(user.email);
    expect((await call(cancelRun, { method: "POST", path: `/api/v1/runs/${pending.id}/cancel`, params: { id: pending.id }, token })).status).toBe(200);
    expect((await waitForRun(pending.id)).status).toBe("cancelled");
    for (let i = 0; i < 40 && (await sleeping()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await sleeping()).toBe(0);
  });

  it("fails a run of an incremental source into replace, saved before that was refused, leaving the dataset as it was", async () => {
    const { user, workspace, connection } = await workspaceWith(pg.config, PG_SECRET);
    const definition = jobDefinitionSchema.parse({
      source: { type: "postgres", connectionId: connection.id, query: "SELECT id FROM orders", incremental: { column: "id" } },
      destination: { type: "dataset", mode: "append" },
      retry: { attempts: 3, backoffSeconds: 1 },
    });
    const job = await insertJob(db, {
      workspaceId: workspace.id,
      name: "Incremental replace",
      description: null,
      createdBy: user.id,
      definition: { ...definition, destination: { type: "dataset", mode: "replace" } },
    });
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run).toMatchObject({ status: "failed", attempt: 1, errorStage: "load", rowsLoaded: 0 });
    expect(run.errorMessage).toBe(
      'The destination\'s mode replace cannot load an incremental source: each run reads only the rows whose "id" is past the highest value already loaded, so replace would keep only those; use append or upsert. Edit the job.',
    );
  });

  it("never runs a statement that returns no rows: DDL, which MySQL commits even in a read-only transaction, stays unrun", async () => {
    const { user, workspace, connection } = await workspaceWith(maria.config, MYSQL_SECRET);
    const owner = { workspaceId: workspace.id, userId: user.id };
    const drop = await jobSavedWithQuery(owner, { type: "mysql", connectionId: connection.id }, "DROP TABLE orders");
    await expectFailsAtOnce(drop, "The query must be one statement that returns rows (SELECT, WITH … SELECT, VALUES or TABLE); it starts with DROP.");
    const [tables] = await maria.conn.query("SHOW TABLES LIKE 'orders'");
    expect(tables).toHaveLength(1);

    // INTO OUTFILE writes a file on the database server even in a read-only transaction (here the server is this machine).
    const file = path.join(tmpdir(), `dfh-into-${process.pid}-${Date.now()}`);
    const intoMessage = "The query must return its rows: with INTO, a SELECT sends them elsewhere (a file on the database server, variables or a table).";
    for (const [i, query] of [`SELECT * FROM orders INTO OUTFILE '${file}'`, `SELECT 1 /*! INTO DUMPFILE '${file}' */`, "SELECT 1 INTO @x"].entries()) {
      const refused = jobDefinitionSchema.safeParse({ source: { type: "mysql", connectionId: connection.id, query } });
      expect(refused.error?.issues.map((issue) => issue.message)).toEqual([intoMessage]);
      await expectFailsAtOnce(await jobSavedWithQuery(owner, { type: "mysql", connectionId: connection.id }, query, `Into ${i}`), intoMessage);
    }
    expect(existsSync(file)).toBe(false);

    const repeated = await createJob({ ...owner, name: "Twice a", definition: { source: { type: "mysql", connectionId: connection.id, query: "SELECT 1 AS a, 2 AS a" } } });
    await expectFailsAtOnce(repeated, 'The query returns more than one column named "a"; give them distinct names with AS.');
  });

  it("fails with the server's refusal of a wrong password, which never reaches the log", async () => {
    const { user, workspace } = await createUser();
    const wrong = await saveConnection({ workspaceId: workspace.id, userId: user.id, name: "wrong", config: maria.config, secret: `${MYSQL_SECRET}-wrong` });
    const job = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Denied",
      definition: { source: { type: "mysql", connectionId: wrong.id, query: "SELECT 1" } },
    });
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run).toMatchObject({ status: "failed", attempt: 1, errorStage: "extract" });
    expect(run.errorMessage).toMatch(new RegExp(`^MySQL error 28000: Access denied for user '${maria.user}'@'[^']+' \\(using password: YES\\)$`));
  });
});

describe("secrets", () => {
  it("never appear in run logs, run rows or the queue's Redis keys", async () => {
    const { user, workspace, connection } = await workspaceWith(maria.config, MYSQL_SECRET);
    const pgConnection = await saveConnection({ workspaceId: workspace.id, userId: user.id, name: "pg", config: pg.config, secret: PG_SECRET });
    await maria.conn.query("INSERT INTO orders (id, customer) VALUES (1, 'Ada')");
    const ok = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Copy",
      definition: {
        source: { type: "mysql", connectionId: connection.id, query: "SELECT id, customer FROM orders" },
        destination: { type: "postgres", connectionId: pgConnection.id, table: "copied", mode: "replace" },
      },
    });
    const failing = await createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: "Broken",
      definition: { source: { type: "postgres", connectionId: pgConnection.id, query: "SELECT * FROM no_such_table" } },
    });
    const runs = [await waitForRun((await triggerJob(ok)).id), await waitForRun((await triggerJob(failing)).id)];
    expect(runs.map((r) => r.status)).toEqual(["success", "failed"]);
    expect(await pg.sql`SELECT id, customer FROM copied`).toEqual([{ id: "1", customer: "Ada" }]);

    const stored = JSON.stringify([
      await sql`SELECT * FROM run_logs`,
      await sql`SELECT * FROM runs`,
      await sql`SELECT definition FROM jobs`,
      await sql`SELECT config FROM connections`,
    ]);
    expect(stored).toContain("Querying MySQL database");
    expect(stored).toContain('relation \\"no_such_table\\" does not exist');
    for (const secret of [MYSQL_SECRET, PG_SECRET]) expect(stored).not.toContain(secret);
    const queued = await queueContents();
    expect(queued).toContain(runs[0]!.id);
    for (const secret of [MYSQL_SECRET, PG_SECRET]) expect(queued).not.toContain(secret);
  });
});

/** Every value stored under this test run's queue prefix, as one string. */
async function queueContents(): Promise<string> {
  const { createRedis } = await import("@/lib/queue/connection");
  const redis = createRedis("producer");
  try {
    const keys = await redis.keys(`${env.QUEUE_PREFIX}:*`);
    const values = await Promise.all(
      keys.map(async (key) => {
        switch (await redis.type(key)) {
          case "hash":
            return redis.hgetall(key);
          case "list":
            return redis.lrange(key, 0, -1);
          case "zset":
            return redis.zrange(key, 0, -1);
          case "set":
            return redis.smembers(key);
          case "string":
            return redis.get(key);
          case "stream":
            return redis.xrange(key, "-", "+");
          default:
            return null;
        }
      }),
    );
    return JSON.stringify(values);
  } finally {
    redis.disconnect();
  }
}
