import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { datasetTableName } from "@/lib/db/identifiers";
import { cancelRunRow, getRun, insertRun } from "@/lib/db/queries/runs";
import { env } from "@/lib/env";
import { executeRunIsolated } from "@/lib/etl/isolated-run";
import { toRunDto } from "@/lib/services/dto";
import { createUser, datasetRows, datasetSchemaTables, resetDatabase, resetQueue, tableColumns } from "../db";
import { sendJson, startFixtureServer, type FixtureServer } from "../fixture-server";
import { claimed, startRunsWorker, waitForRun } from "../worker";
import { orderPages } from "./fixtures";
import { createJob, datasetOf, logMessages, triggerJob } from "./jobs";

let fixture: FixtureServer;
let worker: Awaited<ReturnType<typeof startRunsWorker>>;

/** Two pages of shop orders with line items; order 1 comes twice, as paginated APIs sometimes do. */
const shopPages = [
  [
    {
      id: 1,
      customer: { name: "Ada", country: "UK" },
      status: "paid",
      placed_at: "2024-03-01T10:00:00Z",
      discount: null,
      lines: [
        { sku: "A", qty: 2, price: 5 },
        { sku: "B", qty: 1, price: 10 },
      ],
    },
    { id: 2, customer: { name: "Bob", country: "FR" }, status: "refunded", placed_at: "2024-03-02T10:00:00Z", lines: [{ sku: "A", qty: 1, price: 5 }] },
  ],
  [
    { id: 3, customer: { name: "Cy", country: "UK" }, status: "paid", placed_at: "2024-03-03T09:30:00+01:00", discount: 0.1, lines: [{ sku: "C", qty: 3, price: 2.5 }] },
    {
      id: 1,
      customer: { name: "Ada", country: "UK" },
      status: "paid",
      placed_at: "2024-03-01T10:00:00Z",
      discount: null,
      lines: [
        { sku: "A", qty: 2, price: 5 },
        { sku: "B", qty: 1, price: 10 },
      ],
    },
  ],
];

const source = (path: string) => ({
  type: "http" as const,
  url: `${fixture.origin}${path}`,
  recordsPath: "data.items",
  pagination: { type: "next_url" as const, nextUrlPath: "links.next" },
});

async function jobWith(path: string, transform: unknown[], retry = { attempts: 1, backoffSeconds: 1 }) {
  const { user, workspace } = await createUser();
  return createJob({ workspaceId: workspace.id, userId: user.id, name: "Shop", definition: { source: source(path), transform, retry } });
}

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
  fixture.paginated("/shop", shopPages);
  fixture.paginated("/orders", orderPages);
});

