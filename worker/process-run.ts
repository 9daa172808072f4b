import { DelayedError, UnrecoverableError, WaitingError, type Job } from "bullmq";
import { db } from "@/lib/db/client";
import { beatHeart, claimRun, failUnfinishedRun } from "@/lib/db/queries/run-attempts";
import { getRun } from "@/lib/db/queries/runs";
import { env } from "@/lib/env";
import { executeRunIsolated } from "@/lib/etl/isolated-run";
import { runLogger } from "@/lib/etl/run-log";
import { runLog } from "@/lib/logger";
import { notifyRunEnded } from "@/lib/notifications/enqueue";
import { runJobPayloadSchema, type RunJobPayload } from "@/lib/queue/runs-queue";
import type { RunStatus } from "@/lib/schemas/runs";

export type ProcessRunResult =
  | { rowsLoaded: number }
  | { cancelled: true }
  /** Nothing to do: the run had finished (or was deleted) before this delivery of its queue job. */
  | { skipped: RunStatus | "missing" }
  /** A newer attempt holds the run; this worker's queue lock is gone, so BullMQ will not record this result. */
  | { superseded: true };

/** BullMQ's reason for failing a job whose workers kept disappearing, without calling the processor. */
const STALLED_TOO_OFTEN = "job stalled more than allowable limit";

const handBack = new AbortController();

/**
 * Stops every attempt this process is executing and gives their runs back to the queue, for a
 * worker shutting down whose active runs would not finish in time.
 */
export function handBackActiveRuns(): void {
  handBack.abort();
}

/**
 * The BullMQ processor for the runs queue, shared by worker/index.ts and the tests so both
 * exercise the same path: validate the payload, claim the run (one running run per job, a
 * finished run is never executed again), execute one attempt under a heartbeat, map the outcome.
 */
export async function processRun(job: Job<RunJobPayload>, token?: string): Promise<ProcessRunResult> {
  const payload = runJobPayloadSchema.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError(`Invalid run payload: ${payload.error.message}`);
  const { runId } = payload.data;
  const attempt = job.attemptsMade + 1;
  const maxAttempts = job.opts.attempts ?? 1;

  const claim = await claimRun(db, runId, attempt);
  switch (claim.kind) {
    case "missing":
      return { skipped: "missing" };
    case "finished":
      return claim.status === "cancelled" ? { cancelled: true } : { skipped: claim.status };
    case "busy":
      if (payload.data.waitingFor !== claim.blockingRunId) {
        await runLogger(runId)("info", `Waiting for run ${claim.blockingRunId} of this job to finish: runs of a job execute one after another.`);
        await job.updateData({ ...payload.data, waitingFor: claim.blockingRunId });
      }
      // Back to the queue without counting an attempt; the worker's slot is free meanwhile.
      await job.moveToDelayed(Date.now() + env.RUN_OVERLAP_POLL_MS, token);
      throw new DelayedError();
  }

  runLog(runId).info({ attempt, maxAttempts, resumed: claim.resumed }, "run attempt claimed");
  const heartbeat = setInterval(() => {
    beatHeart(db, runId, claim.fence).catch((error) => runLog(runId).warn({ err: error }, "heartbeat failed"));
  }, env.RUN_HEARTBEAT_MS);
  let outcome;
  try {
    outcome = await executeRunIsolated(runId, { attempt, maxAttempts, fence: claim.fence, resumed: claim.resumed }, { handBack: handBack.signal });
  } finally {
    clearInterval(heartbeat);
  }
  switch (outcome.kind) {
    case "success":
      await notifyRunEnded(runId);
      return { rowsLoaded: outcome.rowsLoaded };
    case "cancelled":
      return { cancelled: true };
    case "superseded":
      return { superseded: true };
    case "handedBack":
      await job.moveToWait(token);
      throw new WaitingError();
    case "failed":
      if (outcome.final) await notifyRunEnded(runId);
      // Permanent errors skip BullMQ's remaining attempts; transient ones use its backoff.
      throw outcome.permanent ? new UnrecoverableError(outcome.message) : new Error(outcome.message);
  }
}

/**
 * For the worker's `failed` event: a queue job BullMQ failed without running the processor (its
 * workers kept dying or losing their locks past WORKER_MAX_STALLED_COUNT) leaves its run unfinished; fail it with the reason.
 */
export async function failRunOfAbandonedJob(job: Job<RunJobPayload>, error: Error): Promise<void> {
  if (error.message !== STALLED_TOO_OFTEN) return;
  const run = await getRun(db, job.data.runId);
  if (!run) return;
  const message = `The workers executing this run stopped responding ${env.WORKER_MAX_STALLED_COUNT + 1} times (crashed, killed or paused past their queue lock); the run was given up.`;
  if (!(await failUnfinishedRun(db, run.id, { stage: run.progress?.stage ?? "extract", message }))) return;
  await runLogger(run.id)("error", message);
  await notifyRunEnded(run.id);
}
