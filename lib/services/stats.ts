import "server-only";
import { sql } from "@/lib/db/client";
import { countRunsByStatus, jobActivity, runTimeline } from "@/lib/db/queries/stats";
import { workspacesWith, type Principal } from "@/lib/auth/principal";
import { runStatuses } from "@/lib/schemas/runs";
import type { Stats, StatusCounts } from "@/lib/schemas/stats";
import { assertAccess } from "./access";

const HOUR_MS = 3_600_000;
const zeroCounts = (): StatusCounts => ({ pending: 0, running: 0, success: 0, failed: 0, cancelled: 0 });

/** The window's start: whole hours (or whole UTC days beyond 48 hours), so every timeline bucket is complete. */
function windowStart(now: Date, hours: number, bucket: "hour" | "day"): Date {
  const since = new Date(now.getTime() - hours * HOUR_MS);
  if (bucket === "hour") since.setUTCMinutes(0, 0, 0);
  else since.setUTCHours(0, 0, 0, 0);
  return since;
}

/**
 * Recent activity in the caller's workspaces (or one of them): run counts by status, a timeline,
 * and the jobs that ran, failing ones first.
 */
export async function readStats(principal: Principal, params: { hours: number; workspaceId?: string }, now = new Date()): Promise<Stats> {
  let workspaceIds = workspacesWith(principal, "runs:read");
  if (params.workspaceId) {
    assertAccess(principal, params.workspaceId, "runs:read", "workspace");
    workspaceIds = [params.workspaceId];
  }
  const bucket = params.hours > 48 ? "day" : "hour";
  const since = windowStart(now, params.hours, bucket);
  const [counts, timeline, jobs] = await Promise.all([
    countRunsByStatus(sql, workspaceIds, since),
    runTimeline(sql, workspaceIds, since, bucket),
    jobActivity(sql, workspaceIds, since),
  ]);

  const runs = { ...zeroCounts(), total: 0 };
  for (const { status, n } of counts) {
    runs[status] += n;
    runs.total += n;
  }

  const step = bucket === "hour" ? HOUR_MS : 24 * HOUR_MS;
  const buckets = new Map<number, StatusCounts & { start: string }>();
  for (let t = since.getTime(); t <= now.getTime(); t += step) buckets.set(t, { start: new Date(t).toISOString(), ...zeroCounts() });
  for (const row of timeline) {
    const entry = buckets.get(row.startMs);
    if (entry && runStatuses.includes(row.status)) entry[row.status] += row.n;
  }

  return {
    since: since.toISOString(),
    until: now.toISOString(),
    bucket,
    runs,
    timeline: [...buckets.values()],
    jobs: jobs.map((job) => ({
      id: job.id,
      name: job.name,
      workspaceId: job.workspaceId,
      runs: job.runs,
      failed: job.failed,
      lastRun: {
        id: job.lastRunId,
        status: job.lastStatus,
        createdAt: new Date(job.lastCreatedMs).toISOString(),
        durationMs: job.lastDurationMs,
        rowsLoaded: job.lastRowsLoaded,
        error: job.lastErrorStage && job.lastErrorMessage ? { stage: job.lastErrorStage, message: job.lastErrorMessage } : null,
      },
    })),
  };
}
