import "server-only";
import { UnrecoverableError, type Job } from "bullmq";
import { db } from "@/lib/db/client";
import { getJob } from "@/lib/db/queries/jobs";
import { logger } from "@/lib/logger";
import { schedulesQueue, syncSchedule, tickPayloadSchema, tickTime, type TickPayload } from "@/lib/queue/schedules-queue";
import { startRun } from "./start-run";

export type TickResult =
  | { runId: string; created: boolean }
  | { skipped: "job deleted" | "schedule removed" | "schedule changed" | "overlap"; runId?: string };

/**
 * The processor of the schedules queue: one tick of a job's scheduler becomes one run with
 * trigger `schedule`. The tick's time is stored with the run under a unique (job, time) key, so a
 * tick delivered twice (a worker dying mid-tick, two schedulers racing) still makes one run. A
 * tick whose scheduler no longer matches the job (edited or deleted while Redis was away) starts
 * nothing and brings the scheduler in line.
 */
export async function processTick(job: Job<TickPayload>): Promise<TickResult> {
  const payload = tickPayloadSchema.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError(`Invalid tick payload: ${payload.error.message}`);
  const { jobId } = payload.data;
  const scheduledFor = tickTime(job);
  const row = await getJob(db, jobId);
  if (!row) {
    await syncSchedule(schedulesQueue(), jobId, null);
    return { skipped: "job deleted" };
  }
  const schedule = row.definition.schedule;
  if (!schedule) {
    await syncSchedule(schedulesQueue(), jobId, null);
    return { skipped: "schedule removed" };
  }
  const scheduler = await schedulesQueue().getJobScheduler(jobId);
  if (scheduler?.pattern !== schedule.cron || scheduler.tz !== schedule.timezone) {
    await syncSchedule(schedulesQueue(), jobId, schedule);
    return { skipped: "schedule changed" };
  }
  const started = await startRun(row, "schedule", { scheduledFor });
  if (started.kind === "busy") {
    logger.info({ jobId, runId: started.run.id, scheduledFor }, "schedule tick skipped: a run of the job is still active and its overlap policy is skip");
    return { skipped: "overlap", runId: started.run.id };
  }
  return { runId: started.run.id, created: started.kind === "created" };
}
