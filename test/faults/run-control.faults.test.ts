import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { listRunLogs } from "@/lib/db/queries/runs";
import { runs } from "@/lib/db/schema";
import { schedulesQueue } from "@/lib/queue/schedules-queue";
import { POST as createJobRoute } from "@/app/api/v1/jobs/route";
import { PATCH as patchJobRoute } from "@/app/api/v1/jobs/[id]/route";
import { POST as triggerRoute } from "@/app/api/v1/jobs/[id]/runs/route";
import { POST as cancelRoute } from "@/app/api/v1/runs/[id]/cancel/route";
import { apiToken, call } from "../api";
import { datasetSchemaTables, resetDatabase, resetQueue } from "../db";
import { sendJson, startFixtureServer, type FixtureServer } from "../fixture-server";
import { logMessages, triggerJob } from "../integration/jobs";
import { datasetIds, jobReading, range, slowPages, waitFor, waitForFinished } from "./scenario";
import { startWorker, type WorkerProcess } from "./workers";

let fixture: FixtureServer;
let worker: WorkerProcess;

beforeAll(async () => {
  [fixture, worker] = await Promise.all([startFixtureServer(), startWorker("shared")]);
});
afterAll(async () => {
  await worker?.stop();
  await fixture?.close();
});
beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  fixture.reset();
});

/** The run's log lines with their times. */
async function timedLog(runId: string) {
  const { rows } = await listRunLogs(db, { runId, page: 1, pageSize: 1000 });
  return rows.map((line) => ({ at: line.ts.getTime(), message: line.message }));
}

describe("retries in a real worker", () => {
  it("a source failing transiently, then recovering: the next attempt loads every row once", async () => {
    let failures = 4;
    fixture.route("/flaky", (_req, res, url) => {
      const page = Number(url.searchParams.get("page") ?? "1");
      // Page 2 fails every try of the first attempt (the source tries four times), then recovers.
      if (page === 2 && failures-- > 0) return void res.writeHead(503, { "retry-after": "0" }).end();
      const items = range((page - 1) * 10 + 1, page * 10).map((id) => ({ id, page }));
      sendJson(res, 200, { data: { items }, links: { next: page < 5 ? `${fixture.origin}/flaky?page=${page + 1}` : null } });
    });
    const { job } = await jobReading(`${fixture.origin}/flaky`);
    const run = await waitForFinished((await triggerJob(job)).id);
    expect(run).toMatchObject({ status: "success", attempt: 2, rowsLoaded: 50, errorMessage: null });
    expect(await datasetIds(job.id)).toEqual({ ids: range(1, 50), runIds: [run.id] });
    expect(await datasetSchemaTables()).toHaveLength(1);
  });

  it("waits the exponential backoff between attempts: about 1 s, then 2 s", async () => {
    fixture.route("/down", (_req, res) => res.writeHead(500, { "retry-after": "0" }).end());
    const { job } = await jobReading(`${fixture.origin}/down`);
    const run = await waitForFinished((await triggerJob(job)).id);
    expect(run).toMatchObject({ status: "failed", attempt: 3, errorMessage: `${fixture.origin}/down answered HTTP 500 Internal Server Error.` });
    const log = await timedLog(run.id);
    const at = (message: string) => log.find((l) => l.message === message)!.at;
    const firstWait = at("Attempt 2 of 3 started.") - at("Attempt 1 of 3 failed; the run will be retried.");
    const secondWait = at("Attempt 3 of 3 started.") - at("Attempt 2 of 3 failed; the run will be retried.");
    expect(firstWait).toBeGreaterThanOrEqual(950);
    expect(firstWait).toBeLessThan(2500);
    expect(secondWait).toBeGreaterThanOrEqual(1950);
    expect(secondWait).toBeLessThan(3500);
  });
});

