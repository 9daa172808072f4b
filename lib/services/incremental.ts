import "server-only";
import { db } from "@/lib/db/client";
import { deleteIncrementalCursor, getIncrementalCursor } from "@/lib/db/queries/incremental";
import { HttpError } from "@/lib/api/errors";
import type { Principal } from "@/lib/auth/principal";
import type { IncrementalState } from "@/lib/schemas/incremental";
import { recordAudit } from "./audit";
import { loadJob } from "./jobs";

const NO_STATE = "The job has no incremental position: its source is not incremental, or no run of it has succeeded yet.";

export async function readIncrementalState(principal: Principal, jobId: string): Promise<IncrementalState> {
  const job = await loadJob(principal, jobId, "jobs:read");
  const cursor = await getIncrementalCursor(db, job.id);
  if (!cursor) throw new HttpError(404, NO_STATE);
  return { column: cursor.column, value: cursor.value, runId: cursor.runId, updatedAt: cursor.updatedAt.toISOString() };
}

/** Resets an incremental job: its next run reads every row again (a backfill). */
export async function resetIncrementalState(principal: Principal, jobId: string): Promise<void> {
  const job = await loadJob(principal, jobId, "jobs:write");
  if (!(await deleteIncrementalCursor(db, job.id))) throw new HttpError(404, NO_STATE);
  await recordAudit(principal, {
    action: "job.update",
    target: { type: "job", id: job.id },
    workspaceId: job.workspaceId,
    details: { name: job.name, changed: ["incremental position (reset)"] },
  });
}