describe("transform steps in a run through the worker", () => {
  it("normalizes, explodes, filters, derives, casts, fills, dedupes, sorts, renames and selects", async () => {
    const job = await jobWith("/shop", [
      { op: "normalize" },
      { op: "explode", column: "lines", prefix: "line." },
      { op: "filter", expr: "d => d.status === 'paid'" },
      { op: "derive", columns: { line_total: 'd => d["line.qty"] * d["line.price"]', country: 'd => op.lower(d["customer.country"])' } },
      { op: "cast", columns: { "line.qty": "number", placed_at: "date" } },
      { op: "fillNull", values: { discount: 0 } },
      { op: "dedupe" },
      { op: "sort", by: [{ column: "line_total", desc: true }, { column: "id" }] },
      { op: "rename", columns: { "customer.name": "customer", "line.sku": "sku" } },
      { op: "select", columns: ["id", "customer", "country", "sku", "line.qty", "line_total", "discount", "placed_at"] },
    ]);
    const run = await waitForRun((await triggerJob(job)).id);
    expect(toRunDto(run)).toMatchObject({ status: "success", rowsExtracted: 4, rowsLoaded: 3, error: null });

    const table = datasetTableName(job.id);
    expect(await tableColumns(env.DATASET_SCHEMA, table)).toEqual({
      _run_id: "uuid",
      _row: "bigint",
      id: "bigint",
      customer: "text",
      country: "text",
      sku: "text",
      // Inference would make integers of the quantities; the cast says number.
      "line.qty": "double precision",
      line_total: "double precision",
      discount: "double precision",
      placed_at: "date",
    });
    expect(await datasetRows(table)).toEqual([
      { _row: 1, id: 1, customer: "Ada", country: "uk", sku: "A", "line.qty": 2, line_total: 10, discount: 0, placed_at: "2024-03-01" },
      { _row: 2, id: 1, customer: "Ada", country: "uk", sku: "B", "line.qty": 1, line_total: 10, discount: 0, placed_at: "2024-03-01" },
      { _row: 3, id: 3, customer: "Cy", country: "uk", sku: "C", "line.qty": 3, line_total: 7.5, discount: 0.1, placed_at: "2024-03-03" },
    ]);
  });

  it("loads a Date that lands in a text column as ISO 8601, as the preview shows it", async () => {
    const job = await jobWith("/shop", [
      { op: "dedupe", columns: ["id"] },
      { op: "derive", columns: { x: 'd => d.id > 1 ? op.parse_date("2024-01-01T00:00:00Z") : "n/a"' } },
      { op: "select", columns: ["id", "x"] },
    ]);
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run.status).toBe("success");
    const table = datasetTableName(job.id);
    expect(await tableColumns(env.DATASET_SCHEMA, table)).toMatchObject({ x: "text" });
    expect(await datasetRows(table)).toEqual([
      { _row: 1, id: 1, x: "n/a" },
      { _row: 2, id: 2, x: "2024-01-01T00:00:00.000Z" },
      { _row: 3, id: 3, x: "2024-01-01T00:00:00.000Z" },
    ]);
  });

  it("aggregates over every page", async () => {
    const job = await jobWith("/shop", [
      { op: "normalize" },
      { op: "dedupe", columns: ["id"] },
      { op: "explode", column: "lines", prefix: "" },
      {
        op: "aggregate",
        groupBy: ["customer.country"],
        metrics: {
          revenue: "op.sum(d.qty * d.price)",
          lines: "op.count()",
          orders: "op.distinct(d.id)",
          average_price: "op.mean(d.price)",
          cheapest: "op.min(d.price)",
          dearest: "op.max(d.price)",
        },
      },
      { op: "sort", by: [{ column: "customer.country" }] },
    ]);
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run.status).toBe("success");
    expect(await datasetRows(datasetTableName(job.id))).toEqual([
      { _row: 1, "customer.country": "FR", revenue: 5, lines: 1, orders: 1, average_price: 5, cheapest: 5, dearest: 5 },
      { _row: 2, "customer.country": "UK", revenue: 27.5, lines: 3, orders: 2, average_price: 5.833333333333333, cheapest: 2.5, dearest: 10 },
    ]);
  });

  it("stops reading the source once a limit is reached", async () => {
    const job = await jobWith("/orders", [{ op: "normalize" }, { op: "limit", count: 3 }, { op: "select", columns: ["id", "name"] }]);
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run).toMatchObject({ status: "success", rowsExtracted: 4, rowsLoaded: 3 });
    // Pages hold 2, 2 and 1 records: the third page is never requested.
    expect(fixture.requests).toEqual(["/orders", "/orders?page=2"]);
    expect(await datasetRows(datasetTableName(job.id))).toEqual([
      { _row: 1, id: 1, name: "Ada" },
      { _row: 2, id: 2, name: "Bob\tTab" },
      { _row: 3, id: 3, name: "Cy\nNewline" },
    ]);
    expect(await logMessages(run.id)).toContain("The limit step was reached after 4 source rows; stopped reading the source.");
  });

  it("fails in the transform stage with the step, column and row of a bad cast, leaving nothing behind", async () => {
    const job = await jobWith("/orders", [{ op: "normalize" }, { op: "cast", columns: { "customer.address.city": "integer" } }]);
    const run = await waitForRun((await triggerJob(job)).id);
    expect(toRunDto(run).error).toEqual({
      stage: "transform",
      message: 'Step 2 (cast): cannot cast "London" to integer in column "customer.address.city" at row 1.',
    });
    expect(await datasetOf(job.id)).toBeUndefined();
    expect(await datasetSchemaTables()).toEqual([]);
  });

  it("fails with the unknown column and the available ones", async () => {
    const job = await jobWith("/shop", [{ op: "normalize" }, { op: "select", columns: ["id", "custmer.name"] }]);
    const run = await waitForRun((await triggerJob(job)).id);
    expect(toRunDto(run).error).toEqual({
      stage: "transform",
      message:
        'Step 2 (select): unknown column "custmer.name"; available: "id", "customer.name", "customer.country", "status", "placed_at", "discount", "lines".',
    });
  });
});

