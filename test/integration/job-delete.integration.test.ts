import { Worker } from "bullmq";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DELETE as deleteJobRoute } from "@/app/api/v1/jobs/[id]/route";
import { POST as cancelRoute } from "@/app/api/v1/runs/[id]/cancel/route";
import { db, sql } from "@/lib/db/client";
import { getJob } from "@/lib/db/queries/jobs";
import { appendRunLogs, cancelRunRow, getRun } from "@/lib/db/queries/runs";
import { env } from "@/lib/env";
import { executeRun } from "@/lib/etl/run";
import { createRedis } from "@/lib/queue/connection";
import { RUNS_QUEUE, runsQueue, type RunJobPayload } from "@/lib/queue/runs-queue";
import { call, expectProblem } from "../api";
import { resetDatabase, resetQueue } from "../db";
import { startFixtureServer, type FixtureServer } from "../fixture-server";
import { claimed, startRunsWorker, waitForRun, waitUntil } from "../worker";
import { httpJobOf, triggerJob } from "./jobs";

let fixture: FixtureServer;
let worker: Awaited<ReturnType<typeof startRunsWorker>> | undefined;

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
});
afterEach(async () => {
  await worker?.close();
  worker = undefined;
});


const remove = (jobId: string, token: string) => call(deleteJobRoute, { method: "DELETE", path: "/", params: { id: jobId }, token });


describe("DELETE /api/v1/jobs/{id} with an active run", () => {
  it("refuses with 409 while a run is running, and deletes once the cancelled run's worker has stopped", async () => {
    fixture.slow("/slow", 200, 300);
    const { job, token } = await httpJobOf(`${fixture.origin}/slow`);
    worker = await startRunsWorker();
    const run = await triggerJob(job);
    await waitUntil("the run to start", async () => (await getRun(db, run.id))?.status === "running");

    const refused = expectProblem(await remove(job.id, token), 409);
    expect(refused.detail).toBe(`Run ${run.id} of this job is running; cancel it first (POST /api/v1/runs/${run.id}/cancel), then delete the job.`);
    expect(await getJob(db, job.id)).toBeDefined();
    expect((await getRun(db, run.id))?.status).toBe("running");

    expect((await call(cancelRoute, { method: "POST", path: "/", params: { id: run.id }, token })).status).toBe(200);
    const started = Date.now();
    await waitForRun(run.id);
    // The worker lets go at its next poll of the status, not when the slow source would have ended.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await remove(job.id, token)).status).toBe(204);
    expect(await getJob(db, job.id)).toBeUndefined();
    expect(await getRun(db, run.id)).toBeUndefined();
    expect(await runsQueue().getJobState(run.id)).toBe("completed");
  });

  it("refuses with 409 while a run is pending, naming the run to cancel", async () => {
    const { job, token } = await httpJobOf(`${fixture.origin}/never-fetched`);
    const run = await triggerJob(job);
    const refused = expectProblem(await remove(job.id, token), 409);
    expect(refused.detail).toBe(`Run ${run.id} of this job is pending; cancel it first (POST /api/v1/runs/${run.id}/cancel), then delete the job.`);
    expect(await getJob(db, job.id)).toBeDefined();
  });

  it("refuses with 409 and Retry-After while a worker still holds a cancelled run", async () => {
    const { job, token } = await httpJobOf(`${fixture.origin}/held`);
    const run = await triggerJob(job);
    const connection = createRedis("worker");
    const holder = new Worker<RunJobPayload>(RUNS_QUEUE, undefined, { connection, prefix: env.QUEUE_PREFIX });
    try {
      const lockToken = "job-delete-test";
      const queued = await holder.getNextJob(lockToken);
      expect(queued?.id).toBe(run.id);
      await claimed(run.id, 1, 1);
      expect(await cancelRunRow(db, run.id)).toBeDefined();

      const refused = await remove(job.id, token);
      expect(expectProblem(refused, 409).detail).toBe(`Run ${run.id} of this job is cancelled, but its worker is still stopping it; try again in a few seconds.`);
      expect(refused.headers.get("retry-after")).toBe("5");
      expect(await getJob(db, job.id)).toBeDefined();

      await queued!.moveToCompleted({ cancelled: true }, lockToken, false);
      expect((await remove(job.id, token)).status).toBe(204);
      expect(await getJob(db, job.id)).toBeUndefined();
    } finally {
      await holder.close();
      await connection.quit().catch(() => connection.disconnect());
    }
  });
});

describe("a run deleted under its worker (its workspace was deleted)", () => {
  it("ends without an error, its log lines dropped instead of failing the attempt", async () => {
    fixture.slow("/orphan", 4, 150);
    const { job } = await httpJobOf(`${fixture.origin}/orphan`);
    const run = await triggerJob(job);
    const attempt = await claimed(run.id, 1, 1);
    const execution = executeRun(run.id, attempt);
    await waitUntil("the run to read a page", async () => fixture.requests.length > 0);
    await sql`DELETE FROM jobs WHERE id = ${job.id}`;

    await expect(execution).resolves.toEqual({ kind: "superseded" });
    await expect(appendRunLogs(db, run.id, [{ level: "info", message: "after the delete" }])).resolves.toBeUndefined();
    expect((await sql`SELECT 1 FROM run_logs WHERE run_id = ${run.id}`).length).toBe(0);
  });
});
