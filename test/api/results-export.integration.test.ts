import { eq } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as jobDataProfile } from "@/app/api/v1/jobs/[id]/data/profile/route";
import { GET as jobData } from "@/app/api/v1/jobs/[id]/data/route";
import { POST as triggerRun } from "@/app/api/v1/jobs/[id]/runs/route";
import { POST as createJob } from "@/app/api/v1/jobs/route";
import { GET as runResultsProfile } from "@/app/api/v1/runs/[id]/results/profile/route";
import { GET as runResults } from "@/app/api/v1/runs/[id]/results/route";
import { db, sql } from "@/lib/db/client";
import { datasetTableName, qualified } from "@/lib/db/identifiers";
import { datasets } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { apiToken, BASE_URL, call, expectProblem } from "../api";
import { createMemberOnly, createUser, resetDatabase, resetQueue } from "../db";
import { startFixtureServer, type FixtureServer } from "../fixture-server";
import { orderPages, ordersJob } from "../integration/fixtures";
import { startRunsWorker, waitForRun } from "../worker";

let fixture: FixtureServer;
let worker: Awaited<ReturnType<typeof startRunsWorker>>;
let token: string;
let workspaceId: string;
let jobId: string;
let runId: string;

beforeAll(async () => {
  fixture = await startFixtureServer();
  worker = await startRunsWorker();
});

afterAll(async () => {
  await worker?.close();
  await fixture?.close();
});

async function trigger(id: string) {
  const triggered = await call(triggerRun, { method: "POST", path: "/", params: { id }, token });
  expect(triggered.status).toBe(202);
  await waitForRun(triggered.body.id);
  return triggered.body.id as string;
}

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  fixture.reset();
  fixture.paginated("/orders", orderPages);
  const { user, workspace } = await createUser("analyst");
  workspaceId = workspace.id;
  token = await apiToken(user.id);
  const created = await call(createJob, {
    method: "POST",
    path: "/api/v1/jobs",
    token,
    json: { name: "Shop orders / 2024", ...ordersJob(`${fixture.origin}/orders`) },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  jobId = created.body.id;
  runId = await trigger(jobId);
});

/** The handler's own Response, unread, so a test can consume the stream chunk by chunk. */
async function raw(handler: typeof runResults, path: string, id: string, as = token): Promise<Response> {
  const req = new NextRequest(new URL(path, BASE_URL), { headers: { authorization: `Bearer ${as}` } });
  return handler(req, { params: Promise.resolve({ id }) });
}

const HEADER = "id,name,amount,paid,created_at,due,customer.name,customer.address.city,tags,note";

