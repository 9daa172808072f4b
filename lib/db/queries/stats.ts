import "server-only";
import type { Sql } from "@/lib/db/client";
import type { RunStage, RunStatus } from "@/lib/schemas/runs";

const JOBS_LISTED = 50;

export type RunStatusCount = { status: RunStatus; n: number };

/** Runs created since `since` in the workspaces, by status. */
export async function countRunsByStatus(sql: Sql, workspaceIds: string[], since: Date): Promise<RunStatusCount[]> {
  const rows = await sql<{ status: RunStatus; n: number }[]>`
    SELECT status, count(*)::int AS n FROM runs
    WHERE workspace_id = ANY(${workspaceIds}::uuid[]) AND created_at >= ${since.toISOString()}::timestamptz
    GROUP BY status`;
  return rows;
}

// Times are read as epoch milliseconds: drizzle's driver leaves timestamps as PostgreSQL's text.
const epochMs = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`;

/** Runs created since `since`, by hour or day of creation (`startMs`, UTC) and status. */
export async function runTimeline(sql: Sql, workspaceIds: string[], since: Date, bucket: "hour" | "day") {
  return sql<{ startMs: number; status: RunStatus; n: number }[]>`
    SELECT ${sql.unsafe(epochMs(`date_trunc('${bucket === "day" ? "day" : "hour"}', created_at, 'UTC')`))} AS "startMs", status, count(*)::int AS n FROM runs
    WHERE workspace_id = ANY(${workspaceIds}::uuid[]) AND created_at >= ${since.toISOString()}::timestamptz
    GROUP BY 1, 2 ORDER BY 1`;
}

export type JobActivity = {
  id: string;
  name: string;
  workspaceId: string;
  runs: number;
  failed: number;
  lastRunId: string;
  lastStatus: RunStatus;
  lastCreatedMs: number;
  lastDurationMs: number | null;
  lastRowsLoaded: number;
  lastErrorStage: RunStage | null;
  lastErrorMessage: string | null;
};

/**
 * The jobs that ran since `since`, with their run and failure counts in the window and their
 * newest run: those whose newest run failed first, then by failures, then by the newest run.
 */
export async function jobActivity(sql: Sql, workspaceIds: string[], since: Date): Promise<JobActivity[]> {
  return sql<JobActivity[]>`
    WITH recent AS (
      SELECT job_id, count(*)::int AS runs, count(*) FILTER (WHERE status = 'failed')::int AS failed
      FROM runs
      WHERE workspace_id = ANY(${workspaceIds}::uuid[]) AND created_at >= ${since.toISOString()}::timestamptz
      GROUP BY job_id
    )
    SELECT j.id, j.name, j.workspace_id AS "workspaceId", recent.runs, recent.failed,
      last.id AS "lastRunId", last.status AS "lastStatus", ${sql.unsafe(epochMs("last.created_at"))} AS "lastCreatedMs",
      round(${sql.unsafe(epochMs("last.finished_at - last.started_at"))})::int AS "lastDurationMs", last.rows_loaded::float8 AS "lastRowsLoaded",
      last.error_stage AS "lastErrorStage", last.error_message AS "lastErrorMessage"
    FROM recent
    JOIN jobs j ON j.id = recent.job_id
    CROSS JOIN LATERAL (
      SELECT * FROM runs r WHERE r.job_id = j.id ORDER BY r.created_at DESC, r.id DESC LIMIT 1
    ) last
    ORDER BY (last.status = 'failed') DESC, recent.failed DESC, last.created_at DESC, j.id
    LIMIT ${JOBS_LISTED}`;
}
