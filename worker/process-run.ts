import { UnrecoverableError, type Job } from "bullmq";
import { executeRunIsolated } from "@/lib/etl/isolated-run";
import { runJobPayloadSchema, type RunJobPayload } from "@/lib/queue/runs-queue";

export type ProcessRunResult = { rowsLoaded: number } | { cancelled: true };

/**
 * The BullMQ processor for the runs queue, shared by worker/index.ts and the integration tests so
 * both exercise the same path: validate the payload, execute one attempt, map the outcome.
 */
export async function processRun(job: Job<RunJobPayload>): Promise<ProcessRunResult> {
  const payload = runJobPayloadSchema.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError(`Invalid run payload: ${payload.error.message}`);
  const outcome = await executeRunIsolated(payload.data.runId, {
    attempt: job.attemptsMade + 1,
    maxAttempts: job.opts.attempts ?? 1,
  });
  switch (outcome.kind) {
    case "success":
      return { rowsLoaded: outcome.rowsLoaded };
    case "cancelled":
      return { cancelled: true };
    case "failed":
      // Permanent errors skip BullMQ's remaining attempts; transient ones use its backoff.
      throw outcome.permanent ? new UnrecoverableError(outcome.message) : new Error(outcome.message);
  }
}
