import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { db, sql } from "@/lib/db/client";
import { datasetTableName } from "@/lib/db/identifiers";
import { getRun } from "@/lib/db/queries/runs";
import { env } from "@/lib/env";
import { extract } from "@/lib/etl/sources";
import { pageRecords } from "@/lib/etl/sources/page";
import { sourceSchema } from "@/lib/schemas/jobs";
import { toRunDto } from "@/lib/services/dto";
import { createUser, datasetRows, datasetRunIds, datasetSchemaTables, resetDatabase, resetQueue, tableColumns } from "../db";
import { startFixtureServer, type FixtureServer } from "../fixture-server";
import { startRunsWorker, waitForRun } from "../worker";
import { expectedOrderColumns, expectedOrderPgTypes, expectedOrderRows, orderPages, ordersJob } from "./fixtures";
import { createJob, datasetOf, logMessages, triggerJob } from "./jobs";

let fixture: FixtureServer;
let worker: Awaited<ReturnType<typeof startRunsWorker>>;

beforeAll(async () => {
  fixture = await startFixtureServer();
  worker = await startRunsWorker();
});

afterAll(async () => {
  await worker?.close();
  await fixture?.close();
});

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  fixture.reset();
  fixture.paginated("/orders", orderPages);
});

async function ordersJobFor(name = "Shop orders") {
  const { user, workspace } = await createUser();
  return createJob({ workspaceId: workspace.id, userId: user.id, name, definition: ordersJob(`${fixture.origin}/orders`) });
}

