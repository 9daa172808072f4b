import "@/lib/load-env-files";
import { Worker } from "bullmq";
import { closeDb } from "@/lib/db/client";
import { closeRunThreads } from "@/lib/etl/isolated-run";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { processDelivery, recordDeliveryFailure } from "@/lib/notifications/deliver";
import { NOTIFICATIONS_QUEUE, type DeliveryPayload } from "@/lib/notifications/queue";
import { createRedis } from "@/lib/queue/connection";
import { closeQueues } from "@/lib/queue/producer";
import { RUNS_QUEUE, runsQueue, type RunJobPayload } from "@/lib/queue/runs-queue";
import { SCHEDULES_QUEUE, schedulesQueue, type TickPayload } from "@/lib/queue/schedules-queue";
import { runMaintenance } from "@/lib/runs/maintenance";
import { reconcileSchedules } from "@/lib/runs/schedule-reconcile";
import { processTick } from "@/lib/runs/schedule-tick";
import { failRunOfAbandonedJob, handBackActiveRuns, processRun } from "./process-run";

const log = logger.child({ service: "worker" });
/** After the grace period, how long handing back the active runs and closing connections may take before the process exits anyway. */
const SHUTDOWN_MARGIN_MS = 15_000;

// One connection for the workers' commands (BullMQ opens a blocking one per worker beside it).
// ioredis reconnects by itself after a Redis restart, and BullMQ resumes on it.
const connection = createRedis("worker");
const common = { connection, prefix: env.QUEUE_PREFIX };

const runsWorker = new Worker<RunJobPayload>(RUNS_QUEUE, processRun, {
  ...common,
  // Runs are I/O-bound (HTTP, COPY) and each computes in a thread of its own: a few per process keep both cores busy.
  concurrency: env.WORKER_CONCURRENCY,
  // A crashed or frozen worker's run is taken over by another after at most lockDuration + stalledInterval;
  // the lock is renewed from the main thread, which long transforms never block (they run in threads).
  lockDuration: env.WORKER_LOCK_DURATION_MS,
  stalledInterval: env.WORKER_STALLED_INTERVAL_MS,
  // A run that takes its worker down every time is failed after this many takeovers instead of looping forever.
  maxStalledCount: env.WORKER_MAX_STALLED_COUNT,
});
// Ticks only insert a row and enqueue a run.
const ticksWorker = new Worker<TickPayload>(SCHEDULES_QUEUE, processTick, { ...common, concurrency: 4 });
// Deliveries wait on other people's servers: several at once, each under NOTIFY_TIMEOUT_MS.
const deliveriesWorker = new Worker<DeliveryPayload>(NOTIFICATIONS_QUEUE, processDelivery, { ...common, concurrency: 8 });

for (const worker of [runsWorker, ticksWorker, deliveriesWorker]) {
  worker.on("error", (error) => log.error({ err: error, queue: worker.name }, "queue worker error"));
}
runsWorker.on("ready", () => log.info({ queue: RUNS_QUEUE, concurrency: env.WORKER_CONCURRENCY }, "consuming runs"));
runsWorker.on("stalled", (runId) => log.warn({ runId }, "a run's worker stopped responding; the run is handed to another worker"));
runsWorker.on("failed", (job, error) => {
  if (!job) return;
  log.warn({ runId: job.data.runId, attempt: job.attemptsMade, err: error }, "run attempt failed");
  failRunOfAbandonedJob(job, error).catch((err) => log.error({ err, runId: job.data.runId }, "could not fail the abandoned run"));
});
ticksWorker.on("failed", (job, error) => log.warn({ jobId: job?.data.jobId, err: error }, "schedule tick failed"));
deliveriesWorker.on("failed", (job, error) => {
  if (!job) return;
  log.warn({ runId: job.data.runId, attempt: job.attemptsMade, err: error }, "notification delivery failed");
  recordDeliveryFailure(job, error).catch((err) => log.error({ err, runId: job.data.runId }, "could not log the failed delivery"));
});

// Schedulers are brought in line at start and after every reconnection (Redis may have lost them).
connection.on("ready", () => {
  reconcileSchedules(schedulesQueue())
    .then((result) => log.info(result, "schedulers reconciled"))
    .catch((error) => log.error({ err: error }, "could not reconcile schedulers"));
});

let maintaining = false;
const maintenance = setInterval(async () => {
  if (maintaining) return;
  maintaining = true;
  try {
    await runMaintenance({ runs: runsQueue(), schedules: schedulesQueue() });
  } catch (error) {
    log.error({ err: error }, "maintenance failed");
  } finally {
    maintaining = false;
  }
}, env.MAINTENANCE_INTERVAL_MS);

/**
 * SIGTERM/SIGINT: take no new work, give the active runs WORKER_SHUTDOWN_GRACE_MS to finish,
 * then stop them and hand them back to the queue (pending again, for another worker at once),
 * close every connection and exit 0. Should anything hang, the process exits 1 after a margin;
 * its runs are then taken over as stalled.
 */
async function shutdown(signal: string) {
  log.info({ signal, graceMs: env.WORKER_SHUTDOWN_GRACE_MS }, "shutting down: finishing active runs");
  setTimeout(() => {
    log.error("shutdown did not complete in time; exiting, active runs will be taken over as stalled");
    process.exit(1);
  }, env.WORKER_SHUTDOWN_GRACE_MS + SHUTDOWN_MARGIN_MS).unref();
  const grace = setTimeout(() => {
    log.warn("grace period over: handing the active runs back to the queue");
    handBackActiveRuns();
  }, env.WORKER_SHUTDOWN_GRACE_MS);
  clearInterval(maintenance);
  await Promise.all([runsWorker.close(), ticksWorker.close(), deliveriesWorker.close()]);
  clearTimeout(grace);
  await closeRunThreads();
  await closeQueues();
  await connection.quit().catch(() => connection.disconnect());
  await closeDb();
  log.info("worker stopped");
  process.exit(0);
}

process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
