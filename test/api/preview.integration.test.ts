import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as createJob } from "@/app/api/v1/jobs/route";
import { PATCH as patchJob } from "@/app/api/v1/jobs/[id]/route";
import { POST as preview } from "@/app/api/v1/preview/route";
import { forgetPrincipals } from "@/lib/auth/principal-cache";
import { sql } from "@/lib/db/client";
import type { Preview } from "@/lib/schemas/preview";
import { apiToken, call, expectProblem } from "../api";
import { addMember, createMemberOnly, createUser, datasetSchemaTables, resetDatabase, resetQueue } from "../db";
import { sendJson, startFixtureServer, type FixtureServer } from "../fixture-server";

let fixture: FixtureServer;
let token: string;
let workspaceId: string;

/** Two pages of orders; a preview must read only the first. */
const pages = [
  [
    { id: 1, customer: { name: "Ada", city: "London" }, amount: "10.50", tags: ["vip"] },
    { id: 2, customer: { name: "Bob" }, amount: "7", tags: [] },
    { id: 3, customer: { name: "Cy", city: "Paris" }, amount: "n/a", tags: null },
  ],
  [{ id: 4, customer: { name: "Dee" }, amount: "1" }],
];

const source = () => ({
  type: "http",
  url: `${fixture.origin}/orders`,
  recordsPath: "data.items",
  pagination: { type: "next_url", nextUrlPath: "links.next" },
});

const post = (json: unknown, as = token) => call(preview, { method: "POST", path: "/api/v1/preview", token: as, json });

beforeAll(async () => {
  fixture = await startFixtureServer();
});

afterAll(async () => {
  await fixture?.close();
});

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  fixture.reset();
  fixture.paginated("/orders", pages);
  const { user, workspace } = await createUser("owner");
  token = await apiToken(user.id);
  workspaceId = workspace.id;
});

