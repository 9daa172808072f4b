import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as jobData } from "@/app/api/v1/jobs/[id]/data/route";
import { POST as triggerRun } from "@/app/api/v1/jobs/[id]/runs/route";
import { POST as createJob } from "@/app/api/v1/jobs/route";
import { GET as runLogs } from "@/app/api/v1/runs/[id]/logs/route";
import { GET as runResults } from "@/app/api/v1/runs/[id]/results/route";
import { GET as getRun } from "@/app/api/v1/runs/[id]/route";
import { GET as listRuns } from "@/app/api/v1/runs/route";
import { sql } from "@/lib/db/client";
import { datasetTableName, qualified } from "@/lib/db/identifiers";
import { env } from "@/lib/env";
import { apiToken, call, expectProblem } from "../api";
import { createUser, resetDatabase, resetQueue } from "../db";
import { startFixtureServer, type FixtureServer } from "../fixture-server";
import { expectedOrderColumns, orderPages, ordersJob } from "../integration/fixtures";
import { startRunsWorker, waitForRun } from "../worker";

let fixture: FixtureServer;
let worker: Awaited<ReturnType<typeof startRunsWorker>>;
let token: string;
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

/** Creates the orders job and runs it to completion, all through the API and the worker. */
async function runOrdersJob(as: string) {
  const created = await call(createJob, {
    method: "POST",
    path: "/api/v1/jobs",
    token: as,
    json: { name: "Orders", ...ordersJob(`${fixture.origin}/orders`) },
  });
  expect(created.status).toBe(201);
  const run = await trigger(created.body.id, as);
  return { jobId: created.body.id as string, runId: run.id as string };
}

async function trigger(id: string, as: string) {
  const triggered = await call(triggerRun, { method: "POST", path: "/", params: { id }, token: as });
  expect(triggered.status).toBe(202);
  await waitForRun(triggered.body.id);
  return triggered.body;
}

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  fixture.reset();
  fixture.paginated("/orders", orderPages);
  const { user } = await createUser("analyst");
  token = await apiToken(user.id);
  ({ jobId, runId } = await runOrdersJob(token));
});

const results = (query = "", id = runId, as = token) =>
  call(runResults, { path: `/api/v1/runs/${id}/results${query}`, params: { id }, token: as });
const ids = (res: { body: { results: { id: number }[] } }) => res.body.results.map((r) => r.id);

