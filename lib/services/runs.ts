import "server-only";
import { db } from "@/lib/db/client";
import { appendRunLogs, cancelRunRow, getRun, listRunLogs, listRuns, type RunRow } from "@/lib/db/queries/runs";
import { HttpError } from "@/lib/api/errors";
import { workspacesWith, type Principal } from "@/lib/auth/principal";
import { runsQueue } from "@/lib/queue/runs-queue";
import type { RunStatus } from "@/lib/schemas/runs";
import { assertAccess } from "./access";
import { recordAudit } from "./audit";
import { toRunDto } from "./dto";

type RunPermission = "runs:read" | "runs:execute";

export async function loadRun(principal: Principal, id: string, permission: RunPermission): Promise<RunRow> {
  return accessibleRun(principal, await getRun(db, id), permission);
}

/** The run, if it exists and the caller may act on it: 404 when not (or not a member of its workspace), 403 when their role is too low. */
export function accessibleRun<T extends { workspaceId: string }>(principal: Principal, run: T | undefined, permission: RunPermission): T {
  if (!run) throw new HttpError(404, "The run does not exist.");
  assertAccess(principal, run.workspaceId, permission, "run");
  return run;
}

export async function listRunsFor(
  principal: Principal,
  params: { jobId?: string; status?: RunStatus; page: number; pageSize: number },
) {
  const { count, rows } = await listRuns(db, { workspaceIds: workspacesWith(principal, "runs:read"), ...params });
  return { count, results: rows.map(toRunDto) };
}

export async function readRunLogs(principal: Principal, id: string, params: { after?: number; page: number; pageSize: number }) {
  await loadRun(principal, id, "runs:read");
  const { count, rows } = await listRunLogs(db, { runId: id, ...params });
  return {
    count,
    results: rows.map((line) => ({
      id: line.id,
      ts: line.ts.toISOString(),
      level: line.level,
      message: line.message,
      data: line.data ?? null,
    })),
  };
}

/**
 * Cancels a pending or running run. A pending run is taken out of the queue; a running one is
 * stopped by its worker, which polls the status and never commits a cancelled run.
 */
export async function cancelRun(principal: Principal, id: string) {
  const run = await loadRun(principal, id, "runs:execute");
  const cancelled = await cancelRunRow(db, run.id);
  if (!cancelled) throw new HttpError(409, `The run is ${run.status}; only pending or running runs can be cancelled.`);
  // Removing fails harmlessly for a job a worker holds; that worker sees the status instead.
  await runsQueue()
    .remove(run.id)
    .catch(() => undefined);
  // A running attempt logs its own end; a pending run has nobody else to say why it stopped.
  if (run.status === "pending") {
    const when = run.attempt > 0 ? `while waiting to retry after attempt ${run.attempt} of ${run.definition.retry.attempts} failed` : "before it started";
    await appendRunLogs(db, run.id, [{ level: "warn", message: `Run cancelled by ${principal.email} ${when}; nothing was loaded.` }]);
  }
  await recordAudit(principal, {
    action: "run.cancel",
    target: { type: "run", id: run.id },
    workspaceId: run.workspaceId,
    details: { jobId: run.jobId, previousStatus: run.status },
  });
  return toRunDto(cancelled);
}
