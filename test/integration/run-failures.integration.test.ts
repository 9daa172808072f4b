import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { datasetTableName } from "@/lib/db/identifiers";
import { updateJob } from "@/lib/db/queries/jobs";
import { runsQueue } from "@/lib/queue/runs-queue";
import { jobDefinitionSchema } from "@/lib/schemas/jobs";
import { toRunDto } from "@/lib/services/dto";
import { createUser, datasetRows, datasetRunIds, datasetSchemaTables, resetDatabase, resetQueue } from "../db";
import { startFixtureServer, type FixtureServer } from "../fixture-server";
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

describe("failed runs", () => {
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

  it("fails in the transform stage on an unknown column and keeps the previous dataset", async () => {
    const { job, run: previous } = await jobWithDataset();
    const definition = jobDefinitionSchema.parse({
      ...ordersJob(`${fixture.origin}/orders`),
      transform: [{ op: "normalize" }, { op: "select", columns: ["id", "customer"] }],
    });
    const edited = (await updateJob(db, job.id, { definition }))!;

    const run = await waitForRun((await triggerJob(edited)).id);
    expect(toRunDto(run)).toMatchObject({
      status: "failed",
      attempt: 1,
      error: {
        stage: "transform",
        message:
          'Step 2 (select): unknown column "customer"; available: "id", "name", "amount", "paid", "created_at", "due", "customer.name", "customer.address.city", "tags".',
      },
    });
    await expectDatasetUntouched(job.id, previous.id);
  });
});
