import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { getRun } from "@/lib/db/queries/runs";
import { datasetTableName } from "@/lib/db/identifiers";
import { updateJob } from "@/lib/db/queries/jobs";
import { runsQueue } from "@/lib/queue/runs-queue";
import { jobDefinitionSchema } from "@/lib/schemas/jobs";
import { toRunDto } from "@/lib/services/dto";
import { POST as cancelRunRoute } from "@/app/api/v1/runs/[id]/cancel/route";
import { apiToken, call } from "../api";
import { createUser, datasetRows, datasetRunIds, datasetSchemaTables, resetDatabase, resetQueue } from "../db";
import { sendJson, startFixtureServer, type FixtureServer } from "../fixture-server";
import { startRunsWorker, waitForRun } from "../worker";
import { expectedOrderRows, orderPages, ordersJob } from "./fixtures";
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
  // Retry-After: 0 keeps the source's own retries instant; the queue's backoff still applies between attempts.
  fixture.route("/fail", (_req, res) => res.writeHead(500, { "retry-after": "0" }).end("boom"));
  fixture.route("/invalid", (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"data": [1, 2'));
});

/** A job whose first run loaded orderPages successfully; returns the job and that run. */
async function jobWithDataset() {
  const { user, workspace } = await createUser();
  const job = await createJob({
    workspaceId: workspace.id,
    userId: user.id,
    name: "Orders",
    definition: ordersJob(`${fixture.origin}/orders`),
  });
  const run = await waitForRun((await triggerJob(job)).id);
  expect(run.status).toBe("success");
  return { job, run };
}

/** Points the job at another path of the fixture server, as a user editing the job would. */
async function repoint(jobId: string, path: string, retry: { attempts: number; backoffSeconds: number }) {
  const definition = jobDefinitionSchema.parse(ordersJob(`${fixture.origin}${path}`, retry));
  const job = await updateJob(db, jobId, { definition });
  return job!;
}

async function expectDatasetUntouched(jobId: string, lastRunId: string) {
  const table = datasetTableName(jobId);
  expect(await datasetRows(table)).toEqual(expectedOrderRows);
  expect(await datasetRunIds(table)).toEqual([lastRunId]);
  expect(await datasetOf(jobId)).toMatchObject({ lastRunId, rowCount: 5 });
  // The failed attempts' staging tables were dropped.
  expect(await datasetSchemaTables()).toEqual([table]);
}

describe("failed, retried and cancelled runs", () => {
  it("retries a source answering 500, then fails after the last attempt and keeps the previous dataset", async () => {
    const { job, run: previous } = await jobWithDataset();
    const failing = await repoint(job.id, "/fail", { attempts: 2, backoffSeconds: 1 });

    const run = await waitForRun((await triggerJob(failing)).id);
    const cause = `${fixture.origin}/fail answered HTTP 500 Internal Server Error.`;
    expect(toRunDto(run)).toMatchObject({
      status: "failed",
      attempt: 2,
      rowsExtracted: 0,
      rowsLoaded: 0,
      error: { stage: "extract", message: cause },
    });
    expect(run.finishedAt).not.toBeNull();
    // Each queue attempt tries the request four times (the source's own retries of transient errors).
    expect(fixture.requestsTo("/fail")).toBe(8);

    const job2 = await runsQueue().getJob(run.id);
    expect(job2?.attemptsMade).toBe(2);
    expect(await runsQueue().getJobState(run.id)).toBe("failed");

    const retryLines = [2, 3, 4].map((n) => `${cause} Retrying in 0s (try ${n} of 4).`);
    expect(await logMessages(run.id)).toEqual([
      "Attempt 1 of 2 started.",
      ...retryLines,
      `extract failed: ${cause}`,
      "Attempt 1 of 2 failed; the run will be retried.",
      "Attempt 2 of 2 started.",
      ...retryLines,
      `extract failed: ${cause}`,
    ]);
    await expectDatasetUntouched(job.id, previous.id);
  });

  it("fails at once on invalid JSON (a permanent error) and keeps the previous dataset", async () => {
    const { job, run: previous } = await jobWithDataset();
    const broken = await repoint(job.id, "/invalid", { attempts: 3, backoffSeconds: 1 });

    const run = await waitForRun((await triggerJob(broken)).id);
    const dto = toRunDto(run);
    expect(dto).toMatchObject({ status: "failed", attempt: 1, rowsLoaded: 0, error: { stage: "extract" } });
    expect(dto.error?.message).toMatch(new RegExp(`^The response from ${fixture.origin}/invalid is not valid JSON: .+\\.$`));
    expect(fixture.requestsTo("/invalid")).toBe(1);
    expect((await runsQueue().getJob(run.id))?.attemptsMade).toBe(1);

    expect(await logMessages(run.id)).toEqual(["Attempt 1 of 3 started.", `extract failed: ${dto.error?.message}`]);
    await expectDatasetUntouched(job.id, previous.id);
  });

  it("names PostgreSQL's own reason when the data is more than the dataset can hold", async () => {
    const { job, run: previous } = await jobWithDataset();
    const wide = Object.fromEntries(Array.from({ length: 1601 }, (_, i) => [`field_${i}`, i]));
    fixture.paginated("/wide", [[wide]]);
    const edited = await repoint(job.id, "/wide", { attempts: 1, backoffSeconds: 1 });

    const run = await waitForRun((await triggerJob(edited)).id);
    expect(toRunDto(run)).toMatchObject({
      status: "failed",
      error: { stage: "load", message: "The database refused the load (SQLSTATE 54011): tables can have at most 1600 columns." },
    });
    await expectDatasetUntouched(job.id, previous.id);
  });

  it("fails in the transform stage on an unknown column and keeps the previous dataset", async () => {
    const { job, run: previous } = await jobWithDataset();
    const definition = jobDefinitionSchema.parse({
      ...ordersJob(`${fixture.origin}/orders`),
      transform: [{ op: "normalize" }, { op: "select", columns: ["id", "customer"] }],
    });
    const edited = (await updateJob(db, job.id, { definition }))!;

    const run = await waitForRun((await triggerJob(edited)).id);
    const dto = toRunDto(run);
    expect(dto).toMatchObject({ status: "failed", attempt: 1, error: { stage: "transform" } });
    expect(dto.error?.message).toMatch(/^Step 2 \(select\): unknown column "customer"; available: "id", "name", .*"customer\.name"/);
    await expectDatasetUntouched(job.id, previous.id);
  });

  it("retries a run that failed halfway without duplicating the rows of the failed attempt", async () => {
    const { job } = await jobWithDataset();
    // Page 2 fails four times (every try of the first attempt), then recovers.
    let failuresLeft = 4;
    fixture.route("/flaky", (_req, res, url) => {
      const page = Number(url.searchParams.get("page") ?? "1");
      if (page === 2 && failuresLeft-- > 0) return void res.writeHead(503, { "retry-after": "0" }).end();
      const next = page < orderPages.length ? `${fixture.origin}/flaky?page=${page + 1}` : null;
      sendJson(res, 200, { data: { items: orderPages[page - 1] }, links: { next } });
    });
    const flaky = await repoint(job.id, "/flaky", { attempts: 2, backoffSeconds: 1 });

    const run = await waitForRun((await triggerJob(flaky)).id);
    expect(toRunDto(run)).toMatchObject({ status: "success", attempt: 2, rowsExtracted: 5, rowsLoaded: 5, error: null });
    // The run started with its first attempt: its duration holds both, and the second's backoff.
    expect(toRunDto(run).durationMs).toBeGreaterThanOrEqual(1000);
    const table = datasetTableName(job.id);
    expect(await datasetRows(table)).toEqual(expectedOrderRows);
    expect(await datasetRunIds(table)).toEqual([run.id]);
    expect(await datasetSchemaTables()).toEqual([table]);
    const messages = await logMessages(run.id);
    expect(messages.filter((m) => m.startsWith("Fetched page"))).toEqual([
      `Fetched page 1 from ${fixture.origin}/flaky: 2 records`,
      `Fetched page 1 from ${fixture.origin}/flaky: 2 records`,
      `Fetched page 2 from ${fixture.origin}/flaky: 2 records`,
      `Fetched page 3 from ${fixture.origin}/flaky: 1 records`,
    ]);
    expect(messages).toContain("Attempt 1 of 2 failed; the run will be retried.");
  });

  it("stops a running run when it is cancelled and keeps the previous dataset", async () => {
    const { job, run: previous } = await jobWithDataset();
    const pages = 40;
    fixture.route("/slow", (_req, res, url) => {
      const page = Number(url.searchParams.get("page") ?? "1");
      const next = page < pages ? `${fixture.origin}/slow?page=${page + 1}` : null;
      setTimeout(() => sendJson(res, 200, { data: { items: [{ id: page }] }, links: { next } }), 150);
    });
    const slow = await repoint(job.id, "/slow", { attempts: 3, backoffSeconds: 1 });
    const pending = await triggerJob(slow);

    // Wait until the worker is fetching pages, then cancel as the owner would through the API.
    const deadline = Date.now() + 10_000;
    while ((await getRun(db, pending.id))?.status !== "running" || fixture.requestsTo("/slow") < 2) {
      if (Date.now() > deadline) throw new Error("the run never started");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const token = await apiToken(job.createdBy!);
    const cancelled = await call(cancelRunRoute, { method: "POST", path: "/", params: { id: pending.id }, token });
    expect(cancelled.body.status).toBe("cancelled");

    const run = await waitForRun(pending.id);
    expect(run.status).toBe("cancelled");
    expect(fixture.requestsTo("/slow")).toBeLessThan(pages);
    expect((await logMessages(run.id)).at(-1)).toBe("Run cancelled; the dataset was left unchanged.");
    expect(await runsQueue().getJobState(run.id)).toBe("completed");
    await expectDatasetUntouched(job.id, previous.id);
  });
});
