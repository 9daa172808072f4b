import "server-only";
import type { Queue } from "bullmq";
import { z } from "zod";
import { producerQueue } from "./producer";

/** The contract between the web app (producer) and the worker (consumer) for executing runs. */
export const RUNS_QUEUE = "runs";

export const runJobPayloadSchema = z.object({
  runId: z.uuid(),
  /** The run of the same job this one last waited for (overlap), so the wait is logged once per blocker. */
  waitingFor: z.uuid().optional(),
});
export type RunJobPayload = z.infer<typeof runJobPayloadSchema>;

export type RetryPolicy = { attempts: number; backoffSeconds: number };

export function runsQueue(): Queue<RunJobPayload> {
  return producerQueue<RunJobPayload>(RUNS_QUEUE);
}

/** Enqueues a run under its own id, so a run is in the queue at most once whoever enqueues it. */
export async function enqueueRun(runId: string, retry: RetryPolicy): Promise<void> {
  await runsQueue().add(
    "execute",
    { runId },
    {
      jobId: runId,
      attempts: retry.attempts,
      backoff: { type: "exponential", delay: retry.backoffSeconds * 1000 },
      // Finished jobs live in PostgreSQL as runs; keeping a few in Redis only helps debugging.
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    },
  );
}
