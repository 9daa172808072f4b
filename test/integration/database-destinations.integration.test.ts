import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { insertRun } from "@/lib/db/queries/runs";
import { enqueueRun } from "@/lib/queue/runs-queue";
import { createUser, resetDatabase, resetQueue } from "../db";
import { createMysqlDatabase, createPostgresDatabase, saveConnection, type ExternalMysql, type ExternalPostgres } from "../external-databases";
import { sendJson, startFixtureServer, type FixtureServer } from "../fixture-server";
import { startRunsWorker, waitForRun } from "../worker";
import { createJob, logMessages, triggerJob } from "./jobs";

const MYSQL_SECRET = "dest-Secret-5e11";

let fixture: FixtureServer;
let pg: ExternalPostgres;
let maria: ExternalMysql;
let worker: Awaited<ReturnType<typeof startRunsWorker>>;

beforeAll(async () => {
  fixture = await startFixtureServer();
  [pg, maria] = await Promise.all([createPostgresDatabase("dst"), createMysqlDatabase("dst", MYSQL_SECRET)]);
  worker = await startRunsWorker();
});

afterAll(async () => {
  await worker?.close();
  await fixture?.close();
  await Promise.all([pg?.drop(), maria?.drop()]);
});

const firstRows = [
  { id: 1, name: "Ada", amount: 10.5, paid: true, at: "2024-01-02T03:04:05Z", tags: ["a"] },
  { id: 2, name: "Bob's", amount: 20, paid: false, at: "2024-01-03T10:00:00+02:00", tags: [] },
  { id: 3, name: "Cy\ttab", amount: -1.25, paid: null, at: null, tags: null },
];

/** What each engine needs for the same scenarios: how to run SQL, read a table back as text, list tables. */
type Engine = {
  type: "postgres" | "mysql";
  exec(statement: string): Promise<unknown>;
  /** The table's rows ordered by id, every value rendered as text by the database itself. */
  read(table: string, columns: string[]): Promise<Record<string, string | null>[]>;
  tables(): Promise<string[]>;
  bool(value: boolean): string;
  /** A UTC timestamp `YYYY-MM-DD HH:MM:SS` as the engine prints it. */
  ts(utc: string): string;
};

const engines: Engine[] = [
  {
    type: "postgres",
    exec: (statement) => pg.sql.unsafe(statement),
    read: async (table, columns) =>
      pg.sql.unsafe(`SELECT ${columns.map((c) => `"${c}"::text AS "${c}"`).join(", ")} FROM public."${table}" ORDER BY id`),
    tables: async () =>
      (await pg.sql<{ name: string }[]>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`).map((r) => r.name),
    bool: (value) => String(value),
    ts: (utc) => `${utc}+00`,
  },
  {
    type: "mysql",
    exec: (statement) => maria.conn.query(statement),
    read: async (table, columns) =>
      (await maria.conn.query(`SELECT ${columns.map((c) => `CAST(\`${c}\` AS CHAR) AS \`${c}\``).join(", ")} FROM \`${table}\` ORDER BY id`))[0] as Record<
        string,
        string | null
      >[],
    tables: async () => ((await maria.conn.query("SHOW TABLES"))[0] as Record<string, string>[]).map((r) => Object.values(r)[0]!).sort(),
    bool: (value) => (value ? "1" : "0"),
    ts: (utc) => `${utc}.000000`,
  },
];

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  fixture.reset();
  await pg.sql.unsafe("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
  await maria.conn.query(`DROP DATABASE \`${maria.name}\`; CREATE DATABASE \`${maria.name}\` CHARACTER SET utf8mb4; USE \`${maria.name}\``);
});

