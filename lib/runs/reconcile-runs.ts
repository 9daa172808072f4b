import "server-only";
import type { Queue } from "bullmq";
import { and, eq, lt, or, sql as dsql } from "drizzle-orm";
import { db } from "@/lib/db/client";
import { failUnfinishedRun } from "@/lib/db/queries/run-attempts";
import { runs } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { runLogger } from "@/lib/etl/run-log";
import { runLog } from "@/lib/logger";
import { notifyRunEnded } from "@/lib/notifications/enqueue";

/** Queue states in which a job will still be executed, or is being executed, by some worker. */
const ALIVE = new Set(["active", "waiting", "delayed", "prioritized", "waiting-children"]);

/**
 * Fails the runs nothing will ever finish: `running` ones whose heartbeat stopped and `pending`
 * ones left alone for RUN_STALE_AFTER_MS, when their queue job is gone (Redis flushed or
 * restarted without persistence) or ended without finishing them. Runs whose job is still alive
 * in the queue are left to it: a stalled job is taken over by another worker. Returns the ids failed.
 */
export async function reconcileStuckRuns(queue: Queue): Promise<string[]> {
  const staleBefore = new Date(Date.now() - env.RUN_STALE_AFTER_MS);
  const candidates = await db
    .select({ id: runs.id, status: runs.status, stage: dsql<string | null>`${runs.progress}->>'stage'` })
    .from(runs)
    .where(
      or(
        and(eq(runs.status, "running"), or(lt(runs.heartbeatAt, staleBefore), dsql`${runs.heartbeatAt} IS NULL`)),
        and(eq(runs.status, "pending"), lt(runs.createdAt, staleBefore), or(dsql`${runs.heartbeatAt} IS NULL`, lt(runs.heartbeatAt, staleBefore))),
      ),
    );
  const failed: string[] = [];
  for (const run of candidates) {
    const state = await queue.getJobState(run.id);
    if (ALIVE.has(state)) continue;
    const message =
      state === "unknown"
        ? `The run's queue entry vanished while it was ${run.status} (Redis lost its data: a restart without persistence, a flush or an eviction), so no worker would ever finish it. Trigger the job again.`
        : `The run's queue job ended (${state}) without finishing the run, so no worker would ever finish it. Trigger the job again.`;
    const stage = run.stage === "transform" || run.stage === "load" ? run.stage : "extract";
    if (!(await failUnfinishedRun(db, run.id, { stage, message }))) continue;
    await runLogger(run.id)("error", message);
    runLog(run.id).warn({ queueState: state, previousStatus: run.status }, "reconciled a stuck run to failed");
    await notifyRunEnded(run.id);
    failed.push(run.id);
  }
  return failed;
}

