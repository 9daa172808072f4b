import "server-only";
import { db } from "@/lib/db/client";
import { failUnfinishedRun, insertRunOnce, type Insertion, type NewRun } from "@/lib/db/queries/run-attempts";
import type { jobs } from "@/lib/db/schema";
import { logger } from "@/lib/logger";
import { enqueueRun } from "@/lib/queue/runs-queue";

type JobRow = typeof jobs.$inferSelect;

/** The queue (Redis) refused the run; the run was failed visibly or, if it existed before, left pending. */
export class QueueUnavailableError extends Error {
  constructor(readonly runId: string) {
    super(`Could not enqueue run ${runId}`);
    this.name = "QueueUnavailableError";
  }
}

/**
 * Starts a run of the job as it is now, for every kind of trigger: records it (at most once per
 * idempotency key or schedule tick, and not at all while another run is active if the job skips
 * overlapping runs), then enqueues it under its own id. A run found again by its key or tick is
 * enqueued again if still pending, which is a no-op when its queue job exists and repairs the
 * crash window between recording and enqueueing when it does not.
 */
export async function startRun(
  job: JobRow,
  trigger: NewRun["trigger"],
  origin: Pick<NewRun, "idempotencyKey" | "scheduledFor"> = {},
): Promise<Insertion> {
  const insertion = await insertRunOnce(db, { jobId: job.id, workspaceId: job.workspaceId, trigger, definition: job.definition, ...origin });
  const { kind, run } = insertion;
  if (kind === "busy" || run.status !== "pending") return insertion;
  try {
    await enqueueRun(run.id, run.definition.retry);
  } catch (error) {
    logger.error({ err: error, runId: run.id, jobId: job.id }, "could not enqueue run");
    // A new run without a queue entry would never be picked up: fail it now, visibly.
    if (kind === "created") await failUnfinishedRun(db, run.id, { stage: "extract", message: "The run queue was unavailable." });
    throw new QueueUnavailableError(run.id);
  }
  return insertion;
}
