import "server-only";
import type { Queue } from "bullmq";
import { sql } from "@/lib/db/client";
import { env } from "@/lib/env";
import { dropAbandonedStaging } from "@/lib/etl/destinations/staging";
import { logger } from "@/lib/logger";
import type { TickPayload } from "@/lib/queue/schedules-queue";
import { reconcileStuckRuns } from "./reconcile-runs";
import { pruneRunHistory } from "./retention";
import { reconcileSchedules } from "./schedule-reconcile";

/**
 * Takes the lease on a periodic task if nobody ran it within (most of) the interval. Kept in
 * PostgreSQL rather than as a BullMQ repeatable job, so the upkeep keeps running when Redis has
 * lost its data, which is one of the things it repairs.
 */
export async function takeLease(task: string, intervalMs: number): Promise<boolean> {
  const rows = await sql`
    INSERT INTO maintenance_leases (task, ran_at) VALUES (${task}, now())
    ON CONFLICT (task) DO UPDATE SET ran_at = now()
    WHERE maintenance_leases.ran_at <= now() - make_interval(secs => ${(intervalMs * 0.9) / 1000})
    RETURNING task`;
  return rows.length > 0;
}

type Queues = { runs: Queue; schedules: Queue<TickPayload> };

/**
 * The workers' periodic upkeep, done by one worker per MAINTENANCE_INTERVAL_MS: fail runs nothing
 * will finish, make schedulers match jobs, drop abandoned staging tables, prune old run history.
 * Each task fails alone: the others still run, and the next interval retries it.
 */
export async function runMaintenance(queues: Queues): Promise<void> {
  if (!(await takeLease("maintenance", env.MAINTENANCE_INTERVAL_MS))) return;
  const tasks: Record<string, () => Promise<unknown>> = {
    stuckRuns: () => reconcileStuckRuns(queues.runs),
    schedules: () => reconcileSchedules(queues.schedules),
    staging: () => dropAbandonedStaging(sql),
    retention: () => pruneRunHistory(),
  };
  for (const [task, work] of Object.entries(tasks)) {
    try {
      const result = await work();
      logger[changedSomething(result) ? "info" : "debug"]({ task, result }, "maintenance task done");
    } catch (error) {
      logger.error({ err: error, task }, "maintenance task failed");
    }
  }
}

/** Whether a task's result lists or counts anything, i.e. whether its line is worth an info log. */
function changedSomething(result: unknown): boolean {
  if (Array.isArray(result)) return result.length > 0;
  if (result && typeof result === "object") return Object.values(result).some(changedSomething);
  return typeof result === "number" && result > 0;
}
