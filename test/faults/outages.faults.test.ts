import { afterEach, describe, expect, it } from "vitest";
import { db, sql } from "@/lib/db/client";
import { getRun, insertRun } from "@/lib/db/queries/runs";
import { env } from "@/lib/env";
import { enqueueRun } from "@/lib/queue/runs-queue";
import { schedulesQueue, syncSchedule } from "@/lib/queue/schedules-queue";
import { checkHealth } from "@/lib/services/health";
import { POST as triggerRoute } from "@/app/api/v1/jobs/[id]/runs/route";
import { apiToken, call } from "../api";
import { logMessages, triggerJob } from "../integration/jobs";
import { startPostgresProxy } from "./pg-proxy";
import { redisPort, startRedis, stopRedis } from "./redis";
import { datasetIds, faultScenario, jobReading, range, slowPages, waitFor, waitForFinished } from "./scenario";

const scenario = faultScenario();
const { worker } = scenario;
const port = redisPort(env.REDIS_URL);

afterEach(async () => {
  // A failed test must not leave the next one without Redis.
  await startRedis(port).catch(() => undefined);
});

/** Restarts the private Redis: without persistence, every queue job and scheduler is gone afterwards. */
async function restartRedis(downMs = 0) {
  await stopRedis(port);
  await new Promise((resolve) => setTimeout(resolve, downMs));
  await startRedis(port);
}

describe("Redis losing its data", () => {
  it("a worker started after it puts the schedulers back and fails the runs whose queue jobs were lost; restarted under an idle worker, the worker reconnects and takes new work", async () => {
    slowPages(scenario.fixture, "/rows", { pages: 2, perPage: 5, delayMs: 10 });
    const { job } = await jobReading(`${scenario.fixture.origin}/rows`, { schedule: { cron: "0 0 1 1 *", timezone: "UTC" } });
    await syncSchedule(schedulesQueue(), job.id, job.definition.schedule);
    // A run waiting in the queue when Redis loses its data.
    const lost = await insertRun(db, { jobId: job.id, workspaceId: job.workspaceId, trigger: "api", definition: job.definition });
    await enqueueRun(lost.id, job.definition.retry);
    await restartRedis();
    expect(await schedulesQueue().getJobSchedulersCount()).toBe(0);

    const w = await worker("w");
    await waitFor("the scheduler to be put back", async () => (await schedulesQueue().getJobScheduler(job.id))?.pattern === "0 0 1 1 *", 15_000);
    // RUN_STALE_AFTER_MS (4 s) after it was created, the next upkeep (every second) fails it.
    expect(await waitForFinished(lost.id, 20_000)).toMatchObject({
      status: "failed",
      errorMessage:
        "The run's queue entry vanished while it was pending (Redis lost its data: a restart without persistence, a flush or an eviction), so no worker would ever finish it. Trigger the job again.",
    });

    await restartRedis(1000);
    await waitFor("the scheduler to be put back again", async () => (await schedulesQueue().getJobScheduler(job.id))?.pattern === "0 0 1 1 *", 15_000);
    const run = await triggerJob(job);
    expect(await waitForFinished(run.id, 20_000)).toMatchObject({ status: "success", rowsLoaded: 10 });
    expect(w.claimed(run.id)).toBe(true);
  });
});

