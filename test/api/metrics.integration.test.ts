import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { env } from "@/lib/env";
import { GET as metricsRoute } from "@/app/api/metrics/route";
import { apiToken } from "../api";
import { createUser, resetDatabase, resetQueue } from "../db";
import { sendJson, startFixtureServer, type FixtureServer } from "../fixture-server";
import { createJob, triggerJob } from "../integration/jobs";
import { makeInstanceAdmin } from "../teams";
import { startRunsWorker, waitForRun } from "../worker";

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
});

async function scrape(authorization?: string) {
  const res = await metricsRoute(new NextRequest("http://localhost:3000/api/metrics", { headers: authorization ? { authorization } : {} }));
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
}

/** The metric lines (no comments) that start with `name`, sorted. */
const lines = (body: string, name: string) =>
  body
    .split("\n")
    .filter((line) => line.startsWith(name))
    .sort();

describe("GET /api/metrics", () => {
  it("answers Prometheus text with runs by status, finished totals, durations, rows, queue depth and workers", async () => {
    fixture.route("/ok", (_req, res) => sendJson(res, 200, { items: [{ id: 1 }, { id: 2 }, { id: 3 }] }));
    fixture.route("/gone", (_req, res) => sendJson(res, 404, {}));
    const { user, workspace } = await createUser();
    const job = (path: string) =>
      createJob({ workspaceId: workspace.id, userId: user.id, name: path, definition: { source: { type: "http", url: `${fixture.origin}${path}`, recordsPath: "items" } } });
    expect((await waitForRun((await triggerJob(await job("/ok"))).id)).status).toBe("success");
    expect((await waitForRun((await triggerJob(await job("/gone"))).id)).status).toBe("failed");

    const res = await scrape(`Bearer ${env.METRICS_TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.type).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(lines(res.body, "dataflowhub_runs{")).toEqual(['dataflowhub_runs{status="failed"} 1', 'dataflowhub_runs{status="success"} 1']);
    expect(lines(res.body, "dataflowhub_runs_finished_total")).toEqual([
      'dataflowhub_runs_finished_total{status="cancelled"} 0',
      'dataflowhub_runs_finished_total{status="failed"} 1',
      'dataflowhub_runs_finished_total{status="success"} 1',
    ]);
    expect(lines(res.body, "dataflowhub_rows_loaded_total")).toEqual(["dataflowhub_rows_loaded_total 3"]);
    const histogram = lines(res.body, 'dataflowhub_run_duration_seconds_bucket{status="success"');
    expect(histogram).toHaveLength(12);
    expect(histogram).toContain('dataflowhub_run_duration_seconds_bucket{status="success",le="+Inf"} 1');
    // A run of a few rows takes less than 15 s: every bucket from 15 s on holds it.
    expect(histogram.find((l) => l.includes('le="15"'))).toBe('dataflowhub_run_duration_seconds_bucket{status="success",le="15"} 1');
    expect(lines(res.body, 'dataflowhub_run_duration_seconds_count{status="failed"}')).toEqual(['dataflowhub_run_duration_seconds_count{status="failed"} 1']);
    expect(lines(res.body, 'dataflowhub_queue_jobs{queue="runs",state="completed"}')).toEqual(['dataflowhub_queue_jobs{queue="runs",state="completed"} 1']);
    expect(lines(res.body, 'dataflowhub_queue_jobs{queue="runs",state="failed"}')).toEqual(['dataflowhub_queue_jobs{queue="runs",state="failed"} 1']);
    expect(lines(res.body, 'dataflowhub_workers{queue="runs"}')).toEqual(['dataflowhub_workers{queue="runs"} 1']);
    expect(lines(res.body, "dataflowhub_up")).toEqual(['dataflowhub_up{dependency="postgres"} 1', 'dataflowhub_up{dependency="redis"} 1']);
    expect(res.body).toContain("# TYPE dataflowhub_run_duration_seconds histogram");
    expect(lines(res.body, "process_cpu_seconds_total")).toHaveLength(1);
  });

  it("is for the METRICS_TOKEN scraper and instance admins only", async () => {
    const { user } = await createUser();
    const token = await apiToken(user.id);
    expect((await scrape()).status).toBe(401);
    expect((await scrape("Bearer not-the-metrics-token")).status).toBe(401);
    const refused = await scrape(`Bearer ${token}`);
    expect([refused.status, refused.type]).toEqual([403, "application/problem+json"]);
    await makeInstanceAdmin(user.id);
    expect((await scrape(`Bearer ${token}`)).status).toBe(200);
  });
});