describe("the per-run time limit", () => {
  /** 60,000 records whose regular expression test costs ~0.3 ms each: a step that computes for about 20 s. */
  const stuckSource = () =>
    fixture.route("/many", (_req, res) =>
      sendJson(res, 200, { data: { items: Array.from({ length: 60_000 }, (_, i) => ({ s: `${"a".repeat(30)}b${i}` })) } }),
    );

  async function pendingRun(path: string, transform: unknown[]) {
    const job = await jobWith(path, transform);
    return insertRun(db, { jobId: job.id, workspaceId: job.workspaceId, trigger: "api", definition: job.definition });
  }

  it("ends a run whose step computes past the limit, while other runs go on", async () => {
    stuckSource();
    const stuck = await pendingRun("/many", [{ op: "filter", expr: "d => op.match(d.s, /^(a+)+$/) != null" }]);
    const quick = await pendingRun("/orders", [{ op: "normalize" }]);

    const started = Date.now();
    const [stuckOutcome, quickOutcome] = await Promise.all([
      executeRunIsolated(stuck.id, await claimed(stuck.id, 1, 1), { timeLimitMs: 6000, graceMs: 1000 }),
      executeRunIsolated(quick.id, await claimed(quick.id, 1, 1)),
    ]);
    const elapsed = Date.now() - started;

    expect(quickOutcome).toEqual({ kind: "success", rowsLoaded: 5 });
    expect(stuckOutcome).toEqual({
      kind: "failed",
      stage: "transform",
      message: "The run exceeded its time limit of 6 s and was stopped.",
      permanent: false,
      final: true,
    });
    // Stopped at limit + grace, not after the ~20 s the step would take.
    expect(elapsed).toBeLessThan(12_000);
    const run = (await getRun(db, stuck.id))!;
    expect(toRunDto(run)).toMatchObject({ status: "failed", error: { stage: "transform", message: "The run exceeded its time limit of 6 s and was stopped." } });
    const log = await logMessages(stuck.id);
    expect(log).toContain(`Fetched page 1 from ${fixture.origin}/many: 60000 records`);
    expect(log.at(-1)).toBe("transform failed: The run exceeded its time limit of 6 s and was stopped.");
    // The staging table of the stopped attempt was dropped; only the quick run's dataset remains.
    expect(await datasetSchemaTables()).toEqual([datasetTableName(quick.jobId)]);

    // The next run gets a fresh thread and works.
    const next = await pendingRun("/orders", [{ op: "normalize" }, { op: "limit", count: 1 }]);
    expect(await executeRunIsolated(next.id, await claimed(next.id, 1, 1))).toEqual({ kind: "success", rowsLoaded: 1 });
  }, 60_000);

  it("aborts a source that is still waiting when the limit passes, in the extract stage", async () => {
    fixture.route("/slow", (_req, res) => {
      setTimeout(() => sendJson(res, 200, { data: { items: [{ id: 1 }] } }), 10_000).unref();
    });
    const run = await pendingRun("/slow", []);
    const started = Date.now();
    const outcome = await executeRunIsolated(run.id, await claimed(run.id, 1, 2), { timeLimitMs: 3000 });
    expect(outcome).toEqual({
      kind: "failed",
      stage: "extract",
      message: "The run exceeded its time limit of 3 s and was stopped.",
      permanent: false,
      final: false,
    });
    // The run failed itself, before the thread would have been stopped at limit + grace.
    expect(Date.now() - started).toBeLessThan(9000);
    expect((await logMessages(run.id)).slice(-2)).toEqual([
      "extract failed: The run exceeded its time limit of 3 s and was stopped.",
      "Attempt 1 of 2 failed; the run will be retried.",
    ]);
  }, 30_000);

  it("stops a computing run that was cancelled", async () => {
    stuckSource();
    const run = await pendingRun("/many", [{ op: "filter", expr: "d => op.match(d.s, /^(a+)+$/) != null" }]);
    const outcome = executeRunIsolated(run.id, await claimed(run.id, 1, 1));
    // Cancel once the run is busy in its step, as POST /runs/{id}/cancel does.
    for (let i = 0; i < 200 && !(await logMessages(run.id)).some((m) => m.startsWith("Fetched page 1")); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await cancelRunRow(db, run.id))?.status).toBe("cancelled");
    expect(await outcome).toEqual({ kind: "cancelled" });
    expect((await logMessages(run.id)).at(-1)).toBe("Run cancelled; the dataset was left unchanged.");
    expect(await datasetSchemaTables()).toEqual([]);
  }, 60_000);
});