describe("Redis down during a run", () => {
  it("the run goes on and succeeds, the API answers 503 quickly meanwhile, health turns red then green, the worker takes new work after", async () => {
    slowPages(scenario.fixture, "/slow", { pages: 25, perPage: 10, delayMs: 150 });
    const { job, user } = await jobReading(`${scenario.fixture.origin}/slow`);
    const token = await apiToken(user.id);
    const w = await worker("w");
    const run = await triggerJob(job);
    await waitFor("the load to be under way", async () => scenario.fixture.requestsTo("/slow") >= 5);
    expect(await checkHealth()).toEqual({ status: "ok", db: "ok", redis: "ok" });

    await stopRedis(port);
    expect(await checkHealth()).toEqual({ status: "degraded", db: "ok", redis: "down" });
    const asked = Date.now();
    const refused = await call(triggerRoute, { method: "POST", path: "/", params: { id: job.id }, token });
    expect(Date.now() - asked).toBeLessThan(8_000);
    expect([refused.status, refused.headers.get("retry-after"), refused.body.detail]).toEqual([
      503,
      "5",
      "The run queue (Redis) is unavailable; try again shortly.",
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await startRedis(port);
    await waitFor("health to turn green", async () => (await checkHealth()).status === "ok", 10_000);

    const finished = await waitForFinished(run.id);
    expect(finished).toMatchObject({ status: "success", attempt: 1, rowsLoaded: 250 });
    expect((await datasetIds(job.id)).ids).toEqual(range(1, 250));
    // The run the refused request had recorded was failed at once, visibly.
    const [refusedRun] = await sql<{ id: string }[]>`SELECT id FROM runs WHERE job_id = ${job.id} AND id <> ${run.id}`;
    expect(await getRun(db, refusedRun!.id)).toMatchObject({ status: "failed", errorMessage: "The run queue was unavailable." });

    slowPages(scenario.fixture, "/slow", { pages: 1, perPage: 3, delayMs: 10 });
    const next = await triggerJob(job);
    expect(await waitForFinished(next.id, 20_000)).toMatchObject({ status: "success", rowsLoaded: 3 });
    expect(w.claimed(next.id)).toBe(true);
    expect(w.alive).toBe(true);
  });
});

describe("the worker's PostgreSQL sessions terminated mid-load", () => {
  it("the run recovers (reconnecting, retrying if an attempt failed) and loads exactly the right rows", async () => {
    slowPages(scenario.fixture, "/slow", { pages: 20, perPage: 10, delayMs: 100 });
    const { job } = await jobReading(`${scenario.fixture.origin}/slow`);
    const w = await worker("w");
    const run = await triggerJob(job);
    await waitFor("the load to be under way", async () => scenario.fixture.requestsTo("/slow") >= 5);
    let terminated = 0;
    for (let i = 0; i < 3; i++) {
      // Select first, terminate after: in one WHERE clause PostgreSQL may call the function before filtering.
      const sessions = await sql<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE application_name = ${`dataflowhub:${w.pid}`}`;
      for (const { pid } of sessions) {
        const [result] = await sql<{ done: boolean }[]>`SELECT pg_terminate_backend(${pid}::int) AS done`;
        if (result?.done) terminated++;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(terminated).toBeGreaterThan(0);

    const finished = await waitForFinished(run.id);
    // The error, if any, is part of what is compared: a failure then says why.
    expect(finished).toMatchObject({ status: "success", rowsLoaded: 200, errorStage: null, errorMessage: null });
    expect((await datasetIds(job.id)).runIds).toEqual([run.id]);
    expect((await datasetIds(job.id)).ids).toEqual(range(1, 200));
    const log = await logMessages(run.id);
    expect(log.filter((m) => m.startsWith("Loaded "))).toEqual(["Loaded 200 rows into the dataset (3 columns)."]);
    expect(w.alive).toBe(true);
  });
});

describe("PostgreSQL unreachable for a worker for a few seconds", () => {
  it("the worker reconnects by itself, the run ends success with exactly the right rows, and new work runs", async () => {
    const proxy = await startPostgresProxy(new URL(env.DATABASE_URL));
    try {
      slowPages(scenario.fixture, "/slow", { pages: 20, perPage: 10, delayMs: 100 });
      const { job } = await jobReading(`${scenario.fixture.origin}/slow`);
      const w = await worker("w", { DATABASE_URL: proxy.url() });
      const run = await triggerJob(job);
      await waitFor("the load to be under way", async () => scenario.fixture.requestsTo("/slow") >= 5);
      await proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await proxy.restore();

      const finished = await waitForFinished(run.id);
      expect(finished).toMatchObject({ status: "success", rowsLoaded: 200 });
      expect(await datasetIds(job.id)).toEqual({ ids: range(1, 200), runIds: [run.id] });
      slowPages(scenario.fixture, "/slow", { pages: 1, perPage: 3, delayMs: 10 });
      const next = await triggerJob(job);
      expect(await waitForFinished(next.id, 20_000)).toMatchObject({ status: "success", rowsLoaded: 3 });
      expect(w.alive).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});
