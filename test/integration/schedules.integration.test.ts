import type { Job } from "bullmq";
import { Worker } from "bullmq";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import { db } from "@/lib/db/client";
import { updateJob } from "@/lib/db/queries/jobs";
import { runs } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { createRedis } from "@/lib/queue/connection";
import { runsQueue } from "@/lib/queue/runs-queue";
import { SCHEDULES_QUEUE, schedulesQueue, syncSchedule, type TickPayload } from "@/lib/queue/schedules-queue";
import { reconcileSchedules } from "@/lib/runs/schedule-reconcile";
import { processTick } from "@/lib/runs/schedule-tick";
import { jobDefinitionSchema } from "@/lib/schemas/jobs";
import { nextRunTimes } from "@/lib/schemas/run-control";
import { POST as createJobRoute } from "@/app/api/v1/jobs/route";
import { DELETE as deleteJobRoute, GET as getJobRoute, PATCH as patchJobRoute } from "@/app/api/v1/jobs/[id]/route";
import { apiToken, call, expectProblem } from "../api";
import { createUser, resetDatabase, resetQueue } from "../db";
import { createJob } from "./jobs";

let token: string;
let ticks: { worker: Worker<TickPayload>; close(): Promise<void> } | undefined;

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  const { user } = await createUser();
  token = await apiToken(user.id);
});

afterEach(async () => {
  await ticks?.close();
  ticks = undefined;
});

async function scheduler(jobId: string) {
  const found = await schedulesQueue().getJobScheduler(jobId);
  return found ? { pattern: found.pattern, tz: found.tz, next: found.next } : undefined;
}

const source = { type: "http", url: "https://shop.example.com/api/orders" };