describe.each(engines)("$type destination", (engine) => {
  async function jobInto(destination: Record<string, unknown>, path = "/rows", retry = { attempts: 1, backoffSeconds: 1 }) {
    const { user, workspace } = await createUser();
    const config = engine.type === "postgres" ? pg.config : maria.config;
    const connection = await saveConnection({
      workspaceId: workspace.id,
      userId: user.id,
      name: engine.type,
      config,
      secret: engine.type === "mysql" ? MYSQL_SECRET : undefined,
    });
    return createJob({
      workspaceId: workspace.id,
      userId: user.id,
      name: `Into ${engine.type}`,
      definition: {
        source: { type: "http", url: `${fixture.origin}${path}`, recordsPath: "data.items", pagination: { type: "next_url", nextUrlPath: "links.next" } },
        destination: { type: engine.type, connectionId: connection.id, ...destination },
        retry,
      },
    });
  }

  const all = ["id", "name", "amount", "paid", "at", "tags"];

  it("creates the table on the first run, then replaces its rows, keeping the table's own indexes", async () => {
    fixture.paginated("/rows", [firstRows.slice(0, 2), firstRows.slice(2)]);
    const job = await jobInto({ table: "orders", mode: "replace" });
    const first = await waitForRun((await triggerJob(job)).id);
    expect(first).toMatchObject({ status: "success", rowsLoaded: 3, errorMessage: null });
    expect(await engine.read("orders", all)).toEqual([
      { id: "1", name: "Ada", amount: "10.5", paid: engine.bool(true), at: engine.ts("2024-01-02 03:04:05"), tags: '["a"]' },
      { id: "2", name: "Bob's", amount: "20", paid: engine.bool(false), at: engine.ts("2024-01-03 08:00:00"), tags: "[]" },
      { id: "3", name: "Cy\ttab", amount: "-1.25", paid: null, at: null, tags: null },
    ]);
    expect(await logMessages(first.id)).toEqual(
      expect.arrayContaining([`Created table ${engine.type === "postgres" ? "public" : maria.name}.orders with 6 columns.`]),
    );

    await engine.exec(engine.type === "postgres" ? "CREATE INDEX orders_name ON orders (name)" : "CREATE INDEX orders_name ON orders (name(20))");
    fixture.paginated("/rows", [[{ id: 9, name: "Only", amount: 1, paid: true, at: "2024-06-01T00:00:00Z", tags: ["z"] }]]);
    const second = await waitForRun((await triggerJob(job)).id);
    expect(second).toMatchObject({ status: "success", rowsLoaded: 1 });
    expect(await engine.read("orders", ["id", "name", "_run_id"])).toEqual([{ id: "9", name: "Only", _run_id: second.id }]);
    const indexes =
      engine.type === "postgres"
        ? (await pg.sql`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'orders'`).map((r) => r.name)
        : ((await maria.conn.query("SHOW INDEX FROM orders"))[0] as { Key_name: string }[]).map((r) => r.Key_name);
    expect(indexes).toContain("orders_name");
    // The staging table was temporary: nothing but the target is left.
    expect(await engine.tables()).toEqual(["orders"]);
  });

  it("appends each run's rows once, even when an earlier attempt of the same run already committed them", async () => {
    fixture.paginated("/rows", [firstRows]);
    const job = await jobInto({ table: "events", mode: "append" });
    const first = await waitForRun((await triggerJob(job)).id);
    expect(first).toMatchObject({ status: "success", rowsLoaded: 3 });

    // The state a crash between the target's commit and the app's commit leaves behind:
    // this run's rows are already in the table, and the run is retried.
    const run = await insertRun(db, { jobId: job.id, workspaceId: job.workspaceId, trigger: "retry", definition: job.definition });
    await engine.exec(`INSERT INTO events (id, name, _run_id) VALUES (100, 'left by the earlier attempt', '${run.id}')`);
    await enqueueRun(run.id, job.definition.retry);
    const retried = await waitForRun(run.id);
    expect(retried).toMatchObject({ status: "success", rowsLoaded: 3 });

    const rows = await engine.read("events", ["id", "name", "_run_id"]);
    expect(rows.map((r) => r.id)).toEqual(["1", "1", "2", "2", "3", "3"]);
    expect(rows.filter((r) => r._run_id === first.id)).toHaveLength(3);
    expect(rows.filter((r) => r._run_id === run.id)).toHaveLength(3);
  });

  it("upserts by key: existing keys are updated, new ones inserted, the last row of a repeated key wins", async () => {
    fixture.paginated("/rows", [firstRows]);
    const job = await jobInto({ table: "customers", mode: "upsert", key: ["id"] });
    expect(await waitForRun((await triggerJob(job)).id)).toMatchObject({ status: "success", rowsLoaded: 3 });

    fixture.paginated("/rows", [
      [
        { id: 2, name: "Bob v2", amount: 21, paid: true, at: null, tags: ["b"] },
        { id: 4, name: "Dee (first)", amount: 4, paid: false, at: null, tags: null },
      ],
      [{ id: 4, name: "Dee (last)", amount: 4.5, paid: true, at: "2024-02-02T02:02:02Z", tags: null }],
    ]);
    const second = await waitForRun((await triggerJob(job)).id);
    expect(second).toMatchObject({ status: "success", rowsLoaded: 3 });
    expect(await engine.read("customers", ["id", "name", "amount", "paid", "_run_id"])).toEqual([
      { id: "1", name: "Ada", amount: "10.5", paid: engine.bool(true), _run_id: expect.any(String) },
      { id: "2", name: "Bob v2", amount: "21", paid: engine.bool(true), _run_id: second.id },
      { id: "3", name: "Cy\ttab", amount: "-1.25", paid: null, _run_id: expect.any(String) },
      { id: "4", name: "Dee (last)", amount: "4.5", paid: engine.bool(true), _run_id: second.id },
    ]);
    const display = `${engine.type === "postgres" ? "public" : maria.name}.customers`;
    expect(await logMessages(second.id)).toContain(
      engine.type === "postgres"
        ? `Upserted into table ${display} by (id): 1 rows inserted, 1 updated.`
        : `Upserted into table ${display} by (id): 1 existing keys updated, the others inserted.`,
    );
  });

  it.runIf(engine.type === "postgres")("takes keys written differently but equal as the column's type for one key, the last row winning", async () => {
    fixture.paginated("/rows", [
      [
        { id: 1, at: "2024-01-01T00:00:00Z", tags: { a: 1, b: 2 }, v: 1 },
        { id: 2, at: "2024-01-01T01:00:00+01:00", tags: { b: 2, a: 1 }, v: 2 },
      ],
    ]);
    await engine.exec("CREATE TABLE typed_ts (at timestamptz PRIMARY KEY, id integer, v integer)");
    const cases = [
      // Created by the run, so the keys are staged as text and cast on the way in.
      { table: "by_ts", key: "at" },
      { table: "by_json", key: "tags" },
      { table: "typed_ts", key: "at" },
    ];
    for (const { table, key } of cases) {
      const run = await waitForRun((await triggerJob(await jobInto({ table, mode: "upsert", key: [key] }))).id);
      expect(run).toMatchObject({ status: "success", rowsLoaded: 2, errorMessage: null });
      expect(await engine.read(table, ["id", "v"])).toEqual([{ id: "2", v: "2" }]);
      expect(await logMessages(run.id)).toEqual(
        expect.arrayContaining([
          "1 rows repeated a key read earlier in this run; the last row of each key was kept.",
          `Upserted into table public.${table} by (${key}): 1 rows inserted, 0 updated.`,
        ]),
      );
    }
  });

  it("leaves the target untouched when the run fails, and creates no table for a failed first run", async () => {
    await engine.exec("CREATE TABLE kept (id BIGINT PRIMARY KEY, name VARCHAR(50))");
    await engine.exec("INSERT INTO kept VALUES (7, 'before')");
    fixture.route("/broken", (_req, res, url) => {
      if (url.searchParams.get("page") === "2") sendJson(res, 400, { error: "bad page" });
      else sendJson(res, 200, { data: { items: firstRows }, links: { next: `${fixture.origin}/broken?page=2` } });
    });
    for (const [table, mode] of [["kept", "replace"], ["fresh", "append"]] as const) {
      const job = await jobInto({ table, mode }, "/broken");
      const run = await waitForRun((await triggerJob(job)).id);
      expect(run).toMatchObject({ status: "failed", errorStage: "extract", errorMessage: `${fixture.origin}/broken answered HTTP 400 Bad Request.` });
    }
    expect(await engine.read("kept", ["id", "name"])).toEqual([{ id: "7", name: "before" }]);
    expect(await engine.tables()).toEqual(["kept"]);
  });

  it("fails a run that brings a fraction to an integer column, leaving the table as it was", async () => {
    await engine.exec("CREATE TABLE whole (id BIGINT PRIMARY KEY, qty INT)");
    await engine.exec("INSERT INTO whole VALUES (1, 5)");
    for (const qty of [2.5, "2.5"]) {
      fixture.paginated("/rows", [[{ id: 1, qty: 6 }, { id: 2, qty }]]);
      const run = await waitForRun((await triggerJob(await jobInto({ table: "whole", mode: "upsert", key: ["id"] }))).id);
      expect(run).toMatchObject({ status: "failed", errorStage: "load" });
      // MySQL and MariaDB round it without a word, even in strict mode; PostgreSQL refuses it.
      expect(run.errorMessage).toMatch(
        engine.type === "postgres" ? /invalid input syntax for type integer: "2\.5"/ : new RegExp(`^Column "qty" holds ${JSON.stringify(JSON.stringify(qty)).slice(1, -1).replace(/\./g, "\\.")}, but the table's column is int`),
      );
    }
    expect(await engine.read("whole", ["id", "qty"])).toEqual([{ id: "1", qty: "5" }]);
  });

  it("keeps keys that differ only in case or trailing spaces apart, as the run does", async () => {
    fixture.paginated("/rows", [[{ id: 1, code: "A" }, { id: 2, code: "a" }, { id: 3, code: "b " }, { id: 4, code: "b" }]]);
    const job = await jobInto({ table: "codes", mode: "upsert", key: ["code"] });
    expect(await waitForRun((await triggerJob(job)).id)).toMatchObject({ status: "success", rowsLoaded: 4 });
    fixture.paginated("/rows", [[{ id: 5, code: "a" }, { id: 6, code: "c" }]]);
    const second = await waitForRun((await triggerJob(job)).id);
    expect(second).toMatchObject({ status: "success", rowsLoaded: 2 });
    expect(await engine.read("codes", ["id", "code"])).toEqual([
      { id: "1", code: "A" },
      { id: "3", code: "b " },
      { id: "4", code: "b" },
      { id: "5", code: "a" },
      { id: "6", code: "c" },
    ]);
    if (engine.type === "mysql") expect(await logMessages(second.id)).toContain(`Upserted into table ${maria.name}.codes by (code): 1 existing keys updated, the others inserted.`);
  });

  it("loads into an existing table's own column types and adds a new column, logged as drift", async () => {
    await engine.exec(
      engine.type === "postgres"
        ? "CREATE TABLE typed (id integer PRIMARY KEY, name varchar(20), amount numeric(10, 2), at timestamp, tags jsonb)"
        : "CREATE TABLE typed (id INT PRIMARY KEY, name VARCHAR(20), amount DECIMAL(10, 2), at DATETIME, tags JSON)",
    );
    fixture.paginated("/rows", [[{ id: 1, name: "Ada", amount: 10.5, at: "2024-01-03T10:00:00+02:00", tags: ["x"], extra: "new!" }]]);
    const job = await jobInto({ table: "typed", mode: "upsert", key: ["id"] });
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run).toMatchObject({ status: "success", rowsLoaded: 1, errorMessage: null });
    expect(await engine.read("typed", ["id", "name", "amount", "at", "tags", "extra"])).toEqual([
      {
        id: "1",
        name: "Ada",
        amount: "10.50",
        at: "2024-01-03 08:00:00",
        tags: '["x"]',
        extra: "new!",
      },
    ]);
    const display = `${engine.type === "postgres" ? "public" : maria.name}.typed`;
    expect(await logMessages(run.id)).toContain(`Schema drift: added column "extra" (string) to table ${display}.`);
  });

  it("refuses to upsert into a table without a unique key on the key columns", async () => {
    await engine.exec("CREATE TABLE loose (id BIGINT, name VARCHAR(50))");
    fixture.paginated("/rows", [firstRows]);
    const job = await jobInto({ table: "loose", mode: "upsert", key: ["id"] });
    const run = await waitForRun((await triggerJob(job)).id);
    const display = `${engine.type === "postgres" ? "public" : maria.name}.loose`;
    expect(run).toMatchObject({
      status: "failed",
      errorStage: "load",
      errorMessage: `Table ${display} has no primary key or unique index on (id); upsert needs one to match rows. Add it, or choose append or replace.`,
    });
  });

  it("fails a run whose upsert key is missing from a row, loading nothing", async () => {
    fixture.paginated("/rows", [[{ id: 1, name: "a" }, { id: null, name: "b" }]]);
    const job = await jobInto({ table: "nokey", mode: "upsert", key: ["id"] });
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run).toMatchObject({
      status: "failed",
      errorStage: "load",
      errorMessage: 'Row 2 has no value for the upsert key column "id"; every row needs one. Nothing was loaded.',
    });
    expect(await engine.tables()).toEqual([]);
  });
});