describe("POST /api/v1/preview", () => {
  it("shows the source's sample and every step's output, reading only the first page", async () => {
    const res = await post({
      source: source(),
      transform: [
        { op: "normalize" },
        { op: "filter", expr: "d => d.id < 3" },
        { op: "cast", columns: { amount: "number" } },
        { op: "derive", columns: { gross: "d => d.amount * 1.2" } },
        { op: "select", columns: ["id", "customer.name", "gross"] },
      ],
      rows: 2,
    });
    expect(res.status).toBe(200);
    expect(fixture.requests).toEqual(["/orders"]);
    expect(res.body).toMatchObject({ sampleSize: 3, error: null, log: [{ level: "info", message: `Fetched page 1 from ${fixture.origin}/orders: 3 records` }] });
    expect(res.body.durationMs).toEqual(expect.any(Number));

    expect(res.body.source).toEqual({
      rowCount: 3,
      columns: [
        { name: "id", type: "integer", nullCount: 0, distinctCount: 3, distinct: [1, 2, 3] },
        {
          name: "customer",
          type: "json",
          nullCount: 0,
          distinctCount: 3,
          distinct: [{ name: "Ada", city: "London" }, { name: "Bob" }, { name: "Cy", city: "Paris" }],
        },
        { name: "amount", type: "string", nullCount: 0, distinctCount: 3, distinct: ["10.50", "7", "n/a"] },
        { name: "tags", type: "json", nullCount: 1, distinctCount: 2, distinct: [["vip"], []] },
      ],
      rows: [
        { id: 1, customer: { name: "Ada", city: "London" }, amount: "10.50", tags: ["vip"] },
        { id: 2, customer: { name: "Bob" }, amount: "7", tags: [] },
      ],
    });

    const outputs = (res.body as Preview).steps.map((step) => step.output!);
    expect((res.body as Preview).steps.map((s) => [s.index, s.op, s.status, s.error])).toEqual([
      [0, "normalize", "ok", null],
      [1, "filter", "ok", null],
      [2, "cast", "ok", null],
      [3, "derive", "ok", null],
      [4, "select", "ok", null],
    ]);
    expect(outputs[0]!.columns.map((c) => [c.name, c.type, c.nullCount])).toEqual([
      ["id", "integer", 0],
      ["customer.name", "string", 0],
      ["customer.city", "string", 1],
      ["amount", "string", 0],
      ["tags", "json", 1],
    ]);
    expect(outputs[1]!.rowCount).toBe(2);
    // The cast overrides inference: 7 is an integer, but the column is a number.
    expect(outputs[2]!.columns.find((c) => c.name === "amount")).toEqual({
      name: "amount",
      type: "number",
      nullCount: 0,
      distinctCount: 2,
      distinct: [10.5, 7],
    });
    expect(outputs[4]).toEqual({
      rowCount: 2,
      columns: [
        { name: "id", type: "integer", nullCount: 0, distinctCount: 2, distinct: [1, 2] },
        { name: "customer.name", type: "string", nullCount: 0, distinctCount: 2, distinct: ["Ada", "Bob"] },
        { name: "gross", type: "number", nullCount: 0, distinctCount: 2, distinct: [12.6, 8.4] },
      ],
      rows: [
        { id: 1, "customer.name": "Ada", gross: 12.6 },
        { id: 2, "customer.name": "Bob", gross: 8.4 },
      ],
    });
  });

  it("returns a failing step's error, the outputs before it, and skips the rest", async () => {
    const res = await post({
      source: source(),
      transform: [{ op: "normalize" }, { op: "cast", columns: { amount: "number" } }, { op: "limit", count: 1 }],
    });
    expect(res.status).toBe(200);
    const message = 'Step 2 (cast): cannot cast "n/a" to number in column "amount" at row 3.';
    expect(res.body.error).toEqual({ stage: "transform", step: 1, message });
    expect(res.body.steps.map((s: { status: string; error: string | null }) => [s.status, s.error])).toEqual([
      ["ok", null],
      ["error", message],
      ["skipped", null],
    ]);
    // The state just before the failing step: the normalized sample.
    expect(res.body.steps[0].output.rowCount).toBe(3);
    expect(res.body.steps[1].output).toBeNull();
  });

  it("names an unknown column with the available ones", async () => {
    const res = await post({ source: source(), transform: [{ op: "normalize" }, { op: "sort", by: [{ column: "amont" }] }] });
    expect(res.body.error).toEqual({
      stage: "transform",
      step: 1,
      message: 'Step 2 (sort): unknown column "amont"; available: "id", "customer.name", "customer.city", "amount", "tags".',
    });
    expect(res.body.steps[0].status).toBe("ok");
  });

  it("reports a source that fails, with no step run", async () => {
    fixture.route("/broken", (_req, res) => sendJson(res, 404, { error: "nope" }));
    const res = await post({ source: { ...source(), url: `${fixture.origin}/broken` }, transform: [{ op: "normalize" }] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      sampleSize: 0,
      source: null,
      error: { stage: "extract", step: null, message: `${fixture.origin}/broken answered HTTP 404 Not Found.` },
      steps: [{ index: 0, op: "normalize", status: "skipped", output: null, error: null }],
    });
  });

  it("takes at most sampleSize records", async () => {
    const res = await post({ source: source(), sampleSize: 2, rows: 1 });
    expect(res.body.sampleSize).toBe(2);
    expect(res.body.source.rowCount).toBe(2);
    expect(res.body.source.rows).toHaveLength(1);
    expect(res.body.steps).toEqual([]);
  });

  it("previews 1,000 records through every kind of step within 2 seconds", async () => {
    const records = Array.from({ length: 1000 }, (_, i) => ({
      id: i,
      customer: { name: `c${i % 37}`, address: { city: ["London", "Paris", "Rome"][i % 3] } },
      lines: [{ sku: `s${i % 11}`, qty: (i % 5) + 1, price: 2.5 }],
      created: `2024-01-${String((i % 28) + 1).padStart(2, "0")}T10:00:00Z`,
    }));
    fixture.route("/big", (_req, res) => sendJson(res, 200, { data: { items: records } }));
    const started = Date.now();
    const res = await post({
      source: { ...source(), url: `${fixture.origin}/big` },
      sampleSize: 1000,
      transform: [
        { op: "normalize" },
        { op: "explode", column: "lines" },
        { op: "derive", columns: { total: 'd => d["lines.qty"] * d["lines.price"]' } },
        { op: "cast", columns: { created: "timestamp" } },
        { op: "filter", expr: "d => d.total > 2.5" },
        { op: "dedupe", columns: ["customer.name", "lines.sku"] },
        { op: "aggregate", groupBy: ["customer.address.city"], metrics: { revenue: "op.sum(d.total)", n: "op.count()" } },
        { op: "sort", by: [{ column: "revenue", desc: true }] },
      ],
    });
    const elapsed = Date.now() - started;
    expect(res.body.error).toBeNull();
    expect(res.body.steps.map((s: { output: { rowCount: number } }) => s.output.rowCount)).toEqual([1000, 1000, 1000, 1000, 800, 407, 3, 3]);
    expect(elapsed).toBeLessThan(2000);
  });

  it("previews a saved job, with steps from the request replacing its own", async () => {
    const created = await call(createJob, { method: "POST", path: "/api/v1/jobs", token, json: { name: "Orders", source: source(), transform: [{ op: "normalize" }] } });
    expect(created.status).toBe(201);
    const saved = await post({ jobId: created.body.id, sampleSize: 1 });
    expect(saved.body.steps.map((s: { op: string }) => s.op)).toEqual(["normalize"]);
    expect(saved.body.steps[0].output.columns.map((c: { name: string }) => c.name)).toEqual(["id", "customer.name", "customer.city", "amount", "tags"]);

    const edited = await post({ jobId: created.body.id, transform: [{ op: "normalize", maxLevel: 0 }, { op: "drop", columns: ["customer"] }] });
    expect(edited.body.steps[1].output.columns.map((c: { name: string }) => c.name)).toEqual(["id", "amount", "tags"]);
  });

  it("creates no run and loads nothing", async () => {
    await post({ source: source(), transform: [{ op: "normalize" }] });
    const [runs] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM runs`;
    expect(runs?.n).toBe(0);
    expect(await datasetSchemaTables()).toEqual([]);
  });

  it("refuses an unsafe expression with 422 naming the step", async () => {
    const res = await post({
      source: source(),
      transform: [{ op: "normalize" }, { op: "derive", columns: { x: "d => globalThis.process.exit(1)" } }],
    });
    const problem = expectProblem(res, 422);
    expect(problem.errors).toEqual([
      {
        path: "transform.1.columns.x",
        message:
          'only op.* functions may be called: expressions may use only column references (d.amount), op.* functions, literals and operators (at "globalThis.process.exit(1)")',
      },
    ]);
  });

  it("validates the request", async () => {
    expect(expectProblem(await post({ transform: [] }), 422).errors).toEqual([{ path: "source", message: "give a source, or the jobId of a saved job" }]);
    expect(expectProblem(await post({ source: source(), sampleSize: 1001 }), 422).errors?.[0]?.path).toBe("sampleSize");
    expect(expectProblem(await post({ source: source(), nme: "typo" }), 422).errors?.[0]?.message).toBe('Unrecognized key: "nme"');
  });

  it("needs the editor role in the workspace, and hides other workspaces", async () => {
    const viewer = await createMemberOnly("viewer", workspaceId, "viewer");
    const viewerToken = await apiToken(viewer.id);
    expectProblem(await post({ source: source() }, viewerToken), 403);

    const stranger = await createUser("stranger");
    const strangerToken = await apiToken(stranger.user.id);
    expectProblem(await post({ source: source(), workspaceId }, strangerToken), 404);
    const job = await call(createJob, { method: "POST", path: "/api/v1/jobs", token, json: { name: "Mine", source: source() } });
    expectProblem(await post({ jobId: job.body.id }, strangerToken), 404);

    // Made an editor, the viewer may preview there.
    await sql`UPDATE memberships SET role = 'editor' WHERE user_id = ${viewer.id}`;
    // Written past the services, so it forgets cached callers as their writes do.
    forgetPrincipals();
    expect((await post({ source: source(), workspaceId }, viewerToken)).status).toBe(200);
    await addMember(stranger.user.id, workspaceId, "viewer");
    expectProblem(await post({ jobId: job.body.id }, strangerToken), 403);
  });
});

describe("saving jobs with expressions", () => {
  it("answers 422 pointing at the step for POST and PATCH", async () => {
    const bad = [{ op: "normalize" }, { op: "select", columns: ["id"] }, { op: "filter", expr: "d => this.constructor.constructor('return process')()" }];
    const created = await call(createJob, { method: "POST", path: "/api/v1/jobs", token, json: { name: "Bad", source: source(), transform: bad } });
    expect(expectProblem(created, 422).errors).toEqual([
      {
        path: "transform.2.expr",
        message:
          'only op.* functions may be called: expressions may use only column references (d.amount), op.* functions, literals and operators (at "this.constructor.constructor(\'return process\')()")',
      },
    ]);

    const good = await call(createJob, { method: "POST", path: "/api/v1/jobs", token, json: { name: "Good", source: source() } });
    const patched = await call(patchJob, {
      method: "PATCH",
      path: `/api/v1/jobs/${good.body.id}`,
      params: { id: good.body.id },
      token,
      json: { transform: [{ op: "aggregate", metrics: { total: "d => d.amount" } }] },
    });
    expect(expectProblem(patched, 422).errors).toEqual([
      {
        path: "transform.0.metrics.total",
        message: 'a metric may use columns only inside aggregate functions, like op.sum(d.amount) (at "d.amount")',
      },
    ]);
  });
});