describe("GET /api/v1/runs/{id}/results", () => {
  it("answers the run's rows in the page envelope, typed as JSON", async () => {
    const res = await results();
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(5);
    expect(res.body.next).toBeNull();
    expect(res.body.previous).toBeNull();
    expect(res.body.columns).toEqual(expectedOrderColumns);
    expect(res.body.results[0]).toEqual({
      _run_id: runId,
      _row: 1,
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
    });
    expect(res.body.results[1]).toMatchObject({ name: "Bob\tTab", created_at: "2024-01-03T08:00:00.000Z" });
    expect(res.body.results[2]).toMatchObject({ name: "Cy\nNewline", amount: 12.5, paid: null, due: null, tags: ["ab"] });
    expect(res.body.results[4]).toMatchObject({ amount: -1.25, tags: null, note: "late column" });
  });

  it("answers infinite and NaN numbers as text, which JSON would otherwise turn into null", async () => {
    await sql.unsafe(`UPDATE ${qualified(env.DATASET_SCHEMA, datasetTableName(jobId))} SET amount = CASE id WHEN 1 THEN 'Infinity' WHEN 2 THEN '-Infinity' ELSE 'NaN' END::float8 WHERE id <= 3`);
    const res = await results("?sort=id&pageSize=4");
    expect(res.body.results.map((r: { amount: unknown }) => r.amount)).toEqual(["Infinity", "-Infinity", "NaN", expect.any(Number)]);
  });

  it("pages with next and previous links", async () => {
    const page1 = await results("?pageSize=2");
    expect(ids(page1)).toEqual([1, 2]);
    expect(page1.body.next).toBe(`http://localhost:3000/api/v1/runs/${runId}/results?pageSize=2&page=2`);
    const page3 = await results("?pageSize=2&page=3");
    expect(ids(page3)).toEqual([5]);
    expect(page3.body.next).toBeNull();
    expect(page3.body.previous).toBe(`http://localhost:3000/api/v1/runs/${runId}/results?pageSize=2&page=2`);
    expect(page3.body.count).toBe(5);
  });

  it("sorts ascending and descending, nulls last", async () => {
    expect(ids(await results("?sort=-amount"))).toEqual([2, 3, 1, 4, 5]);
    expect(ids(await results("?sort=amount"))).toEqual([5, 4, 1, 3, 2]);
    expect(ids(await results("?sort=due"))).toEqual([1, 2, 4, 5, 3]);
    expect(ids(await results("?sort=-due"))).toEqual([5, 4, 2, 1, 3]);
    expect(ids(await results(`?sort=${encodeURIComponent("-customer.address.city")}`))).toEqual([5, 2, 1, 4, 3]);
  });

  it("filters by typed comparisons and by substring", async () => {
    const filter = async (query: string) => {
      const res = await results(`?${query}`);
      expect(res.status).toBe(200);
      return { ids: ids(res), count: res.body.count };
    };
    expect(await filter("filter[amount][gt]=8")).toEqual({ ids: [1, 2, 3], count: 3 });
    expect(await filter("filter[amount][lte]=7")).toEqual({ ids: [4, 5], count: 2 });
    expect(await filter("filter[paid]=true")).toEqual({ ids: [1, 4], count: 2 });
    expect(await filter("filter[paid]=false")).toEqual({ ids: [2, 5], count: 2 });
    // Row 3's paid is empty: not true, so ne keeps it.
    expect(await filter("filter[paid][ne]=true")).toEqual({ ids: [2, 3, 5], count: 3 });
    expect(await filter("filter[due]=2024-02-02")).toEqual({ ids: [2], count: 1 });
    expect(await filter("filter[created_at][gte]=2024-01-05T00:00:00Z")).toEqual({ ids: [4, 5], count: 2 });
    expect(await filter("filter[customer.address.city][contains]=RI")).toEqual({ ids: [2], count: 1 });
    expect(await filter("filter[name][contains]=%25")).toEqual({ ids: [], count: 0 });
    expect(await filter("filter[id][gte]=2&filter[id][lt]=4")).toEqual({ ids: [2, 3], count: 2 });
    expect(await filter("filter[_row][gt]=4")).toEqual({ ids: [5], count: 1 });
  });

  it("searches text columns with q, combined with filters and sort", async () => {
    expect(ids(await results("?q=newline"))).toEqual([3]);
    expect(ids(await results("?q=ada"))).toEqual([1]);
    // "e" is in Dee, Eve, Newline and "late column" (note), not in Ada/Bob or their cities London and Paris.
    expect(ids(await results("?q=e&sort=-id"))).toEqual([5, 4, 3]);
    const combined = await results("?q=e&filter[amount][gt]=0&sort=-amount&pageSize=1");
    expect(ids(combined)).toEqual([3]);
    expect(combined.body.count).toBe(2);
    expect(combined.body.next).toContain("page=2");
  });

  it("answers 422 for an unknown sort or filter column, and a filter it cannot read", async () => {
    const sort = expectProblem(await results("?sort=-nope"), 422);
    expect(sort.detail).toBe('Unknown column "nope".');
    expect(sort.errors?.[0]?.path).toBe("nope");
    expect(sort.errors?.[0]?.message).toContain("customer.address.city");
    expect(expectProblem(await results("?filter[nope]=1"), 422).detail).toBe('Unknown column "nope".');
    expect(expectProblem(await results("?filter[amount][between]=1"), 422).errors).toEqual([
      { path: "filter[amount][between]", message: 'unknown filter operator "between"; use one of eq, gt, gte, lt, lte, ne, contains' },
    ]);
    expect(expectProblem(await results("?filter=Lisbon"), 422).errors?.[0]?.path).toBe("filter");
    expect(expectProblem(await results("?pageSize=5000"), 422).errors?.[0]?.path).toBe("pageSize");
  });

  it("answers 422 naming each filter value that does not fit its column's type", async () => {
    const named = expectProblem(await results("?filter[amount][gt]=abc&filter[id]=1.5&filter[paid][eq]=maybe&filter[_run_id]=42&filter[tags]={&filter[name]=any"), 422);
    expect(named.detail).toBe("A filter value does not fit its column's type.");
    expect(named.errors).toEqual([
      { path: "filter[amount][gt]", message: '"abc" is not a number' },
      { path: "filter[id]", message: '"1.5" is not an integer' },
      { path: "filter[paid][eq]", message: '"maybe" is not a boolean (true or false)' },
      { path: "filter[_run_id]", message: '"42" is not a run id (a UUID)' },
      { path: "filter[tags]", message: '"{" is not JSON' },
    ]);
    // Dates and timestamps are read by PostgreSQL, in all the forms it knows; what it refuses is still a 422.
    for (const query of ["filter[created_at][lt]=not-a-time", "filter[due]=soon", "filter[amount][lt]=1e400"]) {
      const problem = expectProblem(await results(`?${query}`), 422);
      expect(problem.detail).toBe("A value in the request does not fit the type of the column it is compared with.");
    }
    // Forms PostgreSQL reads pass the check.
    expect(ids(await results("?filter[paid]=YES&filter[amount][gte]=0x0&filter[id][lte]=%2B2"))).toEqual([1]);
  });

  it("answers 404 to someone outside the workspace", async () => {
    const stranger = await createUser("stranger");
    const strangerToken = await apiToken(stranger.user.id);
    // After a member's pages, which the process keeps the run's and the job's targets for.
    expect((await results()).status).toBe(200);
    expect((await call(jobData, { path: "/", params: { id: jobId }, token })).status).toBe(200);
    expectProblem(await results("", runId, strangerToken), 404);
    expectProblem(await call(getRun, { path: "/", params: { id: runId }, token: strangerToken }), 404);
    expectProblem(await call(runLogs, { path: "/", params: { id: runId }, token: strangerToken }), 404);
    expectProblem(await call(jobData, { path: "/", params: { id: jobId }, token: strangerToken }), 404);
    expect((await call(listRuns, { path: "/api/v1/runs", token: strangerToken })).body.count).toBe(0);
  });

  it("answers an empty page for a run whose rows a later run replaced", async () => {
    const second = await trigger(jobId, token);
    const old = await results();
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({ count: 0, results: [], columns: expectedOrderColumns });
    expect((await results("", second.id)).body.count).toBe(5);
  });

  it("answers from the dataset as it is now, however recently the run's page was served", async () => {
    // Served twice: the second page is read with the target the first found.
    expect((await results("?sort=-amount")).body.count).toBe(5);
    expect(ids(await results("?sort=-amount"))).toEqual([2, 3, 1, 4, 5]);
    const second = await trigger(jobId, token);
    expect((await results("?sort=-amount")).body).toMatchObject({ count: 0, results: [] });
    expect(ids(await results("?sort=-amount", second.id))).toEqual([2, 3, 1, 4, 5]);
  });

  it("answers 404 for a run that retention deleted, however recently its page was served", async () => {
    expect((await results()).body.count).toBe(5);
    expect((await results()).body.count).toBe(5);
    // Retention deletes old runs and leaves their rows in appended datasets: the dataset itself does not change.
    await sql`DELETE FROM runs WHERE id = ${runId}`;
    expectProblem(await results(), 404);
  });
});