describe("a transform computing for longer than the queue lock", () => {
  it("does not make the run look stalled: the lock is renewed by the worker's main thread meanwhile", async () => {
    // Each row makes the regular expression backtrack for about a sixth of a millisecond, on the run's own thread: 8–9 s in all.
    fixture.route("/heavy", (_req, res) => sendJson(res, 200, { items: range(1, 54_000).map((i) => ({ s: `${"a".repeat(30)}b${i}` })) }));
    const { job } = await jobReading(`${fixture.origin}/heavy`, {
      source: { type: "http", url: `${fixture.origin}/heavy`, recordsPath: "items" },
      transform: [{ op: "filter", expr: "d => op.match(d.s, /^(a+)+$/) != null" }],
    });
    const second = await startWorker("second");
    try {
      const run = await waitForFinished((await triggerJob(job)).id);
      expect(run).toMatchObject({ status: "success", attempt: 1, rowsExtracted: 54_000, rowsLoaded: 0 });
      // Longer than the 3 s lock and its renewal, with a second worker checking for stalled runs all along.
      expect(run.finishedAt!.getTime() - run.startedAt!.getTime()).toBeGreaterThan(6000);
      const log = await logMessages(run.id);
      expect(log.filter((m) => m.startsWith("Attempt "))).toEqual(["Attempt 1 of 3 started."]);
      expect(log.filter((m) => m.includes("stopped responding"))).toEqual([]);
      expect([worker.claimed(run.id), second.claimed(run.id)].filter(Boolean)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});

describe("cancel in a real worker", () => {
  it("stops a running run within seconds, leaving the dataset as it was", async () => {
    slowPages(fixture, "/rows", { pages: 2, perPage: 5, delayMs: 10 });
    const { job, user } = await jobReading(`${fixture.origin}/rows`);
    const previous = await waitForFinished((await triggerJob(job)).id);
    expect(previous.status).toBe("success");
    slowPages(fixture, "/rows", { pages: 100, perPage: 5, delayMs: 100 });
    const run = await triggerJob(job);
    await waitFor("the load to be under way", async () => fixture.requestsTo("/rows") >= 8);
    const token = await apiToken(user.id);
    const cancelled = await call(cancelRoute, { method: "POST", path: "/", params: { id: run.id }, token });
    expect(cancelled.body.status).toBe("cancelled");
    const at = Date.now();
    await waitFor("the worker to stop the run", async () => (await logMessages(run.id)).includes("Run cancelled; the dataset was left unchanged."), 10_000).catch(
      async (error: Error) => {
        throw new Error(`${error.message}\nrun log:\n${(await logMessages(run.id)).join("\n")}\nworker log:\n${worker.log().slice(-4000)}`);
      },
    );
    expect(Date.now() - at).toBeLessThan(3000);
    const requests = fixture.requestsTo("/rows");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fixture.requestsTo("/rows")).toBe(requests);
    expect(await datasetIds(job.id)).toEqual({ ids: range(1, 10), runIds: [previous.id] });
    expect((await waitForFinished(run.id)).status).toBe("cancelled");
  });
});

describe("idempotent triggers against a real worker", () => {
  it("the same Idempotency-Key sent many times at once starts and executes one run", async () => {
    slowPages(fixture, "/rows", { pages: 3, perPage: 4, delayMs: 20 });
    const { job, user } = await jobReading(`${fixture.origin}/rows`);
    const token = await apiToken(user.id);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => call(triggerRoute, { method: "POST", path: "/", params: { id: job.id }, token, headers: { "idempotency-key": "deploy-42" } })),
    );
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([202]));
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    const [runId] = [...ids] as string[];
    expect(await waitForFinished(runId!)).toMatchObject({ status: "success", attempt: 1, rowsLoaded: 12 });
    const retry = await call(triggerRoute, { method: "POST", path: "/", params: { id: job.id }, token, headers: { "idempotency-key": "deploy-42" } });
    expect([retry.body.id, retry.body.status, retry.headers.get("idempotent-replayed")]).toEqual([runId, "success", "true"]);
    expect(await db.select({ id: runs.id }).from(runs).where(eq(runs.jobId, job.id))).toEqual([{ id: runId }]);
    expect((await logMessages(runId!)).filter((m) => m.startsWith("Attempt "))).toEqual(["Attempt 1 of 3 started."]);
  });
});

describe("two worker processes scheduling at once", () => {
  it("produce one run per tick, and a disabled schedule stops at once", async () => {
    slowPages(fixture, "/rows", { pages: 1, perPage: 2, delayMs: 5 });
    const { user } = await jobReading(`${fixture.origin}/rows`);
    const token = await apiToken(user.id);
    const second = await startWorker("second");
    try {
      const created = await call(createJobRoute, {
        method: "POST",
        path: "/api/v1/jobs",
        token,
        json: {
          name: "Every second",
          source: { type: "http", url: `${fixture.origin}/rows`, recordsPath: "data.items" },
          schedule: { cron: "* * * * * *", timezone: "UTC" },
        },
      });
      expect(created.status).toBe(201);
      const jobId = created.body.id as string;
      // Both workers reconcile schedulers as they start and on every upkeep; there is still one.
      await new Promise((resolve) => setTimeout(resolve, 4500));
      expect(await schedulesQueue().getJobSchedulersCount()).toBe(1);
      await call(patchJobRoute, { method: "PATCH", path: "/", params: { id: jobId }, token, json: { schedule: null } });
      const disabledAt = Date.now();
      expect(await schedulesQueue().getJobSchedulersCount()).toBe(0);

      const scheduled = () =>
        db.select().from(runs).where(and(eq(runs.jobId, jobId), eq(runs.trigger, "schedule"))).orderBy(asc(runs.scheduledFor));
      await waitFor("the scheduled runs to finish", async () => (await scheduled()).every((r) => r.status === "success"), 30_000);
      const recorded = await scheduled();
      expect(recorded.length).toBeGreaterThanOrEqual(3);
      const times = recorded.map((r) => r.scheduledFor!.getTime());
      expect(times.every((t) => t % 1000 === 0)).toBe(true);
      // One run per second: none doubled, none missed.
      expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual(times.slice(1).map(() => 1000));
      // Nothing was scheduled after the schedule was disabled (a tick already due may still land).
      expect(times.at(-1)!).toBeLessThan(disabledAt + 1000);
      const executedBy = recorded.map((r) => (worker.claimed(r.id) ? "shared" : second.claimed(r.id) ? "second" : "none"));
      expect(executedBy).not.toContain("none");
      expect((await schedulesQueue().getJobCounts("failed")).failed).toBe(0);
    } finally {
      await second.stop();
    }
  });
});
