import "@/lib/load-env-files";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { closeDb } from "@/lib/db/client";
import { env } from "@/lib/env";
import { executeRun } from "@/lib/etl/run";
import { createRedis } from "@/lib/queue/connection";
import { RUNS_QUEUE, runJobPayloadSchema, type RunJobPayload } from "@/lib/queue/runs-queue";

const SHUTDOWN_TIMEOUT_MS = 30_000;

async function processRun(job: Job<RunJobPayload>): Promise<{ rowsLoaded: number } | { cancelled: true }> {
  const payload = runJobPayloadSchema.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError(`Invalid run payload: ${payload.error.message}`);
  const outcome = await executeRun(payload.data.runId, {
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

const worker = new Worker<RunJobPayload>(RUNS_QUEUE, processRun, {
  connection: createRedis("worker"),
  prefix: env.QUEUE_PREFIX,
  // Runs are I/O-bound (HTTP, COPY); a few per process keep both cores busy without thrashing.
  concurrency: env.WORKER_CONCURRENCY,
  // A crashed worker's run is picked up by another after about two intervals.
  lockDuration: 30_000,
  stalledInterval: 15_000,
  maxStalledCount: 2,
});

worker.on("error", (error) => console.error("[worker] error", error));
worker.on("failed", (job, error) => console.warn(`[worker] run ${job?.data.runId} attempt failed: ${error.message}`));
worker.on("ready", () => console.log(`[worker] consuming "${RUNS_QUEUE}" with concurrency ${env.WORKER_CONCURRENCY}`));

async function shutdown(signal: string) {
  console.log(`[worker] ${signal}: finishing active runs, then exiting`);
  const timer = setTimeout(() => {
    console.error("[worker] shutdown timed out; exiting with active runs handed back to the queue");
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS);
  timer.unref();
  await worker.close();
  await closeDb();
  process.exit(0);
}

process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
