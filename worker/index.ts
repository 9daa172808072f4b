import "@/lib/load-env-files";
import { Worker } from "bullmq";
import { closeDb } from "@/lib/db/client";
import { closeRunThreads } from "@/lib/etl/isolated-run";
import { env } from "@/lib/env";
import { createRedis } from "@/lib/queue/connection";
import { RUNS_QUEUE, type RunJobPayload } from "@/lib/queue/runs-queue";
import { processRun } from "./process-run";

const SHUTDOWN_TIMEOUT_MS = 30_000;

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
  await closeRunThreads();
  await closeDb();
  process.exit(0);
}

process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
