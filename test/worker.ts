import { Worker } from "bullmq";
import { db } from "@/lib/db/client";
import { claimRun } from "@/lib/db/queries/run-attempts";
import { getRun, type RunRow } from "@/lib/db/queries/runs";
import { env } from "@/lib/env";
import { createRedis } from "@/lib/queue/connection";
import { RUNS_QUEUE, runsQueue, type RunJobPayload } from "@/lib/queue/runs-queue";
import { finishedStatuses } from "@/lib/schemas/runs";
import { processRun } from "@/worker/process-run";

/** A real BullMQ worker on this run's queue, with the production processor. */
export async function startRunsWorker(concurrency = 1) {
  const connection = createRedis("worker");
  const worker = new Worker<RunJobPayload>(RUNS_QUEUE, processRun, {
    connection,
    prefix: env.QUEUE_PREFIX,
    concurrency,
  });
  worker.on("error", (error) => console.error("[test worker] error", error));
  await worker.waitUntilReady();
  return {
    worker,
    async close() {
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

/**
 * Waits until the run has a finished status and the worker is done with its queue job, so every
 * log line of the attempt is written (the engine logs after marking the run finished).
 */
export async function waitForRun(runId: string, timeoutMs = 20_000): Promise<RunRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await getRun(db, runId);
    if (run && finishedStatuses.includes(run.status)) {
      const state = await runsQueue().getJobState(runId);
      if (state === "completed" || state === "failed" || state === "unknown") return run;
    }
    if (Date.now() > deadline) throw new Error(`Run ${runId} still ${run?.status ?? "missing"} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Claims a pending run for an attempt, as the worker does before executing it. */
export async function claimed(runId: string, attempt: number, maxAttempts: number) {
  const claim = await claimRun(db, runId, attempt);
  if (claim.kind !== "claimed") throw new Error(`Run ${runId} could not be claimed: ${claim.kind}`);
  return { attempt, maxAttempts, fence: claim.fence, resumed: claim.resumed };
}

/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