describe("GET /api/v1/jobs/{id}/data", () => {
  it("answers the job's current dataset with the same options", async () => {
    const res = await call(jobData, { path: `/api/v1/jobs/${jobId}/data?sort=-id&pageSize=2`, params: { id: jobId }, token });
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(5);
    expect(ids(res)).toEqual([5, 4]);
    expect(res.body.results[0]._run_id).toBe(runId);
    expect(res.body.columns).toEqual(expectedOrderColumns);
  });

  it("answers the dataset a later run loaded, with its new columns, right after serving the earlier one", async () => {
    const data = () => call(jobData, { path: `/api/v1/jobs/${jobId}/data?sort=id`, params: { id: jobId }, token });
    expect((await data()).body.count).toBe(5);
    expect((await data()).body.results[0]._run_id).toBe(runId);
    fixture.paginated("/orders", [[{ id: 7, name: "Eve", amount: 3, coupon: "SPRING" }]]);
    const second = await trigger(jobId, token);
    const res = await data();
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(1);
    expect(res.body.results).toEqual([{ _run_id: second.id, _row: 1, id: 7, name: "Eve", amount: 3, coupon: "SPRING" }]);
    expect(res.body.columns.map((c: { name: string }) => c.name)).toContain("coupon");
  });

  it("filters by a column's new type, right after a filter by its old one", async () => {
    const data = (query: string) => call(jobData, { path: `/api/v1/jobs/${jobId}/data?${query}`, params: { id: jobId }, token });
    expect(ids(await data("filter[id]=2"))).toEqual([2]);
    fixture.paginated("/orders", [[{ id: 7.5, name: "Half" }]]);
    await trigger(jobId, token);
    // 7.5 as the bigint the kept target still says the column is would be a 400.
    const res = await data("filter[id]=7.5");
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([7.5]);
  });
});

