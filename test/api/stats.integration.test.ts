import { beforeEach, describe, expect, it } from "vitest";
import { GET as stats } from "@/app/api/v1/stats/route";
import { db, sql } from "@/lib/db/client";
import { insertRun } from "@/lib/db/queries/runs";
import { apiToken, call, expectProblem } from "../api";
import { createMemberOnly, createUser, resetDatabase } from "../db";
import { createJob } from "../integration/jobs";

type Status = "pending" | "running" | "success" | "failed" | "cancelled";

let token: string;
let workspaceId: string;
let userId: string;

/** A run of the job, created `hoursAgo` and left in `status` (finished runs took 2 s and loaded 10 rows). */
async function runOf(job: Awaited<ReturnType<typeof createJob>>, status: Status, hoursAgo: number) {
  const run = await insertRun(db, { jobId: job.id, workspaceId: job.workspaceId, trigger: "api", definition: job.definition });
  const finished = status === "success" || status === "failed" || status === "cancelled";
  await sql`
    UPDATE runs SET status = ${status},
      created_at = now() - make_interval(secs => ${hoursAgo * 3600}),
      started_at = now() - make_interval(secs => ${hoursAgo * 3600}),
      finished_at = CASE WHEN ${finished} THEN now() - make_interval(secs => ${hoursAgo * 3600 - 2}) END,
      rows_loaded = CASE WHEN ${status} = 'success' THEN 10 ELSE 0 END,
      error_stage = CASE WHEN ${status} = 'failed' THEN 'extract'::run_stage END,
      error_message = CASE WHEN ${status} = 'failed' THEN 'HTTP 500 from the source' END
    WHERE id = ${run.id}`;
  return run.id;
}

const definition = { source: { type: "http", url: "https://api.example.com/items" } };

beforeEach(async () => {
  await resetDatabase();
  const { user, workspace } = await createUser("analyst");
  userId = user.id;
  workspaceId = workspace.id;
  token = await apiToken(user.id);
});

async function seed() {
  const job = (name: string) => createJob({ workspaceId, userId, name, definition });
  const [nightly, hourly, running, quiet] = [await job("Nightly"), await job("Hourly"), await job("Running"), await job("Quiet")];
  await runOf(nightly, "failed", 30);
  await runOf(nightly, "success", 5);
  const nightlyLast = await runOf(nightly, "failed", 2.5);
  await runOf(hourly, "failed", 3.5);
  const hourlyLast = await runOf(hourly, "success", 1.5);
  await runOf(running, "cancelled", 4.5);
  await runOf(running, "running", 0.2);
  await runOf(quiet, "success", 40);
  // Someone else's workspace never shows.
  const other = await createUser("other");
  const theirs = await createJob({ workspaceId: other.workspace.id, userId: other.user.id, name: "Theirs", definition });
  await runOf(theirs, "failed", 1);
  return { nightly, hourly, running, nightlyLast, hourlyLast, otherWorkspace: other.workspace.id };
}

describe("GET /api/v1/stats", () => {
  it("counts the last 24 hours' runs by status and lists the jobs that ran, failing ones first", async () => {
    const { nightly, hourly, running, nightlyLast, hourlyLast } = await seed();
    const res = await call(stats, { path: "/api/v1/stats", token });
    expect(res.status).toBe(200);
    expect(res.body.runs).toEqual({ total: 6, pending: 0, running: 1, success: 2, failed: 2, cancelled: 1 });
    expect(res.body.bucket).toBe("hour");
    expect(Date.parse(res.body.until) - Date.parse(res.body.since)).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(res.body.jobs.map((j: { name: string }) => j.name)).toEqual(["Nightly", "Hourly", "Running"]);
    expect(res.body.jobs[0]).toEqual({
      id: nightly.id,
      name: "Nightly",
      workspaceId,
      runs: 2,
      failed: 1,
      lastRun: {
        id: nightlyLast,
        status: "failed",
        createdAt: expect.any(String),
        durationMs: 2000,
        rowsLoaded: 0,
        error: { stage: "extract", message: "HTTP 500 from the source" },
      },
    });
    expect(res.body.jobs[1]).toMatchObject({ id: hourly.id, runs: 2, failed: 1, lastRun: { id: hourlyLast, status: "success", rowsLoaded: 10, error: null } });
    expect(res.body.jobs[2]).toMatchObject({ id: running.id, runs: 2, failed: 0, lastRun: { status: "running", durationMs: null } });
  });

  it("spreads the window's runs over a timeline of whole hours", async () => {
    await seed();
    const res = await call(stats, { path: "/api/v1/stats", token });
    const timeline = res.body.timeline as { start: string; failed: number; success: number; running: number; cancelled: number; pending: number }[];
    expect(timeline.length).toBeGreaterThanOrEqual(25);
    expect(timeline.length).toBeLessThanOrEqual(26);
    expect(timeline[0]!.start).toBe(res.body.since);
    for (const entry of timeline) expect(new Date(entry.start).getUTCMinutes()).toBe(0);
    const sum = (key: "failed" | "success" | "running" | "cancelled") => timeline.reduce((n, entry) => n + entry[key], 0);
    expect([sum("failed"), sum("success"), sum("running"), sum("cancelled")]).toEqual([2, 2, 1, 1]);
    // The failed run 2.5 hours ago lands in the bucket that starts at most 3 hours ago.
    const bucketOf = (hoursAgo: number) => {
      const at = Date.now() - hoursAgo * 3_600_000;
      return timeline.find((entry) => Date.parse(entry.start) <= at && at < Date.parse(entry.start) + 3_600_000);
    };
    expect(bucketOf(2.5)?.failed).toBeGreaterThanOrEqual(1);
  });

  it("widens to days beyond 48 hours, and narrows to one workspace", async () => {
    const { otherWorkspace } = await seed();
    const week = await call(stats, { path: "/api/v1/stats?hours=72", token });
    expect(week.body.bucket).toBe("day");
    expect(week.body.runs).toMatchObject({ total: 8, failed: 3, success: 3 });
    expect(week.body.jobs.map((j: { name: string }) => j.name)).toEqual(["Nightly", "Hourly", "Running", "Quiet"]);
    for (const entry of week.body.timeline) expect(entry.start).toMatch(/T00:00:00\.000Z$/);

    const mine = await call(stats, { path: `/api/v1/stats?workspaceId=${workspaceId}`, token });
    expect(mine.body.runs.total).toBe(6);
    expectProblem(await call(stats, { path: `/api/v1/stats?workspaceId=${otherWorkspace}`, token }), 404);
    expectProblem(await call(stats, { path: "/api/v1/stats?hours=0", token }), 422);
  });

  it("shows a viewer the same numbers, and nothing from workspaces they are not in", async () => {
    await seed();
    const viewer = await apiToken((await createMemberOnly("viewer", workspaceId, "viewer")).id);
    const res = await call(stats, { path: "/api/v1/stats", token: viewer });
    expect(res.status).toBe(200);
    expect(res.body.runs.total).toBe(6);
    const outsider = await apiToken((await createUser("outsider")).user.id);
    const empty = await call(stats, { path: "/api/v1/stats", token: outsider });
    expect(empty.body.runs).toEqual({ total: 0, pending: 0, running: 0, success: 0, failed: 0, cancelled: 0 });
    expect(empty.body.jobs).toEqual([]);
  });
});