describe("format=csv and format=ndjson", () => {
  it("streams a run's rows as CSV: header, RFC 4180 quoting, typed values, nulls empty", async () => {
    const res = await raw(runResults, `/api/v1/runs/${runId}/results?format=csv`, runId);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="Shop-orders-2024-run-${runId.slice(0, 8)}.csv"; filename*=UTF-8''Shop-orders-2024-run-${runId.slice(0, 8)}.csv`,
    );
    expect(await res.text()).toBe(
      [
        HEADER,
        '1,Ada,10,true,2024-01-02T03:04:05.000Z,2024-02-01,Ada L,London,"[""vip"",""new""]",',
        "2,Bob\tTab,20,false,2024-01-03T08:00:00.000Z,2024-02-02,Bob,Paris,[],",
        '3,"Cy\nNewline",12.5,,2024-01-04T08:30:00.000Z,,Cy,,"[""ab""]",',
        "4,Dee \\ backslash,7,true,2024-01-05T00:00:00.123Z,2024-02-04,Dee,Berlin,\"[\"\"x\"\"]\",",
        "5,Eve,-1.25,false,2024-01-06T12:00:00.000Z,2024-02-05,Eve,Rome,,late column",
        "",
      ].join("\r\n"),
    );
  });

  it("downloads only what matches the filters and search, in the requested order", async () => {
    const res = await raw(runResults, `/api/v1/runs/${runId}/results?format=csv&filter[amount][gt]=0&q=e&sort=-amount&page=2&pageSize=1`, runId);
    // Paging is ignored: everything matching. "e" is in Dee and in Cy's "Newline"; Eve's amount is negative.
    const lines = (await res.text()).split("\r\n").map((line) => line.split(",")[0]);
    expect(lines).toEqual(["id", "3", "4", ""]);
  });

  it("streams the job's dataset as NDJSON, one object per row with every column", async () => {
    const res = await raw(jobData, `/api/v1/jobs/${jobId}/data?format=ndjson&filter[paid]=true`, jobId);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect(res.headers.get("content-disposition")).toContain('filename="Shop-orders-2024-data.ndjson"');
    const rows = (await res.text())
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(rows).toEqual([
      {
        id: 1,
        name: "Ada",
        amount: 10,
        paid: true,
        created_at: "2024-01-02T03:04:05.000Z",
        due: "2024-02-01",
        "customer.name": "Ada L",
        "customer.address.city": "London",
        tags: ["vip", "new"],
        note: null,
      },
      {
        id: 4,
        name: "Dee \\ backslash",
        amount: 7,
        paid: true,
        created_at: "2024-01-05T00:00:00.123Z",
        due: "2024-02-04",
        "customer.name": "Dee",
        "customer.address.city": "Berlin",
        tags: ["x"],
        note: null,
      },
    ]);
  });

  it("answers a proper error, not a broken download, for a bad filter value or column", async () => {
    const bad = await call(runResults, { path: `/api/v1/runs/${runId}/results?format=csv&filter[amount][gt]=abc`, params: { id: runId }, token });
    expect(expectProblem(bad, 422).errors?.[0]?.path).toBe("filter[amount][gt]");
    // A value only PostgreSQL refuses fails the first batch, read before the download's answer.
    const refused = await call(runResults, { path: `/api/v1/runs/${runId}/results?format=csv&filter[due]=soon`, params: { id: runId }, token });
    expect(expectProblem(refused, 422).detail).toBe("A value in the request does not fit the type of the column it is compared with.");
    const unknown = await call(jobData, { path: `/api/v1/jobs/${jobId}/data?format=ndjson&sort=nope`, params: { id: jobId }, token });
    expect(expectProblem(unknown, 422).detail).toBe('Unknown column "nope".');
    const format = await call(jobData, { path: `/api/v1/jobs/${jobId}/data?format=xlsx`, params: { id: jobId }, token });
    expect(expectProblem(format, 422).errors?.[0]?.path).toBe("format");
  });

  it("gives a replaced run's download the header only, and strangers a 404", async () => {
    const second = await trigger(jobId);
    expect(await (await raw(runResults, `/api/v1/runs/${runId}/results?format=csv`, runId)).text()).toBe(`${HEADER}\r\n`);
    expect((await (await raw(runResults, `/api/v1/runs/${second}/results?format=csv`, second)).text()).split("\r\n")).toHaveLength(7);
    const stranger = await apiToken((await createUser("stranger")).user.id);
    expect((await raw(runResults, `/api/v1/runs/${runId}/results?format=csv`, runId, stranger)).status).toBe(404);
    const viewer = await apiToken((await createMemberOnly("viewer", workspaceId, "viewer")).id);
    expect((await raw(jobData, `/api/v1/jobs/${jobId}/data?format=csv`, jobId, viewer)).status).toBe(200);
  });
});

describe("streaming a large dataset", () => {
  const ROWS = 30_000;

  /** Swaps in a generated dataset table (the read path does not care who wrote it). */
  async function generateDataset() {
    const table = qualified(env.DATASET_SCHEMA, datasetTableName(jobId));
    await sql.unsafe(`DROP TABLE IF EXISTS ${table}`);
    await sql.unsafe(
      `CREATE TABLE ${table} AS SELECT '${runId}'::uuid AS _run_id, n::bigint AS _row, n::bigint AS n, 'row ' || n AS label
       FROM generate_series(1, ${ROWS}) AS n`,
    );
    await db
      .update(datasets)
      .set({ columns: [{ name: "n", type: "integer" }, { name: "label", type: "string" }], rowCount: ROWS })
      .where(eq(datasets.jobId, jobId));
  }

  it("sends every row in order, in many chunks as the client reads", async () => {
    await generateDataset();
    const res = await raw(jobData, `/api/v1/jobs/${jobId}/data?format=csv`, jobId);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    let chunks = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks++;
      text += decoder.decode(value, { stream: true });
    }
    const lines = text.trimEnd().split("\r\n");
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines[0]).toBe("n,label");
    expect(lines[1]).toBe("1,row 1");
    expect(lines[ROWS]).toBe(`${ROWS},row ${ROWS}`);
    // One chunk per cursor batch of 1000 rows, plus the header.
    expect(chunks).toBe(ROWS / 1000 + 1);
  });

  it("closes the cursor when the client stops reading, so abandoned downloads do not exhaust the pool", async () => {
    await generateDataset();
    // More abandoned downloads than the pool has connections: a leaked cursor would hold one each.
    for (let i = 0; i < Number(env.DATABASE_POOL_SIZE) + 2; i++) {
      const res = await raw(jobData, `/api/v1/jobs/${jobId}/data?format=ndjson`, jobId);
      const reader = res.body!.getReader();
      await reader.read();
      await reader.read();
      await reader.cancel();
    }
    const res = await call(jobData, { path: `/api/v1/jobs/${jobId}/data?pageSize=1`, params: { id: jobId }, token });
    expect(res.body.results).toEqual([{ _run_id: runId, _row: 1, n: 1, label: "row 1" }]);
    // Nothing is left running or holding a transaction on the pool's other connections.
    const busy = await sql`SELECT state FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND state NOT IN ('idle')`;
    expect(busy).toEqual([]);
  });
});

describe("GET …/results/profile and …/data/profile", () => {
  it("profiles every column: nulls, distinct, min and max, histograms for numbers and dates, top values for text", async () => {
    const res = await call(runResultsProfile, { path: `/api/v1/runs/${runId}/results/profile`, params: { id: runId }, token });
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(5);
    const byName = Object.fromEntries(res.body.columns.map((c: { name: string }) => [c.name, c]));
    expect(res.body.columns.map((c: { name: string }) => c.name)).toEqual(HEADER.split(","));
    expect(byName.id).toEqual({
      name: "id",
      type: "integer",
      nulls: 0,
      distinct: 5,
      min: 1,
      max: 5,
      histogram: [1, 2, 3, 4, 5].map((n) => ({ from: n, to: n, count: 1 })),
      top: null,
    });
    expect(byName.amount).toMatchObject({ type: "number", nulls: 0, distinct: 5, min: -1.25, max: 20, top: null });
    expect(byName.amount.histogram.map((b: { count: number }) => b.count)).toEqual([1, 0, 0, 1, 0, 1, 1, 0, 0, 1]);
    expect(byName.amount.histogram[0]).toEqual({ from: -1.25, to: 0.875, count: 1 });
    expect(byName.amount.histogram[9]).toEqual({ from: 17.875, to: 20, count: 1 });
    expect(byName.paid).toEqual({
      name: "paid",
      type: "boolean",
      nulls: 1,
      distinct: 2,
      min: null,
      max: null,
      histogram: null,
      top: [
        { value: false, count: 2 },
        { value: true, count: 2 },
      ],
    });
    expect(byName.due).toMatchObject({ type: "date", nulls: 1, distinct: 4, min: "2024-02-01", max: "2024-02-05" });
    expect(byName.due.histogram.map((b: { count: number }) => b.count)).toEqual([1, 0, 1, 0, 0, 0, 0, 1, 0, 1]);
    expect(byName.due.histogram[0]).toMatchObject({ from: "2024-02-01", count: 1 });
    expect(byName.due.histogram[9]).toMatchObject({ to: "2024-02-05", count: 1 });
    expect(byName.created_at).toMatchObject({
      type: "timestamp",
      nulls: 0,
      distinct: 5,
      min: "2024-01-02T03:04:05.000Z",
      max: "2024-01-06T12:00:00.000Z",
    });
    expect(byName.created_at.histogram.reduce((sum: number, b: { count: number }) => sum + b.count, 0)).toBe(5);
    expect(byName["customer.address.city"]).toMatchObject({ type: "string", nulls: 1, distinct: 4, min: "Berlin", max: "Rome" });
    expect(byName["customer.address.city"].top).toEqual([
      { value: "Berlin", count: 1 },
      { value: "London", count: 1 },
      { value: "Paris", count: 1 },
      { value: "Rome", count: 1 },
    ]);
    expect(byName.tags).toEqual({ name: "tags", type: "json", nulls: 1, distinct: 4, min: null, max: null, histogram: null, top: null });
    expect(byName.note).toMatchObject({ nulls: 4, distinct: 1, min: "late column", max: "late column", top: [{ value: "late column", count: 1 }] });
  });

  it("profiles only the rows matching the search and filters", async () => {
    const res = await call(jobDataProfile, {
      path: `/api/v1/jobs/${jobId}/data/profile?filter[paid]=true&q=a`,
      params: { id: jobId },
      token,
    });
    expect(res.status).toBe(200);
    // Ada (paid) has "a"; Dee (paid) has "a" in "backslash".
    expect(res.body.count).toBe(2);
    const id = res.body.columns.find((c: { name: string }) => c.name === "id");
    expect(id).toMatchObject({ min: 1, max: 4, distinct: 2 });
    expect(id.histogram).toEqual([1, 2, 3, 4].map((n) => ({ from: n, to: n, count: n === 1 || n === 4 ? 1 : 0 })));
  });

  it("answers zero rows for a job without data, 422 for an unknown filter column, 404 for strangers", async () => {
    const empty = await call(createJob, { method: "POST", path: "/api/v1/jobs", token, json: { name: "Never run", ...ordersJob(`${fixture.origin}/orders`) } });
    const none = await call(jobDataProfile, { path: "/", params: { id: empty.body.id }, token });
    expect(none.body).toEqual({ count: 0, columns: [] });
    expectProblem(await call(jobDataProfile, { path: `/api/v1/jobs/${jobId}/data/profile?filter[nope]=1`, params: { id: jobId }, token }), 422);
    const stranger = await apiToken((await createUser("stranger")).user.id);
    expectProblem(await call(runResultsProfile, { path: "/", params: { id: runId }, token: stranger }), 404);
  });
});