describe("runs and logs", () => {
  it("reads the finished run and lists runs filtered by job and status", async () => {
    const run = await call(getRun, { path: "/", params: { id: runId }, token });
    expect(run.body).toMatchObject({ id: runId, jobId, status: "success", trigger: "api", attempt: 1, rowsLoaded: 5, error: null });

    const byJob = await call(listRuns, { path: `/api/v1/runs?jobId=${jobId}`, token });
    expect(byJob.body).toMatchObject({ count: 1, next: null, previous: null });
    expect(byJob.body.results[0].id).toBe(runId);
    expect((await call(listRuns, { path: "/api/v1/runs?status=failed", token })).body.count).toBe(0);
    expectProblem(await call(listRuns, { path: "/api/v1/runs?status=exploded", token }), 422);
  });

  it("answers the log lines in order, and only newer ones with `after`", async () => {
    const all = await call(runLogs, { path: `/api/v1/runs/${runId}/logs`, params: { id: runId }, token });
    expect(all.status).toBe(200);
    expect(all.body.count).toBe(7);
    const lines = all.body.results as { id: number; ts: string; level: string; message: string; data: unknown }[];
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ["info", "Attempt 1 of 3 started."],
      ["info", `Fetched page 1 from ${fixture.origin}/orders: 2 records`],
      ["info", `Fetched page 2 from ${fixture.origin}/orders: 2 records`],
      ["warn", 'Column "amount" widened from integer to number by later rows.'],
      ["info", `Fetched page 3 from ${fixture.origin}/orders: 1 records`],
      ["warn", 'New column "note" (string) appeared after 4 rows.'],
      ["info", "Loaded 5 rows into the dataset (10 columns)."],
    ]);
    expect(lines[0]?.data).toEqual({ attempt: 1 });

    const after = await call(runLogs, { path: `/api/v1/runs/${runId}/logs?after=${lines[4]!.id}`, params: { id: runId }, token });
    expect(after.body.count).toBe(2);
    expect(after.body.results.map((l: { id: number }) => l.id)).toEqual([lines[5]!.id, lines[6]!.id]);
  });
});