describe("a run through the BullMQ worker", () => {
  it("extracts three next_url pages of nested records, normalizes and loads them with inferred types", async () => {
    const job = await ordersJobFor();
    const pending = await triggerJob(job);
    expect(pending.status).toBe("pending");

    const run = await waitForRun(pending.id);
    const dto = toRunDto(run);
    expect(dto).toMatchObject({
      id: pending.id,
      jobId: job.id,
      status: "success",
      trigger: "api",
      attempt: 1,
      rowsExtracted: 5,
      rowsLoaded: 5,
      progress: { rowsRead: 5, rowsLoaded: 5, stage: null },
      error: null,
    });
    expect(dto.startedAt).not.toBeNull();
    expect(dto.durationMs).toBeGreaterThanOrEqual(0);

    // Exactly the three pages were fetched, following the links.
    expect(fixture.requests).toEqual(["/orders", "/orders?page=2", "/orders?page=3"]);

    const table = datasetTableName(job.id);
    expect(await datasetOf(job.id)).toMatchObject({
      jobId: job.id,
      workspaceId: job.workspaceId,
      tableName: table,
      columns: expectedOrderColumns,
      lastRunId: run.id,
      rowCount: 5,
    });
    expect(await tableColumns(env.DATASET_SCHEMA, table)).toEqual(expectedOrderPgTypes);
    expect(await datasetRows(table)).toEqual(expectedOrderRows);
    expect(await datasetRunIds(table)).toEqual([run.id]);
    // The staging table was renamed into place: nothing else is left in the schema.
    expect(await datasetSchemaTables()).toEqual([table]);

    const origin = fixture.origin;
    expect(await logMessages(run.id)).toEqual([
      "Attempt 1 of 3 started.",
      `Fetched page 1 from ${origin}/orders: 2 records`,
      `Fetched page 2 from ${origin}/orders: 2 records`,
      'Column "amount" widened from integer to number by later rows.',
      `Fetched page 3 from ${origin}/orders: 1 records`,
      'New column "note" (string) appeared after 4 rows.',
      "Loaded 5 rows into the dataset (10 columns).",
    ]);
  });

  it("replaces the dataset on the next run without duplicating rows", async () => {
    const job = await ordersJobFor();
    const first = await waitForRun((await triggerJob(job)).id);
    expect(first.status).toBe("success");

    fixture.paginated("/orders", [[{ id: 10, name: "Only", amount: 1.5 }]]);
    const second = await waitForRun((await triggerJob(job)).id);
    expect(second.status).toBe("success");
    expect(second.rowsLoaded).toBe(1);

    const table = datasetTableName(job.id);
    expect(await datasetRows(table)).toEqual([{ _row: 1, id: 10, name: "Only", amount: 1.5 }]);
    expect(await datasetRunIds(table)).toEqual([second.id]);
    expect(await datasetOf(job.id)).toMatchObject({
      lastRunId: second.id,
      rowCount: 1,
      columns: [
        { name: "id", type: "integer" },
        { name: "name", type: "string" },
        { name: "amount", type: "number" },
      ],
    });
    expect(await datasetSchemaTables()).toEqual([table]);
    // Results pages seek through one unique (_run_id, _row) index, built with the staging table.
    const indexes = await sql<{ definition: string }[]>`
      SELECT indexdef AS definition FROM pg_indexes WHERE schemaname = ${env.DATASET_SCHEMA} AND tablename = ${table}`;
    expect(indexes.map((index) => index.definition.replace(/^.* USING /, ""))).toEqual(["btree (_run_id, _row)"]);
    expect(indexes[0]!.definition).toMatch(/^CREATE UNIQUE INDEX/);
    // Its statistics are gathered once the run has ended, without the run waiting for them.
    await expect
      .poll(async () => {
        const [stats] = await sql<{ analyzed: boolean }[]>`
          SELECT last_analyze IS NOT NULL AS analyzed FROM pg_stat_user_tables WHERE schemaname = ${env.DATASET_SCHEMA} AND relname = ${table}`;
        return stats?.analyzed;
      })
      .toBe(true);
  });

  // Batches stream into one COPY that stays open across pages: a value PostgreSQL refuses in a later
  // page must still fail the run, in the load stage, with the value named, and leave the dataset as it was.
  it("fails the run when PostgreSQL refuses a value in a later page, keeping the previous dataset", async () => {
    const job = await ordersJobFor();
    expect((await waitForRun((await triggerJob(job)).id)).status).toBe("success");
    const table = datasetTableName(job.id);

    const pages = [1, 2, 3].map((page) => [{ id: page, day: page === 3 ? "2024-02-30" : `2024-01-0${page}` }]);
    fixture.paginated("/orders", pages);
    const failed = await waitForRun((await triggerJob(job)).id);
    // The same rows would be refused again: no retry.
    expect(failed).toMatchObject({ status: "failed", errorStage: "load", attempt: 1 });
    // Its counters say how far it got: every page read, nothing loaded.
    expect(toRunDto(failed)).toMatchObject({ rowsExtracted: 3, rowsLoaded: 0, progress: { rowsRead: 3, rowsLoaded: 0, stage: "load" } });
    expect(failed.errorMessage).toMatch(/SQLSTATE 22008.*2024-02-30/);
    expect(await datasetRows(table)).toEqual(expectedOrderRows);
    expect(await datasetSchemaTables()).toEqual([table]);
  });

  it("requests the next page while the reader works on this one, and nothing ahead when told not to", async () => {
    const { workspace } = await createUser();
    const source = sourceSchema.parse(ordersJob(`${fixture.origin}/orders`).source);
    for (const readAhead of [true, false]) {
      fixture.reset();
      fixture.paginated("/orders", [[{ id: 1 }], [{ id: 2 }], [{ id: 3 }]]);
      const pages = extract(source, { signal: AbortSignal.timeout(10_000), log: async () => undefined, sampleOnly: false, workspaceId: workspace.id, readAhead });
      expect((await pages.next()).value).toEqual([{ id: 1 }]);
      // The reader holds page 1: with read-ahead the request for page 2 is already out.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fixture.requestsTo("/orders")).toBe(readAhead ? 2 : 1);
      const rest: unknown[] = [];
      for await (const page of pages) rest.push(...pageRecords(page));
      expect(rest).toEqual([{ id: 2 }, { id: 3 }]);
      expect(fixture.requestsTo("/orders")).toBe(3);
    }
  });

  it("has the next page's request on the wire while the reader works on this page without pausing", async () => {
    // The server runs on a thread of its own, so it sees a request when it arrives, not when this
    // thread is free again. Three pages: page 2 is requested on a new connection (the first has
    // just answered), page 3 on the first one, kept alive.
    const server = new Worker(
      `const { createServer } = require("node:http");
      const { parentPort } = require("node:worker_threads");
      const server = createServer((req, res) => {
        const page = Number(new URL(req.url, "http://x").searchParams.get("page") ?? 1);
        parentPort.postMessage({ page, at: Date.now(), port: req.socket.remotePort });
        const next = page < 3 ? "/orders?page=" + (page + 1) : null;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ data: { items: [{ id: page }] }, links: { next } }));
      });
      server.listen(0, "127.0.0.1", () => parentPort.postMessage({ listening: server.address().port }));`,
      { eval: true },
    );
    const arrivals = new Map<number, { at: number; port: number }>();
    server.on("message", (message: { page?: number; at: number; port: number }) => {
      if (message.page !== undefined) arrivals.set(message.page, message);
    });
    const [{ listening }] = (await once(server, "message")) as [{ listening: number }];
    const { workspace } = await createUser();
    const source = sourceSchema.parse(ordersJob(`http://127.0.0.1:${listening}/orders`).source);
    const pages = extract(source, { signal: AbortSignal.timeout(10_000), log: async () => undefined, sampleOnly: false, workspaceId: workspace.id, readAhead: true });
    try {
      const busyUntil: number[] = [];
      for (const id of [1, 2]) {
        expect((await pages.next()).value).toEqual([{ id }]);
        // A transform and load that never wait on I/O: the event loop does not turn until they end.
        busyUntil.push(Date.now() + 300);
        while (Date.now() < busyUntil.at(-1)!);
      }
      expect((await pages.next()).value).toEqual([{ id: 3 }]);
      expect((await pages.next()).done).toBe(true);
      await vi.waitFor(() => expect(arrivals.size).toBe(3));
      expect(arrivals.get(2)!.at).toBeLessThan(busyUntil[0]!);
      expect(arrivals.get(3)!.at).toBeLessThan(busyUntil[1]!);
      expect(arrivals.get(3)!.port).toBe(arrivals.get(1)!.port);
    } finally {
      await pages.return(undefined);
      await server.terminate();
    }
  });

  it("reads a response body as UTF-8, whether or not it starts with a byte order mark, small or cut into pieces", async () => {
    const { workspace } = await createUser();
    const source = sourceSchema.parse(ordersJob(`${fixture.origin}/orders`).source);
    const cities = ["Zürich", "東京", "São Paulo 🚲"];
    const small = cities.map((city, i) => ({ id: i + 1, city }));
    // About 400 kB: parsed in pieces (lib/etl/sources/json-bytes.ts).
    const large = Array.from({ length: 6000 }, (_, i) => ({ id: i + 1, city: cities[i % 3], note: `"quoted" \\ {[${i}]}` }));
    for (const records of [small, large]) {
      const body = Buffer.from(JSON.stringify({ data: { items: records }, links: { next: null } }));
      for (const bytes of [body, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body])]) {
        fixture.route("/orders", (_req, res) => void res.writeHead(200, { "content-type": "application/json" }).end(bytes));
        const pages = extract(source, { signal: AbortSignal.timeout(10_000), log: async () => undefined, sampleOnly: false, workspaceId: workspace.id });
        const read: unknown[] = [];
        for await (const page of pages) read.push(...pageRecords(page));
        expect(read).toEqual(records);
      }
    }
  });

  it("asks for compressed bodies and reads gzip, deflate (wrapped or raw) and br, as fetch does", async () => {
    const { workspace } = await createUser();
    const source = sourceSchema.parse(ordersJob(`${fixture.origin}/orders`).source);
    const records = [{ id: 1, city: "Zürich" }, { id: 2, city: "東京" }];
    const body = Buffer.from(JSON.stringify({ data: { items: records }, links: { next: null } }));
    const read = async (from = source) => {
      const pages = extract(from, { signal: AbortSignal.timeout(10_000), log: async () => undefined, sampleOnly: false, workspaceId: workspace.id });
      const rows: unknown[] = [];
      for await (const page of pages) rows.push(...pageRecords(page));
      return rows;
    };
    const codings: [string, Buffer][] = [
      ["gzip", gzipSync(body)],
      ["deflate", deflateSync(body)],
      ["deflate", deflateRawSync(body)],
      ["br", brotliCompressSync(body)],
      ["deflate, gzip", gzipSync(deflateSync(body))],
    ];
    for (const [coding, bytes] of codings) {
      let headers: Record<string, unknown> = {};
      fixture.route("/orders", (req, res) => {
        headers = req.headers;
        res.writeHead(200, { "content-type": "application/json", "content-encoding": coding }).end(bytes);
      });
      expect(await read(), coding).toEqual(records);
      expect(headers).toMatchObject({ "accept-encoding": "gzip, deflate, br", accept: "application/json", "user-agent": "DataFlowHub" });
    }

    // A coding it does not know is left as it came, as fetch leaves it.
    fixture.route("/orders", (_req, res) => void res.writeHead(200, { "content-encoding": "utf-8" }).end(body));
    expect(await read()).toEqual(records);
    fixture.route("/orders", (_req, res) => void res.writeHead(200, { "content-encoding": "gzip" }).end(body));
    await expect(read()).rejects.toThrow(`The response from ${fixture.origin}/orders could not be decompressed: incorrect header check.`);
    fixture.route("/orders", (_req, res) => void res.writeHead(200, { "content-encoding": "br" }).end(body));
    await expect(read()).rejects.toThrow(`The response from ${fixture.origin}/orders could not be decompressed: Decompression failed.`);

    // The job's own headers win, whatever their case.
    let accepted: unknown;
    fixture.route("/orders", (req, res) => {
      accepted = req.headers["accept-encoding"];
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    });
    expect(await read(sourceSchema.parse({ ...ordersJob(`${fixture.origin}/orders`).source, headers: { "Accept-Encoding": "identity" } }))).toEqual(records);
    expect(accepted).toBe("identity");
  });

  it("retries at once after a large compressed error body, which it discards unread", async () => {
    const { workspace } = await createUser();
    const source = sourceSchema.parse(ordersJob(`${fixture.origin}/orders`).source);
    // Half a megabyte once decoded, sent in two parts: more than a decoder nobody reads takes in.
    const noise = gzipSync(JSON.stringify(Array.from({ length: 16_000 }, (_, i) => ({ id: i, v: (i * 7919) % 10_007 }))));
    const body = Buffer.from(JSON.stringify({ data: { items: [{ id: 1 }] }, links: { next: null } }));
    let tries = 0;
    fixture.route("/orders", (_req, res) => {
      if (++tries === 1) {
        res.writeHead(503, { "content-encoding": "gzip" }).write(noise.subarray(0, 1000));
        setTimeout(() => res.end(noise.subarray(1000)), 10);
      }
      else res.writeHead(200, { "content-type": "application/json" }).end(body);
    });
    const started = Date.now();
    const pages = extract(source, { signal: AbortSignal.timeout(20_000), log: async () => undefined, sampleOnly: false, workspaceId: workspace.id });
    const rows: unknown[] = [];
    for await (const page of pages) rows.push(...pageRecords(page));
    expect(rows).toEqual([{ id: 1 }]);
    expect(tries).toBe(2);
    // The retry waits its backoff (under a second), not the request's timeout.
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("stops waiting to retry as soon as the run is stopped, with the run's reason", async () => {
    const { workspace } = await createUser();
    const source = sourceSchema.parse(ordersJob(`${fixture.origin}/orders`).source);
    fixture.route("/orders", (_req, res) => void res.writeHead(503, { "retry-after": "30" }).end());
    const stop = new AbortController();
    const reason = new Error("run cancelled");
    const pages = extract(source, { signal: stop.signal, log: async () => undefined, sampleOnly: false, workspaceId: workspace.id });
    setTimeout(() => stop.abort(reason), 300);
    const started = Date.now();
    await expect(pages.next()).rejects.toBe(reason);
    // Retry-After asked for 30 s.
    expect(Date.now() - started).toBeLessThan(3000);
  });

  // Rows go in binary COPY until a value has no exact binary form (here a number in what became a
  // text column), then as text: the rows of both formats land in order, values as the text format stores them.
  it("switches from binary to text COPY within a run without losing or reordering rows", async () => {
    fixture.paginated("/orders", [
      [{ id: 1, name: "a", amount: 1.5 }],
      [{ id: 2, name: 5, amount: -0.25 }],
      [{ id: 3, name: "c", amount: 1e-7 }],
    ]);
    const job = await ordersJobFor();
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run).toMatchObject({ status: "success", rowsLoaded: 3 });
    expect(await datasetRows(datasetTableName(job.id))).toEqual([
      { _row: 1, id: 1, name: "a", amount: 1.5 },
      { _row: 2, id: 2, name: "5", amount: -0.25 },
      { _row: 3, id: 3, name: "c", amount: 1e-7 },
    ]);
  });

  it("reads a body in the charset its server declares, and fails on one it cannot read", async () => {
    const { workspace } = await createUser();
    const source = sourceSchema.parse(ordersJob(`${fixture.origin}/orders`).source);
    const read = async () => {
      const pages = extract(source, { signal: AbortSignal.timeout(10_000), log: async () => undefined, sampleOnly: false, workspaceId: workspace.id });
      const records: unknown[] = [];
      for await (const page of pages) records.push(...pageRecords(page));
      return records;
    };
    const body = Buffer.from(JSON.stringify({ data: { items: [{ id: 1, city: "Café Zürich" }] }, links: { next: null } }), "latin1");
    for (const contentType of ["application/json; charset=iso-8859-1", 'application/json;charset="Windows-1252"']) {
      fixture.route("/orders", (_req, res) => void res.writeHead(200, { "content-type": contentType }).end(body));
      expect(await read()).toEqual([{ id: 1, city: "Café Zürich" }]);
    }
    fixture.route("/orders", (_req, res) => void res.writeHead(200, { "content-type": "application/json; charset=x-klingon" }).end(body));
    await expect(read()).rejects.toThrow(/declares charset "x-klingon", which is not one this reader knows\.$/);
  });

  it("reads a page a next link leads back to only once, and says where it stopped", async () => {
    const { workspace } = await createUser();
    const source = sourceSchema.parse(ordersJob(`${fixture.origin}/orders`).source);
    fixture.route("/orders", (req, res) => {
      const second = req.url?.includes("page=2");
      const page = { data: { items: [{ id: second ? 2 : 1 }] }, links: { next: `${fixture.origin}/orders${second ? "" : "?page=2"}` } };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(page));
    });
    const lines: string[] = [];
    const pages = extract(source, {
      signal: AbortSignal.timeout(10_000),
      log: async (level, message) => void lines.push(`${level}: ${message}`),
      sampleOnly: false,
      workspaceId: workspace.id,
    });
    const records: unknown[] = [];
    for await (const page of pages) records.push(...pageRecords(page));
    expect(records).toEqual([{ id: 1 }, { id: 2 }]);
    expect(lines.at(-1)).toBe(`warn: Page 2 links to ${fixture.origin}/orders, a page already read; stopped there.`);
  });

  it("loads an empty source as an empty dataset", async () => {
    fixture.paginated("/orders", [[]]);
    const job = await ordersJobFor();
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run).toMatchObject({ status: "success", rowsExtracted: 0, rowsLoaded: 0 });
    expect(await datasetOf(job.id)).toMatchObject({ columns: [], rowCount: 0, lastRunId: run.id });
    expect(await datasetRows(datasetTableName(job.id))).toEqual([]);
  });

  it("keeps a job's runs apart: two jobs load two datasets", async () => {
    const a = await ordersJobFor("A");
    const b = await createJob({
      workspaceId: a.workspaceId,
      userId: a.createdBy!,
      name: "B",
      definition: ordersJob(`${fixture.origin}/orders`),
    });
    const [runA, runB] = await Promise.all([triggerJob(a), triggerJob(b)]);
    expect((await waitForRun(runA.id)).status).toBe("success");
    expect((await waitForRun(runB.id)).status).toBe("success");
    expect(await datasetRows(datasetTableName(a.id))).toEqual(expectedOrderRows);
    expect(await datasetRows(datasetTableName(b.id))).toEqual(expectedOrderRows);
    expect((await getRun(db, runB.id))?.rowsLoaded).toBe(5);
  });
});