describe("a job's schedule through the API", () => {
  it("creates, edits, disables and deletes the job's scheduler at once, with the next run time in the answer", async () => {
    const created = await call(createJobRoute, {
      method: "POST",
      path: "/api/v1/jobs",
      token,
      json: { name: "Hourly", source, schedule: { cron: "15 * * * *", timezone: "Asia/Kolkata" } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body.schedule).toEqual({ cron: "15 * * * *", timezone: "Asia/Kolkata" });
    // Kolkata is UTC+5:30: minute 15 there is minute 45 in UTC.
    const next = nextRunTimes({ cron: "15 * * * *", timezone: "Asia/Kolkata" }, 1)[0]!;
    expect(next.getUTCMinutes()).toBe(45);
    expect(created.body.nextRunAt).toBe(next.toISOString());
    expect(await scheduler(id)).toEqual({ pattern: "15 * * * *", tz: "Asia/Kolkata", next: next.getTime() });

    const edited = await call(patchJobRoute, { method: "PATCH", path: "/", params: { id }, token, json: { schedule: { cron: "0 6 * * MON-FRI" } } });
    expect(edited.status).toBe(200);
    expect(edited.body.schedule).toEqual({ cron: "0 6 * * MON-FRI", timezone: "UTC" });
    expect(edited.body.nextRunAt).toBe(nextRunTimes({ cron: "0 6 * * MON-FRI", timezone: "UTC" }, 1)[0]!.toISOString());
    expect(await scheduler(id)).toMatchObject({ pattern: "0 6 * * MON-FRI", tz: "UTC" });
    expect(await schedulesQueue().getJobSchedulersCount()).toBe(1);

    // A PATCH that leaves the schedule alone leaves the scheduler alone.
    const renamed = await call(patchJobRoute, { method: "PATCH", path: "/", params: { id }, token, json: { name: "Weekday mornings" } });
    expect(renamed.body.nextRunAt).toBe(edited.body.nextRunAt);
    expect(await scheduler(id)).toMatchObject({ pattern: "0 6 * * MON-FRI" });

    const disabled = await call(patchJobRoute, { method: "PATCH", path: "/", params: { id }, token, json: { schedule: null } });
    expect(disabled.body).toMatchObject({ schedule: null, nextRunAt: null });
    expect(await scheduler(id)).toBeUndefined();
    expect((await call(getJobRoute, { path: "/", params: { id }, token })).body.nextRunAt).toBeNull();

    await call(patchJobRoute, { method: "PATCH", path: "/", params: { id }, token, json: { schedule: { cron: "*/5 * * * *" } } });
    expect(await scheduler(id)).toMatchObject({ pattern: "*/5 * * * *" });
    expect((await call(deleteJobRoute, { method: "DELETE", path: "/", params: { id }, token })).status).toBe(204);
    expect(await scheduler(id)).toBeUndefined();
    expect(await schedulesQueue().getJobSchedulersCount()).toBe(0);
  });

  it("answers 422 naming the cron field or the time zone", async () => {
    const bad = async (schedule: unknown) =>
      expectProblem(await call(createJobRoute, { method: "POST", path: "/api/v1/jobs", token, json: { name: "Bad", source, schedule } }), 422).errors;
    expect(await bad({ cron: "0 25 * * *" })).toEqual([
      { path: "schedule.cron", message: "is not a valid cron expression: Constraint error, got value 25 expected range 0-23" },
    ]);
    expect(await bad({ cron: "0 6 * * *", timezone: "Europe/Atlantis" })).toEqual([
      { path: "schedule.timezone", message: "is not a known IANA time zone, e.g. UTC or Europe/Vienna" },
    ]);
    expect(await bad("0 6 * * *")).toEqual([{ path: "schedule", message: "Invalid input: expected object, received string" }]);
    expect(await schedulesQueue().getJobSchedulersCount()).toBe(0);
  });
});

describe("schedule ticks", () => {
  async function startTicks() {
    const connection = createRedis("worker");
    const worker = new Worker<TickPayload>(SCHEDULES_QUEUE, processTick, { connection, prefix: env.QUEUE_PREFIX });
    await worker.waitUntilReady();
    ticks = {
      worker,
      async close() {
        await worker.close();
        await connection.quit().catch(() => connection.disconnect());
      },
    };
  }

  async function scheduledJob(schedule: unknown, overlap = "queue") {
    const { user, workspace } = await createUser();
    return createJob({ workspaceId: workspace.id, userId: user.id, name: "Every second", definition: { source, schedule, overlap } });
  }

  const scheduledRuns = (jobId: string) =>
    db.select().from(runs).where(eq(runs.jobId, jobId)).orderBy(asc(runs.scheduledFor));

  it("records one run per tick with trigger schedule, enqueued under its own id", async () => {
    const job = await scheduledJob({ cron: "* * * * * *", timezone: "UTC" });
    await syncSchedule(schedulesQueue(), job.id, job.definition.schedule);
    await startTicks();
    await new Promise((resolve) => setTimeout(resolve, 3500));
    await syncSchedule(schedulesQueue(), job.id, null);
    await ticks!.close();
    ticks = undefined;

    const recorded = await scheduledRuns(job.id);
    expect(recorded.length).toBeGreaterThanOrEqual(2);
    expect(recorded.every((r) => r.trigger === "schedule" && r.status === "pending")).toBe(true);
    const times = recorded.map((r) => r.scheduledFor!.getTime());
    // Whole seconds, one run each, consecutive: no tick missed or doubled.
    expect(times.every((t) => t % 1000 === 0)).toBe(true);
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual(times.slice(1).map(() => 1000));
    for (const run of recorded) expect(await runsQueue().getJobState(run.id)).toBe("waiting");
  });

  it("makes one run of a tick however often it is delivered", async () => {
    const job = await scheduledJob({ cron: "*/5 * * * *", timezone: "UTC" });
    await syncSchedule(schedulesQueue(), job.id, job.definition.schedule);
    const tick = { id: `repeat:${job.id}:1767225600000`, data: { jobId: job.id }, opts: { prevMillis: 1767225600000 } } as unknown as Job<TickPayload>;
    const results = await Promise.all([processTick(tick), processTick(tick), processTick(tick)]);
    const runIds = new Set(results.map((r) => ("runId" in r ? r.runId : null)));
    expect(runIds.size).toBe(1);
    expect(results.filter((r) => "created" in r && r.created)).toHaveLength(1);
    const recorded = await scheduledRuns(job.id);
    expect(recorded.map((r) => [r.scheduledFor!.toISOString(), r.trigger])).toEqual([["2026-01-01T00:00:00.000Z", "schedule"]]);
  });

  it("skips a tick while a run is active when the job skips overlapping runs, and otherwise queues it", async () => {
    const skipping = await scheduledJob({ cron: "*/5 * * * *", timezone: "UTC" }, "skip");
    const queueing = await scheduledJob({ cron: "*/5 * * * *", timezone: "UTC" }, "queue");
    const tickOf = (jobId: string, millis: number) =>
      ({ id: `repeat:${jobId}:${millis}`, data: { jobId }, opts: { prevMillis: millis } }) as unknown as Job<TickPayload>;
    for (const job of [skipping, queueing]) await syncSchedule(schedulesQueue(), job.id, job.definition.schedule);

    const first = await processTick(tickOf(skipping.id, 1767225600000));
    expect(await processTick(tickOf(skipping.id, 1767225900000))).toEqual({ skipped: "overlap", runId: (first as { runId: string }).runId });
    expect(await scheduledRuns(skipping.id)).toHaveLength(1);

    await processTick(tickOf(queueing.id, 1767225600000));
    await processTick(tickOf(queueing.id, 1767225900000));
    expect((await scheduledRuns(queueing.id)).map((r) => r.status)).toEqual(["pending", "pending"]);
  });

  it("starts nothing for a tick whose job lost its schedule or changed it, and brings the scheduler in line", async () => {
    const job = await scheduledJob({ cron: "*/5 * * * *", timezone: "UTC" });
    await syncSchedule(schedulesQueue(), job.id, job.definition.schedule);
    const tick = { id: `repeat:${job.id}:1767225600000`, data: { jobId: job.id }, opts: { prevMillis: 1767225600000 } } as unknown as Job<TickPayload>;

    // Edited while Redis was unreachable: the scheduler still has the old cron.
    const edited = jobDefinitionSchema.parse({ ...job.definition, schedule: { cron: "0 * * * *", timezone: "UTC" } });
    await updateJob(db, job.id, { definition: edited });
    expect(await processTick(tick)).toEqual({ skipped: "schedule changed" });
    expect(await scheduler(job.id)).toMatchObject({ pattern: "0 * * * *", tz: "UTC" });

    await updateJob(db, job.id, { definition: { ...edited, schedule: null } });
    expect(await processTick(tick)).toEqual({ skipped: "schedule removed" });
    expect(await scheduler(job.id)).toBeUndefined();
    expect(await scheduledRuns(job.id)).toEqual([]);
  });
});

describe("reconciling schedulers with jobs", () => {
  it("adds missing schedulers, corrects outdated ones and removes orphans", async () => {
    const { user, workspace } = await createUser();
    const make = (name: string, schedule: unknown) => createJob({ workspaceId: workspace.id, userId: user.id, name, definition: { source, schedule } });
    const missing = await make("Missing", { cron: "0 1 * * *", timezone: "UTC" });
    const outdated = await make("Outdated", { cron: "0 2 * * *", timezone: "Europe/Vienna" });
    const fine = await make("Fine", { cron: "0 3 * * *", timezone: "UTC" });
    await make("Unscheduled", null);
    await syncSchedule(schedulesQueue(), outdated.id, { cron: "0 2 * * *", timezone: "UTC" });
    await syncSchedule(schedulesQueue(), fine.id, fine.definition.schedule);
    const orphan = "00000000-0000-4000-8000-000000000001";
    await syncSchedule(schedulesQueue(), orphan, { cron: "0 4 * * *", timezone: "UTC" });

    const { upserted, removed } = await reconcileSchedules(schedulesQueue());
    expect({ upserted: [...upserted].sort(), removed }).toEqual({ upserted: [missing.id, outdated.id].sort(), removed: [orphan] });
    expect(await scheduler(missing.id)).toMatchObject({ pattern: "0 1 * * *", tz: "UTC" });
    expect(await scheduler(outdated.id)).toMatchObject({ pattern: "0 2 * * *", tz: "Europe/Vienna" });
    expect(await scheduler(orphan)).toBeUndefined();
    expect(await schedulesQueue().getJobSchedulersCount()).toBe(3);
    // Run again, nothing is left to change.
    expect(await reconcileSchedules(schedulesQueue())).toEqual({ upserted: [], removed: [] });
  });
});

afterAll(async () => {
  await ticks?.close();
});
